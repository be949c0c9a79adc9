#!/usr/bin/env bash
# make demo: set-up, test kernel, module, then boot a VM that loads the
# module, provokes real MPTCP resets and prints the counters with nstat.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"
#   scripts/demo.sh [KERNEL] [normal|debug|gcc]
rst_ext_parse_target normal "$@"
"$here/setup.sh"
kdir=$("$here/kernel.sh" "$kernel" "$variant")
ko=$("$here/module.sh" "$kernel" "$variant")
out=$repo/out/$target/demo
mkdir -p "$out"
"$CARGO" run -q --manifest-path "$repo/rust/host/Cargo.toml" --bin counters >"$out/counters.tsv"
rc=0
"$here/vm.sh" "$kdir" "$out/vm" --timeout 600 -- \
	env RST_EXT_KO="$ko" RST_EXT_COUNTERS="$out/counters.tsv" "$repo/selftests/demo.sh" || rc=$?
cat "$out/vm/guest.log"
exit $rc
