#!/usr/bin/env bash
# make coverage-host: the coverage of the module's policy (rust/rst_ext.rs)
# by its host tests (rust/host, the tests of `make unit-test`):
#   scripts/coverage-host.sh
# The host crate is built and its tests run with -C instrument-coverage
# (Debian's rustc ships the profiler runtime), in its own target directory
# (out/coverage/target: the build of `make unit-test` stays as it is); the
# profiles are merged with Debian's llvm-profdata-19 and reported with
# llvm-cov-19 over rust/rst_ext.rs alone (not the tests, nor the standard
# library; rust/edge.rs is not built on the host).
# Results in out/coverage/rust/: report.txt (llvm-cov report), index.html
# (llvm-cov show -format=html), summary.json (llvm-cov export); the test
# run's output in out/coverage/test.log.  Prints the number of tests run,
# then one line:
#   coverage: rust/rst_ext.rs: lines X/Y (P%), functions X/Y (P%), regions X/Y (P%)
# Exit status 0 if the tests pass and the report is made (no threshold).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

log() { echo "coverage: $*" >&2; }
die() { echo "coverage: error: $*" >&2; exit 2; }

LLVM_PROFDATA=${LLVM_PROFDATA:-llvm-profdata-19}
LLVM_COV=${LLVM_COV:-llvm-cov-19}
for t in "$LLVM_PROFDATA" "$LLVM_COV" python3; do
	command -v "$t" >/dev/null || die "$t not found: apt-get install llvm-19 python3 (or: make setup)"
done

out=$repo/out/coverage
report=$out/rust
profraw=$out/profraw
manifest=$repo/rust/host/Cargo.toml
rm -rf "$profraw" "$report"
mkdir -p "$profraw" "$report"

export CARGO_TARGET_DIR=$out/target
export RUSTFLAGS="-C instrument-coverage"
export LLVM_PROFILE_FILE=$profraw/%p-%m.profraw

# The test binaries (the library's, the counters binary's, each of tests/),
# as cargo builds them: the objects whose coverage mapping llvm-cov reads.
"$CARGO" test --no-run --quiet --message-format=json --manifest-path "$manifest" >"$out/build.json" 2>"$out/build.log" ||
	die "cargo test --no-run (instrumented) failed: $(tail -n 1 "$out/build.log"), see out/coverage/build.log"
mapfile -t objects < <(python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"])' <"$out/build.json")
[ ${#objects[@]} -gt 0 ] || die "cargo built no test binary, see out/coverage/build.json"

if ! "$CARGO" test --manifest-path "$manifest" >"$out/test.log" 2>&1; then
	grep -E 'panicked|FAILED|error' "$out/test.log" | head -20 >&2
	die "the host tests failed (instrumented), see out/coverage/test.log"
fi
passed=$(grep -oE '[0-9]+ passed' "$out/test.log" | awk '{s += $1} END {print s + 0}')
log "cargo test (instrumented): $passed passed"

profiles=("$profraw"/*.profraw)
[ -f "${profiles[0]}" ] || die "the tests left no .profraw in out/coverage/profraw"
"$LLVM_PROFDATA" merge -sparse -o "$out/rust.profdata" "${profiles[@]}" ||
	die "$LLVM_PROFDATA merge failed"

# The crate's files are named relative to rust/host ("../rst_ext.rs"):
# -path-equivalence names rust/rst_ext.rs by its path, for llvm-cov show to
# read it.  rust/rst_ext.rs alone: the host-only files (rust/host/counters.rs,
# its tests/) left out, and what is not the crate's (the cargo registry, the
# standard library) if it ever had a mapping.
args=(--instr-profile="$out/rust.profdata" --path-equivalence="..,$repo/rust"
	--ignore-filename-regex='(^|/)(counters\.rs|tests/[^/]*\.rs)$|/\.cargo/registry/|^/rustc/')
for o in "${objects[@]:1}"; do
	args+=(--object "$o")
done
"$LLVM_COV" report "${args[@]}" "${objects[0]}" >"$report/report.txt" ||
	die "$LLVM_COV report failed"
"$LLVM_COV" show "${args[@]}" --format=html --show-line-counts-or-regions --show-instantiations=false \
	--output-dir="$report" "${objects[0]}" || die "$LLVM_COV show --format=html failed"
"$LLVM_COV" export "${args[@]}" --summary-only "${objects[0]}" >"$report/summary.json" ||
	die "$LLVM_COV export failed"

python3 - "$report/summary.json" <<'EOF' || die "no summary of rust/rst_ext.rs in out/coverage/rust/summary.json"
import json, sys
data = json.load(open(sys.argv[1]))["data"][0]
files = data["files"]
if len(files) != 1 or not files[0]["filename"].endswith("/rst_ext.rs"):
    sys.exit("coverage: the report has %s, not rust/rst_ext.rs alone" % [f["filename"] for f in files])
s = files[0]["summary"]
part = lambda k: "%s %d/%d (%.1f%%)" % (k, s[k]["covered"], s[k]["count"], s[k]["percent"])
print("coverage: rust/rst_ext.rs: " + ", ".join(part(k) for k in ("lines", "functions", "regions")))
EOF
log "out/coverage/rust/index.html, out/coverage/rust/report.txt"
