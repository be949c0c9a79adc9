#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own MPTCP selftests (tools/testing/selftests/net/mptcp of the
# Debian linux-source-<KERNEL> tree of the test kernel), run with
# mptcp_rst_ext loaded, the way the MPTCP CI
# (multipath-tcp/mptcp-upstream-virtme-docker) runs them.  Started
# inside the VM by scripts/upstream.sh (through scripts/vm.sh), as root.
#
#   upstream.sh --list SUBSET
#       prints the subset, one "TIMEOUT_S SCRIPT [ARGS]" line per test (no VM
#       needed: the host uses it for the VM's timeout and the summary).
#   upstream.sh --tests DIR --results DIR [--no-module] [--timeout-scale N] SUBSET
#       DIR (--tests): the built selftests, laid out as installed
#       (DIR/net/mptcp/, DIR/net/lib.sh, DIR/kselftest/prefix.pl).
#       RST_EXT_KO: the module to load (unless --no-module).
#
# SUBSET: reset, ci, full, or a comma-separated list of their tests, by script
# (diag.sh: from the full set first) or by name (mptcp_join_fastclose), or
# of SCRIPT:ARG[:ARG...] (mptcp_join.sh:32:38: the script's subtests 32 and
# 38, e.g. to rerun failures with and without the module).
#
# Per test NAME (selftest_<script>, rst_ext_<check>), in the results dir:
# NAME.tap ("TAP version 13", "1..1", "ok 1 test: NAME" or "not ok ...",
# then the output prefixed with "# ", then "# time=N"), and for the scripts
# that print one (mptcp_lib), their own TAP block in NAME_subtests.tap.
# Exit code of a script: 0 ok, 4 SKIP (not ok when all features are
# expected), anything else not ok.  results.txt gets the result lines in
# order.  Exit status: 0 if every test is ok, 1 otherwise.

# The subsets: one "TIMEOUT NAME SCRIPT [ARGS]" line per test, NAME being
# the TAP test (selftest_NAME).  Timeouts are for the normal kernel under TCG,
# 2 to 5 times the time measured on a loaded 2-core host (--timeout-scale
# multiplies them, e.g. for debug).
#   ci: what fits in CI: the mptcp_join.sh groups that provoke subflow
#   resets, each its own test (a timeout in one does not lose the others):
#   subflows (-f: join rejections, limits), subflows_error (-e: SYN
#   rejected/dropped, timeouts), fastclose (-z), fail (-F: MP_FAIL, infinite
#   map, MP_FAIL + MP_RST), syncookies (-k), add_addr_ports (-p: port-based
#   endpoints, port mismatch and MP_CAPABLE attempts on them, which the
#   listener resets; without its subtests 4 and 5, which remove endpoints
#   during a slow transfer and count RM_ADDR/RM_SUBFLOW: they failed under a
#   loaded TCG host with and without the module), endpoint (-I: endpoint
#   removal and re-creation, which closes subflows); then the scripts that
#   pass under TCG (pm_netlink.sh's "id limit" alone takes ~4 min: 256
#   pm_nl_ctl runs).  diag.sh
#   is left out: it fails with iproute2 6.1 (ss prints no last_data_sent ...)
#   and under TCG ("many msk socket present" times out), module or not.
#   full: the seven scripts, whole (mptcp_join.sh alone is ~30 min under TCG).
subset_ci=(
	"900 mptcp_join_subflows mptcp_join.sh -f"
	"900 mptcp_join_subflows_error mptcp_join.sh -e"
	"600 mptcp_join_fastclose mptcp_join.sh -z"
	"600 mptcp_join_fail mptcp_join.sh -F"
	"900 mptcp_join_syncookies mptcp_join.sh -k"
	"900 mptcp_join_add_addr_ports mptcp_join.sh -p 1 2 3 6 7 8"
	"900 mptcp_join_endpoint mptcp_join.sh -I"
	"600 mptcp_sockopt mptcp_sockopt.sh"
	"900 pm_netlink pm_netlink.sh"
	"900 userspace_pm userspace_pm.sh"
)
# reset: what make check runs (the README's test command, hence CI): the
#   mptcp_join.sh groups whose resets the self-check then compares with
#   the kernel's MIB, ~11 min on a loaded 2-core host under TCG.
subset_reset=(
	"900 mptcp_join_subflows_error mptcp_join.sh -e"
	"600 mptcp_join_fastclose mptcp_join.sh -z"
	"600 mptcp_join_fail mptcp_join.sh -F"
	"900 mptcp_join_syncookies mptcp_join.sh -k"
)
subset_full=(
	"1800 mptcp_connect mptcp_connect.sh"
	"7200 mptcp_join mptcp_join.sh"
	"900 diag diag.sh"
	"600 mptcp_sockopt mptcp_sockopt.sh"
	"900 pm_netlink pm_netlink.sh"
	"1800 simult_flows simult_flows.sh"
	"900 userspace_pm userspace_pm.sh"
)

