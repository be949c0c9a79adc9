#!/usr/bin/env bash
# The kernel's own MPTCP selftests, with mptcp_rst_ext loaded, in one VM.
#   scripts/upstream.sh [--subset reset|ci|full|TEST,...|SCRIPT:ARG[:ARG...],...] [--no-module] [KERNEL] [normal|debug]
# Builds the selftests' helpers (mptcp_connect, pm_nl_ctl, mptcp_sockopt,
# mptcp_inq) from the same linux-source-<KERNEL> tree as the test kernel, once,
# into $CACHE_DIR/build/selftests-<kernel>-<key>; builds the module; boots one VM that
# runs selftests/upstream.sh; then writes, like the MPTCP CI,
#   out/KERNEL-VARIANT/upstream/SUBSET[-no-module]/
#     selftest_*.tap, selftest_*_subtests.tap, rst_ext_*.tap   one TAP file per test
#     summary.txt      all ok/not ok lines, counts, times, failures, splats
#     conclusion.txt   one line: Success | Unstable: N failed ... | Critical: ...
#     console.log, guest.log, splats.txt, kmemleak.txt           (scripts/vm.sh)
# The subsets are defined in selftests/upstream.sh (--list SUBSET shows one).
# Exit status: 0 on success, 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

log() { echo "upstream: $*" >&2; }
die() { echo "upstream: error: $*" >&2; exit 2; }

subset=ci no_module=
rst_ext_parse_target normal "$@"
set -- "${rest[@]}"
while [ $# -gt 0 ]; do
	case $1 in
	--subset) subset=${2:?--subset needs a value}; shift 2 ;;
	--subset=*) subset=${1#*=}; shift ;;
	--no-module) no_module=1; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
runner=$repo/selftests/upstream.sh
tests_list=$("$runner" --list "$subset") || exit 2

# --- the selftests' helpers ---------------------------------------------------
# The kernel's own kselftest install tree of net/mptcp (built once, cached).
kdir=$("$here/kernel.sh" "$kernel" "$variant")
read -r srcver _ < <("$here/kernel-src.sh" "$kernel")
ksft_run=$("$here/kselftest.sh" build "$kernel")
log "selftests: $ksft_run"

# --- the module ---------------------------------------------------------------
ko=
if [ -z "$no_module" ]; then
	ko=$("$here/module.sh" "$kernel" "$variant")
fi

