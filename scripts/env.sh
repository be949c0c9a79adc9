# Shared settings of the project's scripts (sourced, not run).
# Everything the scripts build or install lives under $CACHE_DIR, outside the
# repository, so that a warm machine never rebuilds the kernel.
CACHE_DIR=${MPTCP_RST_EXT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mptcp_rst_ext}
TOOLS_DIR=$CACHE_DIR/tools
BINDGEN_VERSION=0.71.1
VNG_VERSION=1.42
BINDGEN=$TOOLS_DIR/bindgen/bin/bindgen
VNG=$TOOLS_DIR/venv/bin/vng
# vng runs virtme-run and friends from its venv.
PATH=$TOOLS_DIR/venv/bin:$PATH
LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}
export LIBCLANG_PATH
# The rustup toolchain usually first in PATH has no rust-src: use Debian's.
KMAKE_FLAGS=(LLVM=-19 RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc CLIPPY_DRIVER=/usr/bin/clippy-driver "BINDGEN=$BINDGEN")
# The reliability selftest's malformed-input test plays a bugged peer: data
# beyond its DSS mapping makes 6.12.117 warn in
# __mptcp_move_skbs_from_subflow() on a kernel with CONFIG_DEBUG_NET
# (DEBUG_NET_WARN_ON_ONCE, debug-only since upstream's "mptcp: handle
# consistently DSS corruption": not actionable by the kernel) before it falls
# back or resets the subflow (DssCorruptionReset).  scripts/vm.sh lets these
# two through (STRESS_EXPECT_WARN); the test gets the list in its environment
# (STRESS_WARN_AT) and checks the kernel counted a corruption if it warned.
STRESS_WARN_AT="net/mptcp/protocol.c:769 net/mptcp/protocol.c:778"
STRESS_EXPECT_WARN=()
for _at in $STRESS_WARN_AT; do
	STRESS_EXPECT_WARN+=(--expect-warn "$_at")
done
unset _at
# Debian's Rust 1.96 cargo (cargo-web), whatever else is in PATH.
CARGO=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
