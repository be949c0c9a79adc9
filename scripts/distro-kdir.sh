#!/usr/bin/env bash
# A KDIR for a distribution kernel, from its Debian packages: the headers
# package has the kernel's .config, generated headers and Module.symvers but
# none of what a Rust module builds against (rust/'s crate metadata and proc
# macros, scripts/target.json) and no private MPTCP header.  Both come from
# the kernel's own source package of the same version, configured with the
# headers' .config and prepared (`make modules_prepare`, which builds rust/)
# by the tools the kernel names; Module.symvers is the headers' own.
# The prepared tree is used only once it is proven to be the kernel's
# (prove(), on every use): the same .config, the same generated headers byte
# for byte (scripts/distro-kdir.allow lists what may differ, and why), the
# same compiler, rustc and bindgen, and every Rust symbol the kernel exports
# defined by the rebuilt crates.
#   scripts/distro-kdir.sh HEADERS     prints the KDIR (cached, keyed by
#                                      everything that shapes it)
#   scripts/distro-kdir.sh --resolve KDIR
#       KDIR itself if it needs nothing (a build tree, or no Rust), else the
#       same as above: the top-level Makefile runs this on any KDIR.
#   scripts/distro-kdir.sh --prove HEADERS KDIR
#       the proof alone, of a prepared KDIR against HEADERS
# Needs, on the Debian host the kernel is for: linux-headers-RELEASE,
# linux-source-X.Y of the same version, and the kernel's rustc with its
# rust-src, bindgen, gcc (Debian 13: rustc rust-src bindgen gcc-14, and
# libelf-dev libssl-dev libdw-dev flex bison bc openssl for the kernel's
# scripts and Kconfig).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE_DIR=${MPTCP_RST_EXT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mptcp_rst_ext}
log() { echo "distro-kdir: $*" >&2; }
die() { echo "mptcp_rst_ext: $*" >&2; exit 1; }

# allowed FILE: the allow-list's regexes for FILE, one alternation ("" if none).
allowed() {
	awk -v f="$1" '!/^#/ && $1 == f { sub(/^[^ \t]+[ \t]+/, ""); sub(/[ \t]+#.*$/, "");
		printf "%s%s", sep, $0; sep = "|" }' "$here/distro-kdir.allow"
}

# same FILE A B: dies unless A/FILE and B/FILE are the same but for allowed
# lines, naming the file and the first lines that differ.
same() {
	local f=$1 re first
	cmp -s "$2/$f" "$3/$f" && return 0
	re=$(allowed "$f")
	first=$(diff <(grep -vE "${re:-^\$.}" "$2/$f") <(grep -vE "${re:-^\$.}" "$3/$f") |
		awk 'NR == 1 { sub(/[acd].*/, ""); at = $0; next }
			/^[0-9]/ { exit }
			/^</ && a == "" { a = substr($0, 3) }
			/^>/ && b == "" { b = substr($0, 3) }
			END { if (NR) printf "at line %s: the kernel'"'"'s \"%s\", the prepared \"%s\"", at, a, b }') || :
	[ -z "$first" ] ||
		die "$f differs between the kernel's headers $2 and the prepared tree $3 ($first): not the kernel's tree (scripts/distro-kdir.allow lists what may differ)"
}

# conf_value NAME [DIR]: CONFIG_NAME of DIR's .config (the headers'), quotes removed.
conf_value() { sed -n "s/^CONFIG_$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "${2:-$headers}/.config"; }

# The tools, as the kernel's Makefile and Kconfig name them in .config.
tool_text() {
	case $1 in
	CC) LC_ALL=C "$cc" --version 2>/dev/null | head -n 1 | tr -d '#' ;;
	RUSTC) "$rustc" --version 2>/dev/null | tr -d '#' ;;
	BINDGEN) "$bindgen" --version workaround-for-0.69.0 2>/dev/null | tr '\n' ' ' | sed 's/ $//' ;;
	esac
}

