# Shared settings of the project's scripts (sourced, not run).
# Everything the scripts build or install lives under $CACHE_DIR, outside the
# repository, so that a warm machine never rebuilds the kernel.
# What it sets is for the scripts that source it (SC2034: unused here).
# shellcheck shell=bash disable=SC2034
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
# The kernels the module supports, one line each: KERNEL, the Debian package
# of its source, where it comes from ("installed": scripts/setup.sh installs
# it; else the suite scripts/kernel-src.sh downloads it from), and the kernel
# lines the reliability selftest's malformed input may warn at (below).  The
# first is the default (make KERNEL=...).  The module's build knows the same
# versions (Kbuild, RST_EXT_KERNELS): a kernel missing there stops it.
RST_EXT_KERNELS="6.12 linux-source-6.12 installed net/mptcp/protocol.c:769,net/mptcp/protocol.c:778
7.3 linux-source-7.3 trixie-backports net/mptcp/protocol.c:855,net/mptcp/protocol.c:862
debian-7.3 linux-source-7.3 trixie-backports net/mptcp/protocol.c:855,net/mptcp/protocol.c:862"
# Of those, the distributions' own kernels (not built here: scripts/distro.sh),
# one line each: KERNEL, the Debian release whose root builds the module
# (debootstrap), the suite of its kernel, the kernel series (newest of the
# suite).  Their only variant is normal: the kernel as the distribution
# ships it.
RST_EXT_DISTRO_KERNELS="debian-7.3 trixie trixie-backports 7.3"
# rst_ext_distro_field KERNEL: "RELEASE SUITE SERIES" of a distribution
# kernel; fails for a kernel built here.
rst_ext_distro_field() {
	local k r s v
	while read -r k r s v; do
		[ "$k" = "$1" ] && { echo "$r $s $v"; return 0; }
	done <<<"$RST_EXT_DISTRO_KERNELS"
	return 1
}
# normal and debug are built with clang-19; gcc is the normal config built with
# Debian's gcc, as Debian builds its own Rust kernels (bindgen still parses C
# with libclang): rst_ext_parse_target drops LLVM= from KMAKE_FLAGS for it.
RST_EXT_VARIANTS="normal debug gcc"
# rst_ext_kernel_field KERNEL package|suite|warn_at
rst_ext_kernel_field() {
	local k p s w
	while read -r k p s w; do
		[ "$k" = "$1" ] || continue
		case $2 in
		package) echo "$p" ;;
		suite) echo "$s" ;;
		warn_at) echo "${w//,/ }" ;;
		esac
		return 0
	done <<<"$RST_EXT_KERNELS"
	echo "unknown kernel '$1' (supported: $(rst_ext_kernels))" >&2
	return 2
}
rst_ext_kernels() { awk '{printf "%s%s", (NR > 1 ? " " : ""), $1}' <<<"$RST_EXT_KERNELS"; }
RST_EXT_DEFAULT_KERNEL=${RST_EXT_KERNELS%% *}
# rst_ext_arg_kind ARG: "kernel" if ARG names a kernel of RST_EXT_KERNELS,
# "variant" if a variant, else nothing.
rst_ext_arg_kind() {
	if [[ " $RST_EXT_VARIANTS " == *" $1 "* ]]; then
		echo variant
	elif [[ " $(rst_ext_kernels) " == *" $1 "* ]]; then
		echo kernel
	fi
}
# The reliability selftest's malformed-input test plays a bugged peer: data
# beyond its DSS mapping makes the kernel warn in
# __mptcp_move_skbs_from_subflow() on a kernel with CONFIG_DEBUG_NET
# (DEBUG_NET_WARN_ON_ONCE, debug-only since upstream's "mptcp: handle
# consistently DSS corruption": not actionable by the kernel) before it falls
# back or resets the subflow (DssCorruptionReset).
# rst_ext_stress_warn KERNEL: sets STRESS_WARN_AT, the FILE:LINEs of KERNEL
# where it warns (the test gets the list in its environment and checks the
# kernel counted a corruption if it warned), and STRESS_EXPECT_WARN, the
# options that make scripts/vm.sh let those warnings through.
rst_ext_stress_warn() {
	local at
	STRESS_WARN_AT=$(rst_ext_kernel_field "$1" warn_at)
	STRESS_EXPECT_WARN=()
	for at in $STRESS_WARN_AT; do
		STRESS_EXPECT_WARN+=(--expect-warn "$at")
	done
}
# rst_ext_debian_mirror: Debian's mirror, as the machine's own apt sources
# name it (not the security or other archives); empty if none.
rst_ext_debian_mirror() {
	grep -hsoE '^(URIs:|deb) +[a-z]+://[^ ]+' /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list |
		awk '{print $2}' | grep -vE 'security|cloud|nodesource' | head -1 || :
}
# rst_ext_target KERNEL VARIANT: the name of a test kernel, its out/ directory.
rst_ext_target() { echo "$1-$2"; }
# rst_ext_parse_target DEFAULT_VARIANT [ARG...]: sets kernel and variant from
# the ARGs that name a kernel of RST_EXT_KERNELS or a variant (in any order;
# defaults: $KERNEL or the first kernel, DEFAULT_VARIANT), and target; the
# other ARGs are left in rest=(), in order.  Exits 2 on a second kernel or
# variant.
rst_ext_parse_target() {
	local a nk=0 nv=0
	variant=$1
	shift
	kernel=${KERNEL:-$RST_EXT_DEFAULT_KERNEL}
	rest=()
	for a in "$@"; do
		case $(rst_ext_arg_kind "$a") in
		variant) variant=$a nv=$((nv + 1)) ;;
		kernel) kernel=$a nk=$((nk + 1)) ;;
		*) rest+=("$a") ;;
		esac
	done
	if [ $nk -gt 1 ] || [ $nv -gt 1 ]; then
		echo "one kernel and one variant at a time (got: $*)" >&2
		exit 2
	fi
	rst_ext_kernel_field "$kernel" package >/dev/null || exit 2
	target=$(rst_ext_target "$kernel" "$variant")
	if [ "$variant" = gcc ]; then
		local f flags=()
		for f in "${KMAKE_FLAGS[@]}"; do
			[[ $f == LLVM=* ]] || flags+=("$f")
		done
		KMAKE_FLAGS=("${flags[@]}")
	fi
}
# Debian's Rust 1.96 cargo (cargo-web), whatever else is in PATH.
CARGO=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
