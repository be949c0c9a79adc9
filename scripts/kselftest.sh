#!/usr/bin/env bash
# A kselftest install tree for a test kernel, as a kernel developer has one:
#   scripts/kselftest.sh build [KERNEL]
#       the kernel's own MPTCP kselftests (TARGETS=net/mptcp), built once from
#       linux-source-<KERNEL> into $CACHE_DIR/build/selftests-<kernel>-<key>
#       and installed there by the kernel's `make install`; prints the
#       install tree (run_kselftest.sh, kselftest-list.txt, net/mptcp/)
#   scripts/kselftest.sh install KERNEL VARIANT DIR
#       that tree copied to DIR, and our collection added to it
#       (make -C selftests kselftest_install): run_kselftest.sh -c
#       mptcp_rst_ext then runs our selftests; prints DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

log() { echo "kselftest: $*" >&2; }
die() { echo "kselftest: error: $*" >&2; exit 2; }

action=${1:-}
shift || true
case $action in
build) rst_ext_parse_target normal "$@" ;;
install)
	[ $# = 3 ] || die "usage: scripts/kselftest.sh install KERNEL VARIANT DIR"
	dest=$3
	rst_ext_parse_target normal "$1" "$2"
	;;
*) die "usage: scripts/kselftest.sh build [KERNEL] | install KERNEL VARIANT DIR" ;;
esac
[ ${#rest[@]} = 0 ] || die "unknown argument(s): ${rest[*]}"
command -v rsync >/dev/null || die "rsync not found (lib.mk's install needs it): apt-get install rsync (scripts/setup.sh does it)"

read -r srcver src < <("$here/kernel-src.sh" "$kernel")
[ -f "$src/.extracted" ] || die "no source tree for $kernel (scripts/kernel-src.sh)"
# The uapi headers are installed from the same tree into the cache dir
# (`make headers`, O=: the source tree stays as it is), then the selftests
# are built against them with the kselftest Makefile, out of tree (O=), with
# the host's gcc, as the MPTCP CI does, and installed with its own `make
# install`.  Bump the recipe when this changes.
recipe="make headers O= + kselftest TARGETS=net/mptcp O= all install v3"
key=$({
	echo "$srcver $recipe"
	gcc --version | head -1
} | sha256sum | cut -c1-12)
ksft=$CACHE_DIR/build/selftests-$kernel-$key
if [ ! -f "$ksft/.done" ]; then
	mkdir -p "$CACHE_DIR/build"
	exec 8>"$CACHE_DIR/selftests.lock"
	flock 8
fi
if [ ! -f "$ksft/.done" ]; then
	log "building the kernel's MPTCP kselftests from $srcver into $ksft"
	rm -rf "$ksft"
	mkdir -p "$ksft"
	if ! make -C "$src" O="$ksft" -s headers >"$ksft/headers.log" 2>&1; then
		tail -20 "$ksft/headers.log" >&2
		die "make headers failed, full log: $ksft/headers.log"
	fi
	if ! make -C "$src/tools/testing/selftests" TARGETS=net/mptcp O="$ksft" V=1 \
		install INSTALL_PATH="$ksft/run" >"$ksft/build.log" 2>&1; then
		tail -20 "$ksft/build.log" >&2
		die "selftests build failed, full log: $ksft/build.log"
	fi
	touch "$ksft/.done"
	# Older builds are of no further use.
	for old in "$CACHE_DIR/build/selftests-$kernel-"*; do
		[ "$old" = "$ksft" ] || rm -rf "$old"
	done
fi

if [ "$action" = build ]; then
	echo "$ksft/run"
	exit 0
fi
kdir=$("$here/kernel.sh" "$kernel" "$variant")
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -a "$ksft/run" "$dest"
if ! make -s -C "$repo/selftests" KDIR="$kdir" kselftest_install KSFT_INSTALL="$dest" \
	CARGO="$CARGO" >"$dest.log" 2>&1; then
	cat "$dest.log" >&2
	die "make -C selftests kselftest_install failed"
fi
echo "$dest"
