#!/usr/bin/env bash
# DKMS as Documentation/install.rst shows it ("DKMS under a staging root"),
# for make check: Debian's dkms builds and installs the module for a test
# kernel under STAGE instead of /usr/src, /var/lib/dkms and /lib/modules;
# the VM then loads it with modprobe -d STAGE (selftests/mptcp_rst_ext.sh).
#   scripts/dkms.sh install KDIR STAGE   add, build, install, depmod -b
#   scripts/dkms.sh remove KDIR STAGE    remove, then check nothing is left
# The sources are the checkout's HEAD (git archive), as install.rst has it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
action=$1 KDIR=$2 stage=$3
command -v dkms >/dev/null || { echo "dkms: not installed: apt-get install dkms (scripts/setup.sh does it)" >&2; exit 2; }
dkms --version

# --- the commands of Documentation/install.rst, "DKMS under a staging root" ---
v=$(cat "$repo/VERSION")
rel=$(make -s -C "$KDIR" kernelrelease)
opts=(--sourcetree "$stage/usr/src" --dkmstree "$stage/var/lib/dkms" --installtree "$stage/lib/modules")
case $action in
install)
	rm -rf "$stage"
	mkdir -p "$stage/usr/src/mptcp_rst_ext-$v" "$stage/var/lib/dkms" "$stage/lib/modules/$rel"
	git -C "$repo" archive HEAD | tar -x -C "$stage/usr/src/mptcp_rst_ext-$v"
	dkms add mptcp_rst_ext/"$v" "${opts[@]}"
	dkms install mptcp_rst_ext/"$v" -k "$rel" --kernelsourcedir "$KDIR" --no-depmod "${opts[@]}"
	depmod -b "$stage" "$rel"
	dkms status mptcp_rst_ext "${opts[@]}"
	# ---
	ko=$stage/lib/modules/$rel/updates/dkms/mptcp_rst_ext.ko
	[ -f "$ko" ] || { echo "dkms: $ko not installed" >&2; exit 1; }
	grep -q "^updates/dkms/mptcp_rst_ext.ko:" "$stage/lib/modules/$rel/modules.dep" ||
		{ echo "dkms: depmod -b did not index $ko" >&2; exit 1; }
	[ "$(modinfo -F version "$ko")" = "$v" ] || { echo "dkms: $ko is not version $v" >&2; exit 1; }
	echo "dkms: installed $ko ($v, for $rel)"
	;;
remove)
	dkms remove mptcp_rst_ext/"$v" --all --no-depmod "${opts[@]}"
	depmod -b "$stage" "$rel"
	rm -rf "$stage/usr/src/mptcp_rst_ext-$v"
	# ---
	left=$(find "$stage/var/lib/dkms" "$stage/lib/modules/$rel" -name 'mptcp_rst_ext*' 2>/dev/null)
	grep -s mptcp_rst_ext "$stage/lib/modules/$rel/modules.dep" && left+=" modules.dep"
	[ -z "$left" ] || { echo "dkms: left behind after remove: $left" >&2; exit 1; }
	[ -z "$(dkms status mptcp_rst_ext "${opts[@]}")" ] || { echo "dkms: dkms status still lists it" >&2; exit 1; }
	echo "dkms: removed, nothing left"
	;;
*) echo "dkms: unknown action $action (install, remove)" >&2; exit 2 ;;
esac
