#!/usr/bin/env bash
# Tests of scripts/distro-kdir.sh's proof that a prepared tree is the
# kernel's, run where the tree was prepared (make check: in the root of the
# distribution kernel's release).  TAP on stdout, one line a case:
#   scripts/distro-kdir-test.sh HEADERS KDIR
# Each case changes one thing in a copy of the headers (or names another
# tool) and requires the preparation to stop, naming what differs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# = 2 ] || { echo "usage: scripts/distro-kdir-test.sh HEADERS KDIR" >&2; exit 2; }
headers=$(cd "$1" && pwd -P) kdir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=scripts/tap.sh
. "$here/tap.sh"

# stops NAME WORD... -- CMD...: CMD fails, and its last line names every WORD.
stops() {
	local name=$1 words=() w msg
	shift
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	if msg=$("$@" 2>&1 >/dev/null); then
		tap fail "$name" "it went on"
		return
	fi
	msg=$(echo "$msg" | tail -n 1)
	for w in "${words[@]}"; do
		[[ $msg == *"$w"* ]] || { tap fail "$name" "'$w' not in: $msg"; return; }
	done
	tap ok "$name"
}

# copy: the headers directory, as it is, in a fresh directory (its links to
# the kbuild package, which the proof does not read, left dangling).
copy() {
	rm -rf "$tmp/h"
	cp -a "$headers" "$tmp/h"
}

echo "TAP version 13"
echo "1..9"
if "$here/distro-kdir.sh" --prove "$headers" "$kdir" 2>"$tmp/log"; then
	tap ok "the prepared tree is the kernel's: $(sed -n 's/^distro-kdir: [^ ]* is the kernel.s: //p' "$tmp/log")"
else
	tap fail "the prepared tree is the kernel's" "$(tail -n 1 "$tmp/log")"
fi

# One line changed in a copy of the headers: the proof names the file and it.
copy
sed -i 's/^CONFIG_MPTCP_IPV6=y$/# CONFIG_MPTCP_IPV6 is not set/' "$tmp/h/.config"
stops "an option flipped in the headers' .config stops it, naming the option" \
	.config CONFIG_MPTCP_IPV6 -- "$here/distro-kdir.sh" --prove "$tmp/h" "$kdir"
# A value changed: autoconf.h's and asm-offsets.h's first number (an option's
# value, a structure's offset), rustc_cfg's first option renamed.
for f in include/generated/autoconf.h include/generated/rustc_cfg include/generated/asm-offsets.h; do
	copy
	awk '!done && /^#define [A-Za-z0-9_]+ [0-9]+/ { $3 += 8; done = 1 }
		!done && /^--cfg=CONFIG_/ { sub(/^--cfg=CONFIG_/, "--cfg=CONFIG_X"); done = 1 }
		{ print } END { if (!done) exit 1 }' "$headers/$f" >"$tmp/h/$f" || { tap fail "$f: no line to change"; continue; }
	line=$(diff "$headers/$f" "$tmp/h/$f" | sed -n 's/^> //p')
	stops "a line changed in the headers' $f ($line) stops it, naming the line" \
		"$f" "\"$line\"" -- "$here/distro-kdir.sh" --prove "$tmp/h" "$kdir"
done

# Another tool than the kernel's stops the preparation before it starts,
# naming both versions.
want=$(sed -n 's/^CONFIG_BINDGEN_VERSION_TEXT="\(.*\)"$/\1/p' "$headers/.config")
printf '#!/bin/sh\necho "bindgen 0.60.1"\n' >"$tmp/bindgen"
chmod +x "$tmp/bindgen"
stops "another bindgen (bindgen 0.60.1) stops it, naming both versions" \
	"'$want'" "'bindgen 0.60.1'" -- env BINDGEN="$tmp/bindgen" "$here/distro-kdir.sh" "$headers"
want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$headers/.config")
cc=$(sed -n 's/^override CROSS_COMPILE = //p' "$headers/.kernelvariables")$(sed -n 's/^CC = .*\$(CROSS_COMPILE)//p' "$headers/.kernelvariables")
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "%s (Debian 14.1.0-1) 14.1.0"\n' "$cc" >"$tmp/bin/$cc"
chmod +x "$tmp/bin/$cc"
stops "another $cc stops it, naming both versions" \
	"'$want'" "'$cc (Debian 14.1.0-1) 14.1.0'" -- env PATH="$tmp/bin:$PATH" "$here/distro-kdir.sh" "$headers"

# The source package of another version: the message says what to install.
release=$(cat "$headers/include/config/kernel.release")
series=$(echo "$release" | cut -d. -f1-2)
version=$(dpkg-query -W -f='${Version}' "$(dpkg-query -S "$headers/.config" | cut -d: -f1)")
printf '#!/bin/sh\ncase "$*" in *linux-source-*) echo "ii 1.0-0";; *) exec /usr/bin/dpkg-query "$@";; esac\n' \
	>"$tmp/bin/dpkg-query"
chmod +x "$tmp/bin/dpkg-query"
rm -f "$tmp/bin/$cc"
stops "linux-source-$series of another version stops it, naming the command to install the kernel's" \
	"apt-get install linux-source-$series=$version" "dkms autoinstall -k $release" -- \
	env PATH="$tmp/bin:$PATH" "$here/distro-kdir.sh" "$headers"
# The same through DKMS, as an upgrade's autoinstall builds it: DKMS points
# to make.log, whose last line has the command.
stage=$tmp/dkms
if out=$(env PATH="$tmp/bin:$PATH" "$here/dkms.sh" install "$headers" "$stage" 2>&1); then
	tap fail "DKMS's build for it fails, make.log naming the command" "it built"
else
	mlog=$(find "$stage/var/lib/dkms/mptcp_rst_ext" -path '*/build/make.log' | head -1)
	if [[ $out != *"Consult "*make.log* ]] || [ -z "$mlog" ]; then
		tap fail "DKMS's build for it fails, make.log naming the command" "no make.log named: $(echo "$out" | tail -n 2)"
	elif ! tail -n 8 "$mlog" | grep -qF "apt-get install linux-source-$series=$version, then build again (DKMS: dkms autoinstall -k $release)"; then
		tap fail "DKMS's build for it fails, make.log naming the command" "not at the end of $mlog"
	else
		tap ok "DKMS's build for it fails, make.log naming the command"
	fi
fi
exit $((tap_failed > 0))
