# TAP for the project's host-side test scripts (sourced, not run): make
# check counts their lines (scripts/check.sh, count_tap).
# shellcheck shell=bash
tap_n=0 tap_failed=0
# tap ok|fail NAME [DETAIL]: one test line.
tap() {
	tap_n=$((tap_n + 1))
	if [ "$1" = ok ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2${3:+ # $3}"
	fi
}
