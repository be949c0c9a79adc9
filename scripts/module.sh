#!/usr/bin/env bash
# Build mptcp_rst_ext.ko against the project's test kernel.
#   scripts/module.sh [KERNEL] [normal|debug|gcc] [extra kbuild args, e.g. CLIPPY=1]
# Builds a copy of the sources in out/<kernel>-<variant>/module (so the test
# kernels' modules coexist) and prints the path of the .ko on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"
rst_ext_parse_target normal "$@"

kdir=$("$here/kernel.sh" "$kernel" "$variant")
# A distribution kernel's module is built in its release's root
# (scripts/distro.sh), by the toolchain check-kdir.sh finds there.
kmake=(make) flags=("${KMAKE_FLAGS[@]}")
if rst_ext_distro_field "$kernel" >/dev/null; then
	kmake=("$here/distro.sh" run "$kernel" make)
	read -ra flags < <("$here/distro.sh" run "$kernel" "$here/check-kdir.sh" "$kdir")
else
	"$here/check-kdir.sh" "$kdir" >/dev/null
fi
dst=$repo/out/$target/module
mkdir -p "$dst/rust"
cp -p "$repo/Kbuild" "$repo/VERSION" "$dst/"
# The sources only: not a shim_generated.rs a build in the checkout left.
for f in "$repo"/rust/*.rs "$repo"/rust/*.c "$repo"/rust/*.h; do
	[ "${f##*/}" = shim_generated.rs ] || cp -p "$f" "$dst/rust/"
done
version=$("$here/version.sh" "$repo")
if ! "${kmake[@]}" -C "$kdir" M="$dst" "${flags[@]}" RST_EXT_VERSION="$version" "${rest[@]}" modules >"$dst/build.log" 2>&1; then
	grep -vE '^make(\[[0-9]+\])?: ' "$dst/build.log" | tail -40 >&2
	echo "module: build failed, full log: $dst/build.log" >&2
	exit 1
fi
if grep -E '^(warning|error)|: warning:' "$dst/build.log" >&2; then
	echo "module: the build has warnings (see above), full log: $dst/build.log" >&2
	exit 1
fi
echo "$dst/mptcp_rst_ext.ko"