KSFT_PASS=0
KSFT_FAIL=1

die() { echo "upstream: $*" >&2; exit 2; }

# subset NAME: the subset's lines, on stdout.  NAME: reset, ci, full, or a comma-
# separated list of tests of either, by script (diag.sh) or by name
# (mptcp_join_fastclose).
subset() {
	local s line found seen=" "
	case $1 in
	ci) printf '%s\n' "${subset_ci[@]}" ;;
	reset) printf '%s\n' "${subset_reset[@]}" ;;
	full) printf '%s\n' "${subset_full[@]}" ;;
	*)
		for s in ${1//,/ }; do
			found=
			if [[ $s == *.sh:* ]]; then
				# SCRIPT:ARG[:ARG...]: the script with these arguments
				# (mptcp_join.sh:32:38, its subtests 32 and 38), its
				# timeout that of the whole script.
				line=$(printf '%s\n' "${subset_full[@]}" | awk -v s="${s%%:*}" '$3 == s {print; exit}')
				[ -n "$line" ] || die "unknown script in '$s'"
				set -- $line
				s=${s#*:}
				name=${3%.sh}_${s//:/_}
				echo "$1 ${name//-/} $3 ${s//:/ }"
				continue
			fi
			for line in "${subset_full[@]}" "${subset_ci[@]}"; do
				set -- $line
				[ "$3" = "$s" ] || [ "$2" = "$s" ] || continue
				found=1
				case $seen in *" $2 "*) continue ;; esac
				seen+="$2 "
				echo "$line"
			done
			[ -n "$found" ] || die "unknown test or subset '$s' (ci, full, or: $(printf '%s\n' "${subset_full[@]}" "${subset_ci[@]}" | awk '{printf "%s ", $2}'))"
		done
		;;
	esac
}

tests="" results="" no_module="" scale=1 list=""
while [ $# -gt 0 ]; do
	case $1 in
	--list) list=1; shift ;;
	--tests) tests=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--no-module) no_module=1; shift ;;
	--timeout-scale) scale=$2; shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# = 1 ] || die "usage: upstream.sh [--list] [--tests DIR --results DIR] [--no-module] [--timeout-scale N] SUBSET"
lines=$(subset "$1") || exit 2
if [ -n "$list" ]; then
	echo "$lines"
	exit 0
fi
[ -d "$tests/net/mptcp" ] || die "--tests: no net/mptcp in '$tests'"
[ -d "$results" ] || die "--results: '$results' is not a directory"
[ -n "$no_module" ] || [ -f "${RST_EXT_KO:-}" ] || die "set RST_EXT_KO to the path of mptcp_rst_ext.ko (or --no-module)"
[ "$(id -u)" = 0 ] || die "must run as root (in the VM)"

