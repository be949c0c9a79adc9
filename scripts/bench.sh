#!/usr/bin/env bash
# make bench: the benchmarks (selftests/bench.sh) in one VM boot of the
# normal test kernel: throughput with and without the module (interleaved),
# a reset storm (none / module / bpftrace), memory per netns, module size.
#   scripts/bench.sh [KERNEL] [normal|debug]     (default: normal)
# Sizes from BENCH_PAIRS, BENCH_SECONDS, BENCH_RESETS, BENCH_ROUNDS,
# BENCH_NETNS, BENCH_TRACED, BENCH_PARTS (see selftests/bench.sh).  Raw output in
# out/<kernel>-<variant>/bench/guest.log, the summary lines on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

rst_ext_parse_target normal "$@"
[ ${#rest[@]} = 0 ] || { echo "bench: unknown argument(s): ${rest[*]} ([KERNEL] [normal|debug])" >&2; exit 2; }
kdir=$("$here/kernel.sh" "$kernel" "$variant")
ko=$("$here/module.sh" "$kernel" "$variant")
mkdir -p "$repo/out/$target"
"$CARGO" run -q --manifest-path "$repo/rust/host/Cargo.toml" --bin counters >"$repo/out/counters.tsv"
out=$repo/out/$target/bench
benv=()
for v in BENCH_PAIRS BENCH_SECONDS BENCH_RESETS BENCH_ROUNDS BENCH_NETNS BENCH_TRACED BENCH_PARTS; do
	[ -n "${!v:-}" ] && benv+=("$v=${!v}")
done
echo "bench: $target kernel, ${benv[*]:-default sizes}" >&2
echo "module file: $(size "$ko" | tail -1 | awk '{print "text=" $1, "data=" $2, "bss=" $3}')" \
	"ko_bytes=$(stat -c %s "$ko")" | tee "$repo/out/$target/bench-host.txt"
rc=0
"$here/vm.sh" "$kdir" "$out" --timeout "${BENCH_VM_TIMEOUT:-5400}" -- \
	env RST_EXT_KO="$ko" RST_EXT_COUNTERS="$repo/out/counters.tsv" BENCH_KDIR="$kdir" "${benv[@]}" \
	"$repo/selftests/bench.sh" || rc=$?
grep -E '^(summary|module|bpftrace|kernel|probe time)' "$out/guest.log" || true
[ "$rc" = 0 ] || echo "bench: the VM run failed (exit $rc), see $out/" >&2
exit $rc
