#!/usr/bin/env bash
# A KDIR for a distribution kernel, from its Debian packages: the headers
# package has the kernel's .config and Module.symvers but none of what a
# Rust module builds against (rust/'s crate metadata and proc macros,
# scripts/target.json) and no private MPTCP header.  Both come from the
# kernel's own source package of the same version, configured with the
# headers' .config and prepared (`make modules_prepare`, which builds rust/)
# by the rustc the kernel names; Module.symvers is the headers' own.
#   scripts/distro-kdir.sh HEADERS     prints the KDIR (cached, keyed by the
#                                      packages' version and the toolchain)
#   scripts/distro-kdir.sh --resolve KDIR
#       KDIR itself if it needs nothing (a build tree, or no Rust), else the
#       same as above: the top-level Makefile runs this on any KDIR.
# Needs, on the Debian host the kernel is for: linux-headers-RELEASE,
# linux-source-X.Y of the same version, and the kernel's rustc with its
# rust-src, bindgen, gcc (Debian 13: rustc rust-src bindgen gcc-14, and
# libelf-dev libssl-dev libdw-dev flex bison bc for the kernel's scripts).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE_DIR=${MPTCP_RST_EXT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mptcp_rst_ext}
log() { echo "distro-kdir: $*" >&2; }
die() { echo "mptcp_rst_ext: $*" >&2; exit 1; }

resolve=
if [ "${1:-}" = --resolve ]; then
	resolve=1
	shift