# generated_files DIR: what the headers ship that kbuild generates, and the
# configuration: the files prove() compares.
generated_files() {
	(cd "$1" && find -L include/generated arch/*/include/generated -type f 2>/dev/null | LC_ALL=C sort
		echo .config
		echo include/config/auto.conf)
}

# prove HEADERS KDIR: KDIR is the kernel of HEADERS, or the script dies
# naming what differs.
prove() {
	local h=$1 k=$2 f t want have n=0 kept=0
	for t in CC RUSTC BINDGEN; do
		want=$(conf_value "${t}_VERSION_TEXT" "$h")
		have=$(conf_value "${t}_VERSION_TEXT" "$k")
		[ "$want" = "$have" ] ||
			die "the kernel was built with $t '$want', but $k was prepared with '$have'"
	done
	while read -r f; do
		if [ -f "$k/$f" ]; then
			same "$f" "$h" "$k"
			n=$((n + 1))
		else
			kept=$((kept + 1))
		fi
	done < <(generated_files "$h")
	[ "$n" -gt 2 ] || die "$h ships no generated headers to compare with $k"
	# Every Rust symbol the kernel exports (Module.symvers) is defined, by
	# that name, by the rebuilt crates: the names carry the crates' hashes,
	# so the same rustc built the same set of crates and exports.
	awk '$2 ~ /^_R/ {print $2}' "$h/Module.symvers" | sort -u >"$k/rust-exports.txt"
	nm --defined-only "$k"/rust/*.o 2>/dev/null | awk '{print $3}' | sort -u >"$k/rust-defined.txt"
	missing=$(comm -23 "$k/rust-exports.txt" "$k/rust-defined.txt" | wc -l)
	exported=$(wc -l <"$k/rust-exports.txt")
	if [ "$exported" = 0 ] || [ "$missing" != 0 ]; then
		comm -23 "$k/rust-exports.txt" "$k/rust-defined.txt" | head -5 >&2
		die "$missing of the kernel's $exported exported Rust symbols are not what rust/ rebuilt in $k defines: not the kernel's crates (rustc, config or source differ)"
	fi
	log "$k is the kernel's: .config and $((n - 2)) generated headers the same, $kept not generated by modules_prepare; CC, RUSTC, BINDGEN as the kernel's; all $exported exported Rust symbols defined"
}

resolve=
case ${1:-} in
--resolve)
	resolve=1
	shift
	;;
--prove)
	[ $# = 3 ] || die "usage: scripts/distro-kdir.sh --prove HEADERS KDIR"
	headers=$2
	prove "$2" "$3"
	exit 0
	;;
esac
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

[ "$(conf_value RUST)" = y ] || die "the kernel $release has no CONFIG_RUST=y: no Rust module can load in it"
[ "$(conf_value MPTCP)" = y ] || die "the kernel $release has no CONFIG_MPTCP=y"

# The headers' package and version; the source package of the same version.
command -v dpkg-query >/dev/null || die "dpkg-query not found: only Debian's packaged kernels are known"
hpkg=$(dpkg-query -S "$headers/.config" 2>/dev/null | cut -d: -f1 | head -1 || :)
[ -n "$hpkg" ] || die "$headers/.config belongs to no installed package: install linux-headers-$release"
version=$(dpkg-query -W -f='${Version}' "$hpkg")
series=$(echo "$release" | cut -d. -f1-2)
spkg=linux-source-$series
# What to run for the source of this kernel; DKMS builds for it again after.
fix="apt-get install $spkg=$version, then build again (DKMS: dkms autoinstall -k $release)"
# (Unpacked is enough: in an upgrade, DKMS may build before apt configures it.)
sver=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$spkg" 2>/dev/null | sed -n 's/^[a-z][iUFWt]. *//p') || :
[ -n "$sver" ] ||
	die "the kernel $release needs $spkg $version (its source: the private MPTCP headers and rust/), which is not installed: $fix"
[ "$sver" = "$version" ] ||
	die "the kernel $release needs $spkg $version (its source: the private MPTCP headers and rust/), but $spkg $sver is installed: $fix"
tarball=/usr/src/$spkg.tar.xz
[ -f "$tarball" ] || die "$tarball missing: apt-get install --reinstall $spkg"

# The kernel's tools, exactly: each as its .config names it.
rustc=${RUSTC:-rustc}
bindgen=${BINDGEN:-bindgen}
cc=$(sed -n 's/^CC = .*\$(CROSS_COMPILE)//p' "$headers/.kernelvariables" 2>/dev/null)
cc=$(sed -n 's/^override CROSS_COMPILE = //p' "$headers/.kernelvariables" 2>/dev/null)${cc:-gcc}
for t in CC RUSTC BINDGEN; do
	want=$(conf_value "${t}_VERSION_TEXT")
	case $t in
	CC) bin=$cc what="the compiler" ;;
	RUSTC) bin=$rustc what="rustc and rust-src" ;;
	BINDGEN) bin=$bindgen what="bindgen" ;;
	esac
	command -v "$bin" >/dev/null ||
		die "the kernel $release was built with '$want': $bin not found (install $what of that version)"
	have=$(tool_text "$t")
	[ "$have" = "$want" ] ||
		die "the kernel $release was built with '$want', but $(command -v "$bin") is '$have': a module must be built by the kernel's $t (give $t=...)"