# As the MPTCP CI: skipping for a missing feature is a failure (the test
# kernel is built with the selftests' own config fragment), and the scripts
# print their subtests as TAP.
export SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=${SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES:-1}
export SELFTESTS_MPTCP_LIB_NO_TAP=0
export SELFTESTS_MPTCP_LIB_OVERRIDE_FLAKY=${SELFTESTS_MPTCP_LIB_OVERRIDE_FLAKY:-0}
unset SELFTESTS_MPTCP_LIB_COLOR_FORCE

# The host tree is read-only in the guest: run from a copy in the guest's /tmp.
work=/tmp/mptcp-selftests
rm -rf "$work"
cp -a "$tests" "$work" || die "cannot copy $tests to $work"
TAP_PREFIX=$work/kselftest/prefix.pl
: >"$results/results.txt"
failed=0

# _dump_procs: what every process is waiting for (kernel threads only when
# running or blocked), for a test about to time out.
_dump_procs() {
	local p state
	for p in /proc/[0-9]*; do
		state=$(awk '/^State:/ {print $2}' "$p/status" 2>/dev/null) || continue
		if [ ! -s "$p/cmdline" ]; then
			case $state in R | D) ;; *) continue ;; esac
		fi
		echo "--- pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) state $state wchan $(cat "$p/wchan" 2>/dev/null): $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
		cat "$p/stack" 2>/dev/null
	done
}

# _watched TIMEOUT CMD...: CMD under timeout (which signals the whole process
# group: the script's children too); 10 s before, the processes' stacks.
_watched() {
	local limit=$1 w rc
	shift
	(
		sleep $((limit > 20 ? limit - 10 : limit)) >/dev/null 2>&1
		echo "TIMEOUT: ${limit}s nearly reached, the processes and their kernel stacks:"
		_dump_procs
	) &
	w=$!
	timeout --kill-after=30 "$limit" "$@"
	rc=$?
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	return $rc
}

