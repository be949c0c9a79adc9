#!/usr/bin/env bash
# make bench: the benchmarks (selftests/bench.sh), one VM boot of the normal
# test kernel per part: throughput with and without the module
# (interleaved), a reset storm (none / module / event / bpftrace), the time
# of one probe call, the cost of a /proc/net/netstat read, short
# connections (plain TCP and MPTCP: none / module / event / bpftrace),
# memory per netns and module size.
#   scripts/bench.sh [KERNEL] [normal|debug|gcc]     (default: normal)
# Sizes from BENCH_PAIRS, BENCH_SECONDS, BENCH_RESETS, BENCH_ROUNDS,
# BENCH_NETNS, BENCH_TRACED, BENCH_READS, BENCH_CONNS, BENCH_FAMILIES,
# BENCH_PARTS (see selftests/bench.sh).
# BENCH_CLOCK: icount (default; under TCG the guest's clock counts guest
# instructions, one per ns, see vm.sh) or host (the emulator's real time).
# Raw output in out/<kernel>-<variant>/bench/<part>/guest.log, the summary
# lines on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

rst_ext_parse_target normal "$@"
[ ${#rest[@]} = 0 ] || { echo "bench: unknown argument(s): ${rest[*]} ([KERNEL] [normal|debug|gcc])" >&2; exit 2; }
kdir=$("$here/kernel.sh" "$kernel" "$variant")
ko=$("$here/module.sh" "$kernel" "$variant")
mkdir -p "$repo/out/$target"
"$CARGO" run -q --manifest-path "$repo/rust/host/Cargo.toml" --bin counters >"$repo/out/counters.tsv"
benv=()
for v in BENCH_PAIRS BENCH_SECONDS BENCH_RESETS BENCH_ROUNDS BENCH_NETNS BENCH_TRACED BENCH_READS BENCH_CONNS BENCH_FAMILIES; do
	[ -n "${!v:-}" ] && benv+=("$v=${!v}")
done
parts=${BENCH_PARTS:-throughput storm probe netstat churn memory}
echo "bench: $target kernel, parts: $parts; ${benv[*]:-default sizes}" >&2
echo "module file: $(size "$ko" | tail -1 | awk '{print "text=" $1, "data=" $2, "bss=" $3}')" \
	"ko_bytes=$(stat -c %s "$ko")" | tee "$repo/out/$target/bench-host.txt"
clock=()
case ${BENCH_CLOCK:-icount} in
icount) clock=(--icount) ;;
host) ;;
*) echo "bench: BENCH_CLOCK is icount or host, not '$BENCH_CLOCK'" >&2; exit 2 ;;
esac
# One VM boot per part: each part's result is whole, and a failed part does
# not take the others with it.
rc=0
for part in $parts; do
	out=$repo/out/$target/bench/$part
	prc=0
	"$here/vm.sh" "$kdir" "$out" --timeout "${BENCH_VM_TIMEOUT:-5400}" "${clock[@]}" -- \
		env RST_EXT_KO="$ko" RST_EXT_COUNTERS="$repo/out/counters.tsv" BENCH_KDIR="$kdir" \
		BENCH_PARTS="$part" "${benv[@]}" "$repo/selftests/bench.sh" || prc=$?
	grep -E '^(kernel|summary|module|bpftrace|probe time)' "$out/guest.log" || true
	if [ "$prc" != 0 ]; then
		echo "bench: the VM run of $part failed (exit $prc), see $out/" >&2
		rc=$prc
	fi
done
exit $rc