done
sysroot=$("$rustc" --print sysroot)
[ -d "$sysroot/lib/rustlib/src/rust/library/core" ] ||
	die "no Rust standard library source in $sysroot/lib/rustlib/src: install rust-src (the kernel builds its own core)"
# The libclang bindgen parses the headers with: not in its version text.
libclang=$(ldd "$(command -v "$bindgen")" 2>/dev/null | awk '/libclang/ {print $3}')
libclang_pkg=$([ -n "$libclang" ] && dpkg-query -S "$(readlink -f "$libclang")" 2>/dev/null | cut -d: -f1 | head -1 || :)
libclang_ver=$([ -n "$libclang_pkg" ] && dpkg-query -W -f='${Package} ${Version}' "$libclang_pkg" || echo "${libclang:-none}")

# The cache key: everything that shapes the tree.  The tree is made in a
# clean environment (kmake), so nothing else reaches it.
recipe="linux-source + headers .config + modules_prepare + headers Module.symvers v2"
key=$({
	echo "$hpkg $version $spkg $sver $recipe"
	sha256sum "$here/distro-kdir.sh" "$here/distro-kdir.allow" | cut -d' ' -f1
	(cd "$headers" && generated_files . | xargs -d '\n' sha256sum 2>/dev/null)
	for t in CC RUSTC BINDGEN; do tool_text "$t"; done
	echo "$libclang_ver"
	make --version | head -1
} | sha256sum | cut -c1-12)
kdir=$CACHE_DIR/build/distro-$release-$key
if [ -f "$kdir/.done" ]; then
	prove "$headers" "$kdir"
	echo "$kdir"
	exit 0
fi
mkdir -p "$CACHE_DIR/build"
exec 9>"$CACHE_DIR/build.lock"
flock 9
if [ -f "$kdir/.done" ]; then
	prove "$headers" "$kdir"
	echo "$kdir"
	exit 0
fi
start=$SECONDS
# The packages as Debian shipped them (md5sums of their files).
for p in "$hpkg" "$spkg"; do
	bad=$(dpkg --verify "$p" 2>&1 | grep -v ' c /' | head -3) || :
	[ -z "$bad" ] || die "files of $p differ from the package: $bad (apt-get install --reinstall $p)"
done
log "preparing $kdir for $release from $spkg $sver (a few minutes, once)"
rm -rf "$kdir"
mkdir -p "$kdir"
tar -C "$kdir" -xf "$tarball" --strip-components=1
cp "$headers/.config" "$kdir/.config"
# CC, CROSS_COMPILE and KERNELRELEASE as Debian built the kernel.
[ -f "$headers/.kernelvariables" ] && cp "$headers/.kernelvariables" "$kdir/"
# Nothing of the caller's environment (MAKEFLAGS of an outer make with
# LLVM=1 on its command line, CROSS_COMPILE, KCFLAGS, ...) shapes the tree;
# what Debian's kernel build sets does (the build's user and host in
# compile.h, the package in package.h), so that those files match too.
kmake() {
	env -i PATH="$PATH" HOME="${HOME:-/}" LANG=C.UTF-8 \
		KBUILD_BUILD_USER=debian-kernel KBUILD_BUILD_HOST=lists.debian.org \
		DISTRIBUTION_OFFICIAL_BUILD=1 DISTRIBUTOR=Debian DISTRIBUTION_VERSION="$version" \
		make -C "$kdir" RUSTC="$rustc" BINDGEN="$bindgen" "$@"
}
kmake -s olddefconfig >"$kdir/olddefconfig.log" 2>&1 ||
	{ cat "$kdir/olddefconfig.log" >&2; die "make olddefconfig failed in $kdir"; }
# Options Kconfig derives from this machine's tools (what its OpenSSL can
# sign with, the versions of the compilers): stop here, before the build.
same .config "$headers" "$kdir"
if ! kmake -j"$(nproc)" modules_prepare >"$kdir/prepare.log" 2>&1; then
	tail -30 "$kdir/prepare.log" >&2
	die "make modules_prepare failed, full log: $kdir/prepare.log"
fi
cp "$headers/Module.symvers" "$kdir/Module.symvers"
# The headers' BTF-only vmlinux: kbuild generates the module's BTF from it.
[ -f "$headers/vmlinux" ] && cp "$headers/vmlinux" "$kdir/vmlinux"
prove "$headers" "$kdir"
log "prepared in $((SECONDS - start)) s"
echo "$headers" >"$kdir/.rst_ext_headers"
touch "$kdir/.done"
for old in "$CACHE_DIR/build/distro-$release-"*; do
	[ "$old" = "$kdir" ] || rm -rf "$old"
done
echo "$kdir"
