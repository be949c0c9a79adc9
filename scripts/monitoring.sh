#!/usr/bin/env bash
# make monitoring-test: the Prometheus rules of monitoring/ on the host, with
# Debian's promtool (package prometheus; scripts/setup.sh installs it):
#   scripts/monitoring.sh
# 1. promtool check rules monitoring/mptcp_rst_ext.rules.yml
# 2. promtool test rules monitoring/tests/*.yml (the unit tests: each alert
#    fires and stays silent where it should, each recording rule's values)
# 3. scripts/monitoring_names.py: every counter the rules name is in the
#    counter table (rust/rst_ext.rs, printed by `cargo run --bin counters`
#    into out/monitoring/counters.tsv), the selectors take exactly the causes
#    and codes, every runbook anchor is in Documentation/.
# Prints TAP, one line per check (make check counts them); output of each in
# out/monitoring/.  Exit status 0 only if all three pass.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"
# shellcheck source=scripts/tap.sh
. "$here/tap.sh"

log() { echo "monitoring: $*" >&2; }
die() { echo "monitoring: error: $*" >&2; exit 2; }

rules=monitoring/mptcp_rst_ext.rules.yml
out=$repo/out/monitoring
cd "$repo" || die "no $repo"
[ -f "$rules" ] || die "no $rules"
tests=(monitoring/tests/*.yml)
[ -f "${tests[0]}" ] || die "no monitoring/tests/*.yml"
mkdir -p "$out"

# first_failure LOG: the first problem monitoring_names.py found.
first_failure() {
	grep -m1 -E 'error|not a counter|selects|misses|also takes|no such' "$1" |
		sed -e 's/^[[:space:]]*//' -e 's/^monitoring_names: [^:]*: //' | cut -c1-200
}
# promtool_failure LOG: the line after promtool's first FAILED (the case, or
# the error), after the test file's name.
promtool_failure() {
	awk '/^Unit Testing:/ { file = $3 ": " }
		failed && NF { sub(/^[ \t]+/, ""); sub(/,[ \t]*$/, ""); print file $0; exit }
		/FAILED:/ { failed = 1 }' "$1" | cut -c1-200
}

echo "TAP version 13"
echo "1..3"

recording=$(grep -cE '^[[:space:]]*- record:' "$rules")
alerting=$(grep -cE '^[[:space:]]*- alert:' "$rules")
alert_cases=$(cat "${tests[@]}" | grep -cE '^[[:space:]]*- alertname:')
record_cases=$(cat "${tests[@]}" | grep -cE '^[[:space:]]*- expr:')
if ! command -v promtool >/dev/null; then
	tap fail "promtool check rules $rules" "promtool not found: apt-get install prometheus (or: make setup)"
	tap fail "promtool test rules ${tests[*]}" "promtool not found"
else
	log "$(promtool --version 2>&1 | head -1)"
	if promtool check rules "$rules" >"$out/check-rules.log" 2>&1; then
		tap ok "promtool check rules: $(grep -oE '[0-9]+ rules found' "$out/check-rules.log") ($recording recording, $alerting alerting)"
	else
		tap fail "promtool check rules $rules" "$(promtool_failure "$out/check-rules.log"), see out/monitoring/check-rules.log"
	fi
	if promtool test rules "${tests[@]}" >"$out/test-rules.log" 2>&1; then
		tap ok "promtool test rules: $alert_cases alert and $record_cases recording cases (${#tests[@]} files)"
	else
		tap fail "promtool test rules: $alert_cases alert and $record_cases recording cases" \
			"$(promtool_failure "$out/test-rules.log"), see out/monitoring/test-rules.log"
	fi
fi

tsv=$out/counters.tsv
names_log=$out/names.log
if ! "$CARGO" run -q --manifest-path rust/host/Cargo.toml --bin counters >"$tsv" 2>"$names_log"; then
	tap fail "rules name only counters of the table" "cargo run --bin counters failed, see out/monitoring/names.log"
elif PYTHONDONTWRITEBYTECODE=1 python3 "$here/monitoring_names.py" --table "$tsv" "$rules" >"$names_log" 2>&1; then
	tap ok "rules name only counters of the table: $(tail -n 1 "$names_log")"
else
	tap fail "rules name only counters of the table" "$(first_failure "$names_log"), see out/monitoring/names.log"
fi

[ "$tap_failed" = 0 ]
