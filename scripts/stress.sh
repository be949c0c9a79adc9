#!/usr/bin/env bash
# make stress: the reliability selftests (selftests/mptcp_rst_ext_stress.sh)
# in one VM boot.
#   scripts/stress.sh [--ci] [KERNEL] [normal|debug|gcc]     (default: debug)
# --ci, or STRESS_CI=1: the smaller sizes CI runs (about 5 minutes on the
# normal kernel under TCG); STRESS_* variables given in the environment win
# over both sizes (see selftests/mptcp_rst_ext_stress.sh).  STRESS_TESTS="netns fuzz"
# runs only those tests (the full sizes on the debug kernel take hours: one
# boot per test keeps each result whole).  Results in out/<kernel>-<variant>/stress/
# (guest.log is the TAP, console.log, splats.txt, kmemleak.txt) and
# out/<kernel>-<variant>/stress.tap; with STRESS_TESTS, in stress-<tests>/ and
# stress-<tests>.tap.
# Exit status: the selftest's, or 1 on a splat, a leak or the timeout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

ci=${STRESS_CI:-0}
rst_ext_parse_target debug "$@"
for a in "${rest[@]}"; do
	case $a in
	--ci) ci=1 ;;
	*) echo "stress: unknown argument '$a' ([--ci] [KERNEL] [normal|debug|gcc])" >&2; exit 2 ;;
	esac
done

# The sizes are the selftest's (full, or CI's with STRESS_CI=1); STRESS_*
# variables of the environment are passed on and win over them.
sizes=("STRESS_CI=$ci")
for v in STRESS_CYCLES STRESS_NETNS STRESS_FUZZ STRESS_FLOOD STRESS_GENERATORS STRESS_TIME_LIMIT \
	STRESS_READERS STRESS_READS STRESS_TESTS; do
	[ -n "${!v:-}" ] && sizes+=("$v=${!v}")
done
timeout=${STRESS_VM_TIMEOUT:-$([ "$ci" = 1 ] && echo 1200 || echo 36000)}

kdir=$("$here/kernel.sh" "$kernel" "$variant")
ko=$("$here/module.sh" "$kernel" "$variant")
mkdir -p "$repo/out/$target"
"$CARGO" run -q --manifest-path "$repo/rust/host/Cargo.toml" --bin counters >"$repo/out/counters.tsv"
name=stress
[ -n "${STRESS_TESTS:-}" ] && name=stress-$(echo "$STRESS_TESTS" | tr -s ' ' -)
out=$repo/out/$target/$name
expect=()
rst_ext_stress_warn "$kernel"
[[ " ${STRESS_TESTS:-fuzz} " == *" fuzz "* ]] && expect=("${STRESS_EXPECT_WARN[@]}")
echo "stress: $target kernel, ${sizes[*]}, VM timeout ${timeout}s" >&2
rc=0
start=$SECONDS
"$here/vm.sh" "$kdir" "$out" --timeout "$timeout" "${expect[@]}" -- \
	env RST_EXT_KO="$ko" RST_EXT_COUNTERS="$repo/out/counters.tsv" STRESS_WARN_AT="$STRESS_WARN_AT" "${sizes[@]}" \
	"$repo/selftests/mptcp_rst_ext_stress.sh" || rc=$?
tap=$repo/out/$target/$name.tap
cp "$out/guest.log" "$tap" 2>/dev/null || : >"$tap"
cat "$tap"
echo "stress: $target: exit $rc in $((SECONDS - start)) s (out/$target/$name/)" >&2
exit $rc
