#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints the version of mptcp_rst_ext, the one definition used by Kbuild,
# scripts/module.sh and the documentation (modinfo, /sys/module/.../version):
#   scripts/version.sh [DIR]        DIR: the source tree (default: this repository)
#
# In a git checkout whose top is DIR: `git describe --tags --always --dirty`,
# its leading "v" dropped (tag v0.2.0 -> 0.2.0, then 0.2.0-3-g<sha>[-dirty]).
# With no tag yet, VERSION is the base: 0.1.0-g<sha>[-dirty].
# Anywhere else (a release or DKMS tarball, a copy of the sources): the
# content of DIR/VERSION.  POSIX sh: Kbuild runs it.
dir=$(cd "${1:-$(dirname "$0")/..}" && pwd -P) || exit 1
base=$(cat "$dir/VERSION") || exit 1
# `sudo make install` in a user's checkout: root already runs this tree's
# Makefile, so trusting its git config too adds nothing (safe.directory); and
# no index refresh, which would leave a root-owned .git/index behind.
export GIT_OPTIONAL_LOCKS=0
g() { git -c safe.directory="$dir" -C "$dir" "$@" 2>/dev/null; }
if [ "$(g rev-parse --show-toplevel)" = "$dir" ]; then
	if v=$(g describe --tags --dirty); then
		echo "${v#v}"
		exit 0
	fi
	if v=$(g describe --always --dirty); then
		echo "$base-g$v"
		exit 0
	fi
fi
echo "$base"
