#!/usr/bin/env bash
# A distribution's own kernel as a test kernel (RST_EXT_DISTRO_KERNELS in
# scripts/env.sh, e.g. debian-7.3): the Debian release it is built for, as
# a root on this machine, where the module is built as on that release.
#   scripts/distro.sh kdir KERNEL
#       the root (debootstrap of the release, with the kernel's headers,
#       source and toolchain from its suites), the kernel's image and modules
#       unpacked, and scripts/distro-kdir.sh run in the root; prints the KDIR
#       (under $CACHE_DIR, the same path inside and outside the root), whose
#       .rst_ext_boot names the vmlinuz scripts/vm.sh boots
#   scripts/distro.sh run KERNEL CMD [ARG...]
#       CMD in the root, with this checkout and $CACHE_DIR at their paths
# Debian only (debootstrap); the packages come from Debian's mirror as this
# machine's sources name it.  Cached: the root is refreshed once a day and
# follows the suite's newest kernel of the series.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"
log() { echo "distro: $*" >&2; }
die() { echo "distro: error: $*" >&2; exit 1; }

action=${1:-}
kernel=${2:-}
[ -n "$kernel" ] || die "usage: scripts/distro.sh kdir|run KERNEL [CMD...]"
shift 2
read -r suite ksuite series < <(rst_ext_distro_field "$kernel") ||
	die "$kernel is not a distribution kernel (scripts/env.sh: RST_EXT_DISTRO_KERNELS)"
[ "$(id -u)" = 0 ] || die "a root for $kernel needs root (chroot, mount)"
droot=$CACHE_DIR/distro/$suite
root=$droot/root

# in_root CMD...: CMD chrooted in $root, in a mount namespace of its own (its
# mounts end with it): /proc, /dev, this checkout and $CACHE_DIR bound in.
in_root() {
	unshare -m --propagation private -- /bin/sh -ec '
		root=$1 repo=$2 cache=$3
		shift 3
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		for d in "$repo" "$cache"; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
			HOME=/root LANG=C.UTF-8 MPTCP_RST_EXT_CACHE="$cache" CI="${CI:-}" \
			/bin/sh -c "cd \"\$1\" 2>/dev/null || cd /; shift; exec \"\$@\"" sh "$PWD" "$@"
	' sh "$root" "$repo" "$CACHE_DIR" "$@"
}

# The packages the root needs, besides the kernel's own: its toolchain and
# what its kbuild and DKMS run.
root_pkgs=rustc,rust-src,rust-clippy,bindgen,gcc-14,make,bc,bison,flex,libelf-dev,libssl-dev,libdw-dev,openssl,python3,kmod,dwarves,xz-utils,cpio,dkms,libclang-common-19-dev,cargo,git
recipe="debootstrap minbase $root_pkgs v1"

make_root() {
	if [ -f "$root/.done" ] && [ "$(cat "$root/.done")" = "$recipe" ]; then
		[ -n "$(find "$root/.done" -mtime -1)" ] && return 0
		log "refreshing $suite's package lists in $root"
		in_root sh -c 'apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq -y upgrade' \
			>"$droot/upgrade.log" 2>&1 || { tail "$droot/upgrade.log" >&2; die "apt-get upgrade in $root failed"; }
		touch "$root/.done"
		return 0
	fi
	command -v debootstrap >/dev/null || die "debootstrap not found: apt-get install debootstrap (scripts/setup.sh does it)"
	local m start=$SECONDS
	m=$(rst_ext_debian_mirror)
	[ -n "$m" ] || die "no Debian mirror in /etc/apt/sources.list*"
	log "making a Debian $suite root in $root (debootstrap from $m, about 2 min once)"
	rm -rf "$root"
	mkdir -p "$droot"
	debootstrap --variant=minbase --include="$root_pkgs" "$suite" "$root" "$m" >"$droot/debootstrap.log" 2>&1 ||
		{ tail -20 "$droot/debootstrap.log" >&2; die "debootstrap $suite failed, log: $droot/debootstrap.log"; }
	echo "deb $m $ksuite main" >"$root/etc/apt/sources.list.d/$ksuite.list"
	in_root apt-get -qq update >"$droot/update.log" 2>&1 || { tail "$droot/update.log" >&2; die "apt-get update in $root failed"; }
	echo "$recipe" >"$root/.done"
	log "root made in $((SECONDS - start)) s"
}

case $action in
run)
	make_root
	in_root "$@"
	;;
kdir)
	make_root
	# The suite's newest kernel of the series: its source's version, then the
	# headers and image packages of that version.
	version=$(in_root apt-cache madison "linux-source-$series" | awk -v s="$ksuite" '$0 ~ s {print $3}' |
		sort -V | tail -1)
	[ -n "$version" ] || die "no linux-source-$series in $ksuite"
	hpkg=$(in_root apt-cache search --names-only "^linux-headers-$series\.[0-9]+\+[a-z0-9]+-amd64\$" |
		awk '{print $1}' | while read -r p; do
			in_root apt-cache madison "$p" | awk -v v="$version" -v p="$p" '$3 == v {print p; exit}'
		done | head -1)
	[ -n "$hpkg" ] || die "no linux-headers-$series.*-amd64 of version $version in $ksuite"
	release=${hpkg#linux-headers-}
	if [ "$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Version}\n' "$hpkg" "linux-source-$series" 2>/dev/null |
		grep -cxF "ii $version")" != 2 ]; then
		log "installing $hpkg and linux-source-$series $version in the root"
		in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends install \
			"$hpkg=$version" "linux-source-$series=$version" >"$droot/install.log" 2>&1 ||
			{ tail "$droot/install.log" >&2; die "apt-get install $hpkg in $root failed"; }
	fi
	# The image and its modules, unpacked (not installed: no initramfs, no
	# boot loader): scripts/vm.sh boots its vmlinuz with virtme-ng, which
	# loads the modules from its tree.
	image=$droot/image-$release-$version
	if [ ! -f "$image/.done" ]; then
		log "unpacking the $release image and modules ($version)"
		rm -rf "$image"
		mkdir -p "$image/debs"
		(cd "$image/debs" && in_root apt-get -qq -o APT::Sandbox::User=root download "linux-base-$release=$version" \
			"linux-binary-$release=$version" "linux-modules-$release=$version") ||
			die "apt-get download of the $release image failed"
		for d in "$image"/debs/*.deb; do
			dpkg-deb -x "$d" "$image/root"
		done
		rm -rf "$image/debs"
		[ -f "$image/root/usr/lib/modules/$release/vmlinuz" ] || die "no vmlinuz in the $release packages"
		touch "$image/.done"
		for old in "$droot"/image-*; do
			[ "$old" = "$image" ] || rm -rf "$old"
		done
	fi
	kdir=$(in_root "$here/distro-kdir.sh" "/usr/src/$hpkg") || die "scripts/distro-kdir.sh failed for $release"
	echo "$image/root/usr/lib/modules/$release/vmlinuz" >"$kdir/.rst_ext_boot"
	echo "$kdir"
	;;
*) die "usage: scripts/distro.sh kdir|run KERNEL [CMD...]" ;;
esac