fi
[ $# = 1 ] || die "usage: scripts/distro-kdir.sh [--resolve] HEADERS"
headers=$1
if [ -n "$resolve" ]; then
	conf=$headers/include/config/auto.conf
	# Not a distribution's headers: check-kdir.sh says what is wrong, if anything.
	if [ ! -f "$conf" ] || ! grep -qx 'CONFIG_RUST=y' "$conf" ||
		[ -f "$headers/rust/libkernel.rmeta" ] || [ -f "$headers/rust/kernel.o" ] ||
		[ -f "$headers/net/mptcp/protocol.h" ] || [ ! -f "$headers/Module.symvers" ]; then
		echo "$headers"
		exit 0
	fi
fi
[ -f "$headers/.config" ] && [ -f "$headers/Module.symvers" ] ||
	die "$headers is not a kernel headers directory (no .config, Module.symvers)"
headers=$(cd "$headers" && pwd -P)
release=$(cat "$headers/include/config/kernel.release" 2>/dev/null) ||
	die "$headers has no include/config/kernel.release"

# conf_value NAME: CONFIG_NAME of the headers' .config, quotes removed.
conf_value() { sed -n "s/^CONFIG_$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$headers/.config"; }
[ "$(conf_value RUST)" = y ] || die "the kernel $release has no CONFIG_RUST=y: no Rust module can load in it"
[ "$(conf_value MPTCP)" = y ] || die "the kernel $release has no CONFIG_MPTCP=y"

# The headers' package and version; the source package of the same version.
command -v dpkg-query >/dev/null || die "dpkg-query not found: only Debian's packaged kernels are known"
hpkg=$(dpkg-query -S "$headers/.config" 2>/dev/null | cut -d: -f1 | head -1 || :)
[ -n "$hpkg" ] || die "$headers/.config belongs to no installed package: install linux-headers-$release"
version=$(dpkg-query -W -f='${Version}' "$hpkg")
series=$(echo "$release" | cut -d. -f1-2)
spkg=linux-source-$series
sver=$(dpkg-query -W -f='${Version}' "$spkg" 2>/dev/null) ||
	die "$spkg is not installed: apt-get install $spkg=$version (the source of $hpkg)"
[ "$sver" = "$version" ] ||
	die "$spkg is $sver, $hpkg is $version: install $spkg=$version (the private MPTCP headers and rust/ must be of the kernel's own version)"
tarball=/usr/src/$spkg.tar.xz
[ -f "$tarball" ] || die "$tarball missing: apt-get install --reinstall $spkg"

# The kernel's rustc, exactly: any other names every Rust symbol otherwise.
want=$(conf_value RUSTC_VERSION_TEXT)
rustc=${RUSTC:-rustc}
command -v "$rustc" >/dev/null || die "the kernel $release was built with '$want': no rustc found (install rustc and rust-src of that version)"
have=$("$rustc" --version)
[ "$have" = "$want" ] ||
	die "the kernel $release was built with '$want', but $(command -v "$rustc") is '$have': a Rust module must be built by the kernel's rustc (give RUSTC=...)"
sysroot=$("$rustc" --print sysroot)
[ -d "$sysroot/lib/rustlib/src/rust/library/core" ] ||
	die "no Rust standard library source in $sysroot/lib/rustlib/src: install rust-src (the kernel builds its own core)"
bindgen=${BINDGEN:-bindgen}
command -v "$bindgen" >/dev/null || die "bindgen not found: install bindgen ('$(conf_value BINDGEN_VERSION_TEXT)' built this kernel)"
cc=$(sed -n 's/^CC = .*\$(CROSS_COMPILE)//p' "$headers/.kernelvariables" 2>/dev/null)
cc=$(sed -n 's/^override CROSS_COMPILE = //p' "$headers/.kernelvariables" 2>/dev/null)${cc:-gcc}
command -v "$cc" >/dev/null || die "$cc not found: install the compiler the kernel was built with ('$(conf_value CC_VERSION_TEXT)')"

# Bump when the way the tree is prepared changes.
recipe="linux-source + headers .config + modules_prepare + headers Module.symvers v1"
key=$({
	echo "$hpkg $version $recipe"
	sha256sum <"$headers/.config"
	echo "$have"
	"$bindgen" --version 2>&1 | head -1
	"$cc" --version | head -1
} | sha256sum | cut -c1-12)
kdir=$CACHE_DIR/build/distro-$release-$key
if [ -f "$kdir/.done" ]; then
	echo "$kdir"
	exit 0
fi
mkdir -p "$CACHE_DIR/build"
exec 9>"$CACHE_DIR/build.lock"
flock 9
if [ -f "$kdir/.done" ]; then
	echo "$kdir"
	exit 0
fi
start=$SECONDS
log "preparing $kdir for $release from $spkg $sver (a few minutes, once)"
rm -rf "$kdir"
mkdir -p "$kdir"
tar -C "$kdir" -xf "$tarball" --strip-components=1
cp "$headers/.config" "$kdir/.config"
# CC, CROSS_COMPILE and KERNELRELEASE as Debian built the kernel.
[ -f "$headers/.kernelvariables" ] && cp "$headers/.kernelvariables" "$kdir/"
kmake() { make -C "$kdir" RUSTC="$rustc" BINDGEN="$bindgen" "$@"; }
kmake -s olddefconfig >"$kdir/olddefconfig.log" 2>&1 ||
	{ cat "$kdir/olddefconfig.log" >&2; die "make olddefconfig failed in $kdir"; }
# Options the tree's Kconfig derives from this machine's tools (e.g. what
# its OpenSSL signs with) may differ: logged, and the symbol check below says
# whether the Rust side is the kernel's.
diff "$headers/.config" "$kdir/.config" >"$kdir/config.diff" || :
if ! kmake -j"$(nproc)" modules_prepare >"$kdir/prepare.log" 2>&1; then
	tail -30 "$kdir/prepare.log" >&2
	die "make modules_prepare failed, full log: $kdir/prepare.log"
fi
cp "$headers/Module.symvers" "$kdir/Module.symvers"
# The headers' BTF-only vmlinux: kbuild generates the module's BTF from it.
[ -f "$headers/vmlinux" ] && cp "$headers/vmlinux" "$kdir/vmlinux"

# The check that this rust/ is the running kernel's: every Rust symbol the
# kernel exports (Module.symvers) is defined, by that name, by the rebuilt
# crates.  A different rustc, flag or config changes the crates' hashes.
awk '$2 ~ /^_R/ {print $2}' "$kdir/Module.symvers" | sort -u >"$kdir/rust-exports.txt"
nm --defined-only "$kdir"/rust/*.o 2>/dev/null | awk '{print $3}' | sort -u >"$kdir/rust-defined.txt"
missing=$(comm -23 "$kdir/rust-exports.txt" "$kdir/rust-defined.txt" | wc -l)
exported=$(wc -l <"$kdir/rust-exports.txt")
if [ "$exported" = 0 ] || [ "$missing" != 0 ]; then
	comm -23 "$kdir/rust-exports.txt" "$kdir/rust-defined.txt" | head -5 >&2
	die "$missing of the kernel's $exported exported Rust symbols are not what rust/ rebuilt in $kdir defines: not the kernel's crates (rustc, config or source differ)"
fi
log "rust/ defines all $exported Rust symbols $release exports ($((SECONDS - start)) s)"
echo "$headers" >"$kdir/.rst_ext_headers"
touch "$kdir/.done"
for old in "$CACHE_DIR/build/distro-$release-"*; do
	[ "$old" = "$kdir" ] || rm -rf "$old"
done
echo "$kdir"