# --- the VM -------------------------------------------------------------------
name=${subset//,/+}
name=${name//.sh/}
# No ':' in a path given to virtme-ng (--rwdir splits on it).
name=${name//:/_}
out=$repo/out/$target/upstream/$name${no_module:+-no-module}
rm -rf "$out"
mkdir -p "$out"
scale=1
[ "$variant" = debug ] && scale=3
# Every test's timeout (+ 30 s for timeout's kill), boot and the module's checks.
vm_timeout=$(awk -v s="$scale" '{t += $1 * s + 30} END {print t + 600}' <<<"$tests_list")
log "$target kernel, subset $subset, $([ -n "$no_module" ] && echo "without the module" || echo "with $ko")"
log "running in one VM (timeout ${vm_timeout}s), results in $out"
start=$SECONDS
set +e
"$here/vm.sh" "$kdir" "$out" --timeout "$vm_timeout" -- \
	env RST_EXT_KO="$ko" ${SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES:+SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=$SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES} \
	"$runner" --tests "$ksft_run" --results "$out" --timeout-scale "$scale" ${no_module:+--no-module} "$subset"
vm_rc=$?
elapsed=$((SECONDS - start))

# --- summary, as the MPTCP CI's analyze() -------------------------------------
# (a grep finding nothing is no error here)
set +e
names=()
[ -n "$no_module" ] || names+=(rst_ext_insmod)
while read -r _ name _; do
	names+=("selftest_$name")
done <<<"$tests_list"
[ -n "$no_module" ] || names+=(rst_ext_selfcheck rst_ext_rmmod)

summary=$out/summary.txt
ok=0 nok=0 skip=0 sub_ok=0 sub_nok=0 sub_skip=0
failed=()
ref=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
{
	echo "== Summary =="
	echo
	echo "Ref: $ref"
	echo "Mode: $target ($(basename "$kdir")), linux-source-$kernel $srcver"
	echo "Subset: $subset; module: $([ -n "$no_module" ] && echo "not loaded (baseline)" || echo "mptcp_rst_ext loaded")"
	echo "SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=${SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES:-1}"
	echo "Tests:"
	awk '{t = $1; n = $2; $1 = $2 = ""; sub(/^ +/, ""); printf "  selftest_%-28s ./%s (timeout %ss)\n", n, $0, t}' <<<"$tests_list"
	echo
	echo "All tests:"
} >"$summary"
times=()
for n in "${names[@]}"; do
	tap=$out/$n.tap
	line=$(grep -aE '^(not )?ok 1 test: ' "$tap" 2>/dev/null | head -1)
	[ -n "$line" ] || line="not ok 1 test: $n # no result (the VM stopped before it?)"
	echo "$line" >>"$summary"
	case $line in
	'not ok'*) nok=$((nok + 1)); failed+=("$n") ;;
	*'# SKIP'*) skip=$((skip + 1)) ;;
	*) ok=$((ok + 1)) ;;
	esac
	t=$(grep -aoE '^# time=[0-9]+' "$tap" 2>/dev/null | tail -1)
	sub=$out/${n}_subtests.tap
	if [ -f "$sub" ]; then
		so=$(grep -aE '^ok [0-9]+ ' "$sub" | grep -vc '# SKIP' || true)
		ss=$(grep -aE '^ok [0-9]+ ' "$sub" | grep -c '# SKIP' || true)
		sn=$(grep -acE '^not ok [0-9]+ ' "$sub" || true)
		sub_ok=$((sub_ok + so)) sub_nok=$((sub_nok + sn)) sub_skip=$((sub_skip + ss))
		times+=("$(printf '%-36s %6ss   subtests: %d ok, %d not ok, %d skip' "$n" "${t#*=}" "$so" "$sn" "$ss")")
	else
		times+=("$(printf '%-36s %6ss' "$n" "${t#*=}")")
	fi
done
{
	echo
	echo "Totals: $ok ok, $nok not ok, $skip skipped; subtests: $sub_ok ok, $sub_nok not ok, $sub_skip skipped"
	echo
	echo "Wall time per test (TCG unless KVM works here; whole VM run: ${elapsed}s):"
	printf '  %s\n' "${times[@]}"
	if [ ${#failed[@]} -gt 0 ]; then
		echo
		echo "=========================================="
		echo "Failed tests:"
		for n in "${failed[@]}"; do
			echo "=========================================="
			echo "- $n:"
			grep -as '^not ok' "$out/${n}_subtests.tap"
			grep -asv '^ok [0-9]' "$out/$n.tap" | grep -aiE 'fail|error|not ok|skip|missing|timeout' | head -40
		done
		echo "=========================================="
	fi
} >>"$summary"

# Critical issues: what scripts/vm.sh found on the console and in kmemleak.
critical=()
if [ -s "$out/splats.txt" ]; then
	critical+=("$(grep -ac 'Call Trace:' "$out/splats.txt" || true) Call Trace(s), $(wc -l <"$out/splats.txt") splat line(s)")
	{
		echo
		echo "=========================================="
		echo "Call Trace / splats (console.log):"
		echo "=========================================="
		grep -a -B5 -A40 -E 'Call Trace:|BUG:|WARNING:|UBSAN:|KASAN:|general protection fault|Kernel panic' "$out/console.log" | head -300
	} >>"$summary"
fi
if [ -s "$out/kmemleak.txt" ]; then
	critical+=("KMemLeak")
	{
		echo
		echo "=========================================="
		echo "KMemLeak:"
		echo "=========================================="
		cat "$out/kmemleak.txt"
	} >>"$summary"
fi
if [ ! -f "$out/rc" ]; then
	critical+=("Global Timeout or unexpected stop of the VM")
	{
		echo
		echo "=========================================="
		echo "Timeout / unexpected stop, last console lines:"
		echo "=========================================="
		tail -n 20 "$out/console.log"
	} >>"$summary"
fi

title="Upstream MPTCP selftests: $target: $subset$([ -n "$no_module" ] && echo " (no module)")"
if [ ${#critical[@]} -gt 0 ]; then
	conclusion="$title: Critical: $(IFS=';'; echo "${critical[*]}" | sed 's/;/ - /g')${failed:+ - Unstable: ${#failed[@]} failed test(s): ${failed[*]}}"
elif [ ${#failed[@]} -gt 0 ]; then
	conclusion="$title: Unstable: ${#failed[@]} failed test(s): ${failed[*]}"
elif [ "$vm_rc" != 0 ]; then
	conclusion="$title: Script error (exit $vm_rc)"
else
	conclusion="$title: Success"
fi
echo "$conclusion" >"$out/conclusion.txt"
{
	echo
	echo "$conclusion"
} >>"$summary"
sed -n '/^All tests:/,$p' "$summary" | sed '/^=\+$/,$d' | grep -vxF "$conclusion"
echo "$conclusion"
echo "# full summary: $summary"
case $conclusion in *': Success') exit 0 ;; *) exit 1 ;; esac
