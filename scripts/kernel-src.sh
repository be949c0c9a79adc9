#!/usr/bin/env bash
# The kernel source tree of a supported kernel, from Debian's packages only.
#   scripts/kernel-src.sh KERNEL     prints "VERSION DIR": the package version and
#                                    the extracted tree (cached under $CACHE_DIR/src)
# 6.12: linux-source-6.12, installed by scripts/setup.sh (bookworm).
# 7.3:  linux-source-7.3 of trixie-backports, downloaded into the cache with a
#       private apt configuration: the machine's sources and installed
#       packages stay as they are (linux-source-* only holds a tarball).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/env.sh
. "$here/env.sh"

kernel=${1:?usage: kernel-src.sh KERNEL}
log() { echo "kernel-src: $*" >&2; }
die() { echo "kernel-src: error: $*" >&2; exit 1; }

pkg=$(rst_ext_kernel_field "$kernel" package) || exit 2
suite=$(rst_ext_kernel_field "$kernel" suite)
mkdir -p "$CACHE_DIR/src"

if [ "$suite" = installed ]; then
	srcver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
		die "$pkg is not installed: apt-get install $pkg (or run scripts/setup.sh)"
	tarball=/usr/src/$pkg.tar.xz
	[ -f "$tarball" ] || die "$tarball missing: apt-get install --reinstall $pkg"
else
	mirror=$(rst_ext_debian_mirror)
	[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*"
	apt_dir=$CACHE_DIR/apt/$suite
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		>"$apt_dir/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/debs"
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
	# The newest version the suite has; the lists are refreshed once a day.
	if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		log "reading $suite's package list"
		apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
			{ cat "$apt_dir/update.log" >&2; die "apt-get update of $suite failed"; }
	fi
	srcver=$(apt-cache "${apt_opts[@]}" show "$pkg" 2>/dev/null |
		awk '/^Version:/ {print $2}' | sort -V | tail -1)
	[ -n "$srcver" ] || die "$pkg not found in $suite ($mirror)"
	tarball=$apt_dir/$pkg-$srcver.tar.xz
	if [ ! -f "$tarball" ]; then
		log "downloading $pkg $srcver from $suite"
		(cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download "$pkg=$srcver") ||
			die "apt-get download $pkg=$srcver failed"
		debs=("$apt_dir/debs/${pkg}_${srcver//:/%3a}_"*.deb)
		deb=${debs[0]}
		[ -f "$deb" ] || deb=$(ls -t "$apt_dir/debs/${pkg}_"*.deb | head -1)
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" >"$tarball.tmp"
		mv "$tarball.tmp" "$tarball"
		rm -f "$deb"
	fi
fi

src=$CACHE_DIR/src/$pkg-$srcver
if [ ! -f "$src/.extracted" ]; then
	exec 7>"$CACHE_DIR/src.lock"
	flock 7
fi
if [ ! -f "$src/.extracted" ]; then
	log "extracting $tarball ($srcver)"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$tarball"
	mv "$src.tmp/$pkg" "$src"
	rmdir "$src.tmp"
	touch "$src/.extracted"
fi
echo "$srcver $src"