# _tap NAME TIMEOUT CMD...: one TAP test, as the MPTCP CI's _tap() does.
# TIMEOUT (s) applies to commands, not to this file's functions.
_tap() {
	local name=$1 limit=$2 out=$results/$1.tap sub=$results/$1_subtests.tap
	local tmp=$results/$1.tap.tmp rc start msg cmt=
	shift 2
	rm -f "$out" "$sub"
	printf 'TAP version 13\n1..1\n' | tee "$out"
	start=$(date +%s)
	if declare -F "$1" >/dev/null; then
		"$@" 2>&1 </dev/null | "$TAP_PREFIX" | tee "$tmp"
	else
		_watched "$limit" "$@" 2>&1 </dev/null | "$TAP_PREFIX" | tee "$tmp"
	fi
	rc=${PIPESTATUS[0]}
	case $rc in
	0) msg="ok 1 test: $name" ;;
	1) msg="not ok 1 test: $name"; cmt=FAIL ;;
	2) msg="not ok 1 test: $name"; cmt=XFAIL ;;
	3) msg="not ok 1 test: $name"; cmt=XPASS ;;
	4)
		cmt=SKIP
		if [ "$SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES" = 1 ]; then
			msg="not ok 1 test: $name"
		else
			msg="ok 1 test: $name"
		fi
		;;
	124 | 137) msg="not ok 1 test: $name"; cmt="FAIL # exit=$rc (timeout: ${limit}s)" ;;
	*) msg="not ok 1 test: $name"; cmt="FAIL # exit=$rc" ;;
	esac
	# '#' starts a directive, as in kselftest/runner.sh.
	msg+=${cmt:+ # $cmt}
	echo "$msg" | tee -a "$out" >>"$results/results.txt"
	echo "$msg"
	case $msg in not*) failed=$((failed + 1)) ;; esac
	# The diagnostic after the result; the script's own TAP block (it
	# starts with "# TAP version") into NAME_subtests.tap, unprefixed.
	sed -r 's/\x1B\[([0-9]{1,3}(;[0-9]{1,2};?)?)?[mGK]//g' "$tmp" |
		awk -v out="$out" -v subout="$sub" '
			!insub && /^# TAP version / { insub = 1 }
			!insub { print >> out; next }
			{ sub(/^# ?/, ""); print >> subout }'
	rm -f "$tmp"
	echo "# time=$(($(date +%s) - start))" | tee -a "$out"
	return "$rc"
}

# --- the module's checks ----------------------------------------------------

insmod_ext() {
	if modinfo -F parm "$RST_EXT_KO" | grep -q '^selfcheck:'; then
		echo "insmod $RST_EXT_KO selfcheck=1"
		insmod "$RST_EXT_KO" selfcheck=1
	else
		echo "NOTE: this build of the module has no 'selfcheck' parameter: loaded without it"
		echo "insmod $RST_EXT_KO"
		insmod "$RST_EXT_KO"
	fi
}

selfcheck_val() {
	nstat -asz "$1" | awk -v n="$1" '$1 == n {print $2}'
}

# In init_net, after every netns of the scripts is gone: no mismatch, some
# netns checked; and the per-cause totals of the torn-down netns.
selfcheck() {
	local rc=$KSFT_PASS mism netns prev
	ip netns list | grep -q . && echo "netns still present: $(ip netns list | tr '\n' ' ')"
	# Netns are dismantled by a workqueue: wait until the count settles.
	prev=x
	for _ in $(seq 30); do
		netns=$(selfcheck_val MPTcpRstExtSelfCheckNetns)
		[ "$netns" = "$prev" ] && break
		prev=$netns
		sleep 2
	done
	echo "nstat -asz 'MPTcpRstExtSelfCheck*' (init_net):"
	nstat -asz 'MPTcpRstExtSelfCheck*'
	mism=$(selfcheck_val MPTcpRstExtSelfCheckMismatch)
	if [ -z "$mism" ] || [ -z "$netns" ]; then
		echo "FAIL: no MPTcpRstExtSelfCheckMismatch/MPTcpRstExtSelfCheckNetns counter in init_net: this module has no self-check"
		rc=$KSFT_FAIL
	else
		[ "$mism" = 0 ] || { echo "FAIL: MPTcpRstExtSelfCheckMismatch is $mism, expected 0"; rc=$KSFT_FAIL; }
		[ "$netns" -gt 0 ] || { echo "FAIL: MPTcpRstExtSelfCheckNetns is $netns, expected > 0"; rc=$KSFT_FAIL; }
	fi
	local retired=/sys/kernel/debug/mptcp_rst_ext/retired
	if [ -r "$retired" ]; then
		echo "$retired (per-cause totals of the torn-down netns):"
		cat "$retired"
	else
		echo "FAIL: $retired does not exist: this module does not keep the totals of torn-down netns"
		rc=$KSFT_FAIL
	fi
	return $rc
}

rmmod_ext() {
	rmmod mptcp_rst_ext || return $KSFT_FAIL
	if [ -d /sys/module/mptcp_rst_ext ]; then
		echo "FAIL: /sys/module/mptcp_rst_ext still there after rmmod"
		return $KSFT_FAIL
	fi
	echo "unloaded"
}

# --- run ----------------------------------------------------------------------

echo "# upstream MPTCP selftests, kernel $(uname -r), subset $1, $(
	[ -n "$no_module" ] && echo "without the module" || echo "with $RST_EXT_KO")"
echo "# SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES=$SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES"
if [ -z "$no_module" ] && ! _tap rst_ext_insmod 60 insmod_ext; then
	echo "# the module did not load: not running the selftests"
	exit 1
fi

cd "$work/net/mptcp" || exit 1
while read -r limit name script args; do
	limit=$((limit * scale))
	# shellcheck disable=SC2086 # args are words
	_tap "selftest_$name" "$limit" "./$script" $args
done <<<"$lines"
cd / || exit 1

if [ -z "$no_module" ]; then
	_tap rst_ext_selfcheck 120 selfcheck
	_tap rst_ext_rmmod 60 rmmod_ext
fi
rm -rf "$work"

echo "# $(grep -c '^ok' "$results/results.txt") ok, $failed not ok"
[ "$failed" = 0 ]
