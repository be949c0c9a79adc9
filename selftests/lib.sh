#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers of the mptcp_rst_ext selftests, in the style of the kernel's
# tools/testing/selftests/net/mptcp/mptcp_lib.sh.  Sourced by the tests.

# kselftest exit codes
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# shellcheck disable=SC2034 # for the tests that source this file
RST_EXT_PROC=/proc/net/mptcp_rst_ext
RST_EXT_PREFIX=MPTcpRstExt
RST_EXT_DEBUGFS=/sys/kernel/debug/mptcp_rst_ext

# This file's directory: the repository's selftests/, or the installed
# kselftest target (make -C selftests install), which has counters.tsv,
# config and VERSION beside it.
_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The module: a path (loaded with insmod) or the name of an installed one
# (make install, DKMS: modprobe), the default.
RST_EXT_KO=${RST_EXT_KO:-mptcp_rst_ext}
# The counter table, "Name<TAB>meaning" in table order, as printed by the
# host build of rust/rst_ext.rs (cargo run --bin counters; the kselftest
# target's build writes it to counters.tsv): the tests take the expected
# names from the same table the module is built from.
RST_EXT_COUNTERS=${RST_EXT_COUNTERS:-$_lib_dir/counters.tsv}
if [ ! -r "$RST_EXT_COUNTERS" ]; then
	echo "Bail out! no counter table $RST_EXT_COUNTERS: make -C selftests KDIR=... writes it, or set RST_EXT_COUNTERS to the output of cargo run --bin counters"
	exit 1
fi
# shellcheck disable=SC2034 # for the tests that source this file
RST_EXT_VERSION=$(cat "$_lib_dir/VERSION" 2>/dev/null || cat "$_lib_dir/../VERSION")
RST_EXT_NAMES=$(cut -f1 "$RST_EXT_COUNTERS" | tr '\n' ' ')
RST_EXT_NAMES=${RST_EXT_NAMES% }
# The running kernel, as the project names its kernels (6.12, 7.3): where the
# two behave differently, a test's expectation says so, with the reason.
# shellcheck disable=SC2034 # for the tests that source this file
RST_EXT_KERNEL=$(uname -r | cut -d. -f1,2)

_tap_n=0
_tap_always=0
_tap_failed=0
_tap_skipped=0
_test_name=
_test_rc=$KSFT_PASS

tap_start() {
	echo "TAP version 13"
	require_config
}

# require_config: the options of the config file beside this one (above its
# "# Optional" line) that the running kernel lacks, from /proc/config.gz,
# /boot/config-RELEASE or /lib/modules/RELEASE/config (where Debian's 7.x
# packages put it), make the whole file a SKIP that names them; a kernel
# whose config cannot be read is not checked.
require_config() {
	local cfg missing
	if [ -r /proc/config.gz ]; then
		cfg=(zcat /proc/config.gz)
	elif [ -r "/boot/config-$(uname -r)" ]; then
		cfg=(cat "/boot/config-$(uname -r)")
	elif [ -r "/lib/modules/$(uname -r)/config" ]; then
		cfg=(cat "/lib/modules/$(uname -r)/config")
	else
		echo "# the kernel's config is not readable: its options are not checked"
		return 0
	fi
	missing=$("${cfg[@]}" | awk -F= '
		NR == FNR { if (/^# Optional/) optional = 1; if (!optional && /^CONFIG_/) want[$1] = ++n; next }
		$2 ~ /^[ym]$/ { delete want[$1] }
		END { for (w in want) order[want[w]] = w; for (i = 1; i <= n; i++) if (i in order) printf " %s", order[i] }
	' "$_lib_dir/config" -)
	[ -z "$missing" ] && return 0
	echo "1..0 # SKIP the kernel lacks${missing} (see the selftests' config)"
	exit $KSFT_SKIP
}

# A test is a block between test_begin and test_end; any check failing inside
# makes it "not ok".  test_skip ends it as SKIP, with a reason.
# RST_EXT_ONLY=REGEX (make check CHECK_ONLY=...) runs only the tests whose
# name matches (grep -E): test_begin returns 1 for the others, so a file
# whose tests stand alone writes each as
#   if test_begin "name"; then ...; test_end; fi
# (as mptcp_join.sh does with reset); test_begin --always NAME is a set-up
# the selected tests need.  A file whose tests depend on the ones before
# runs them all.
test_begin() {
	local always=
	[ "$1" = --always ] && { always=1 _tap_always=$((_tap_always + 1)); shift; }
	_test_name=$1
	_test_rc=$KSFT_PASS
	_test_skip=
	_test_todo=
	_test_t0=${EPOCHREALTIME/./}
	[ -n "$always" ] || [ -z "${RST_EXT_ONLY:-}" ] || grep -qE -- "$RST_EXT_ONLY" <<<"$1"
}

fail() {
	echo "# FAIL: $_test_name: $*"
	_test_rc=$KSFT_FAIL
}

test_skip() {
	_test_skip=$1
}

# test_todo REASON: the test shows a known problem of the kernel, not of the
# module: if it fails, TAP says "not ok ... # TODO REASON" (reported, not
# counted as a failure); once a kernel fixes it, the test passes.
test_todo() {
	_test_todo=$1
}

# Each result is preceded by the test's wall time, "# time: 1.234 s" (where
# the clock is the guest's instruction count, see vm.sh, a count in units
# of 10^9 instructions).
test_end() {
	local us=$((${EPOCHREALTIME/./} - _test_t0))
	_tap_n=$((_tap_n + 1))
	printf '# time: %d.%03d s\n' $((us / 1000000)) $((us / 1000 % 1000))
	if [ -n "$_test_skip" ]; then
		_tap_skipped=$((_tap_skipped + 1))
		echo "ok $_tap_n - $_test_name # SKIP $_test_skip"
	elif [ "$_test_rc" = "$KSFT_PASS" ]; then
		echo "ok $_tap_n - $_test_name"
	elif [ -n "$_test_todo" ]; then
		_tap_skipped=$((_tap_skipped + 1))
		echo "not ok $_tap_n - $_test_name # TODO $_test_todo"
	else
		_tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - $_test_name"
	fi
}

# Prints the plan and exits like kselftests: 1 on any failure, 4 if every
# test was skipped, 0 otherwise.
tap_finish() {
	if [ -n "${RST_EXT_ONLY:-}" ] && [ "$_tap_n" -le "$_tap_always" ]; then
		_tap_n=$((_tap_n + 1)) _tap_failed=$((_tap_failed + 1))
		echo "not ok $_tap_n - RST_EXT_ONLY='$RST_EXT_ONLY' matches a test of $(basename "$0")"
	fi
	echo "1..$_tap_n"
	echo "# totals: pass:$((_tap_n - _tap_failed - _tap_skipped)) fail:$_tap_failed skip:$_tap_skipped"
	[ "$_tap_failed" -gt 0 ] && exit $KSFT_FAIL
	[ "$_tap_n" -gt 0 ] && [ "$_tap_skipped" = "$_tap_n" ] && exit $KSFT_SKIP
	exit $KSFT_PASS
}

# Runs a command; a non-zero status fails the current test.
run() {
	local out
	if ! out=$("$@" 2>&1); then
		fail "'$*' failed: $out"
		return 1
	fi
}

# --- module ---------------------------------------------------------------

module_loaded() {
	[ -d /sys/module/mptcp_rst_ext ]
}

# module_load [PARAM=VALUE...]
module_load() {
	if [[ $RST_EXT_KO == */* ]]; then
		insmod "$RST_EXT_KO" "$@"
	else
		modprobe "$RST_EXT_KO" "$@"
	fi
}

module_unload() {
	rmmod mptcp_rst_ext
}

# --- network namespaces ---------------------------------------------------

_netns=()

# netns_new VAR: creates a netns with a unique name, stores it in VAR.
netns_new() {
	local name
	name=rstext-$1-$$-$RANDOM
	ip netns add "$name" || return 1
	ip -n "$name" link set lo up
	_netns+=("$name")
	printf -v "$1" %s "$name"
	_netns_marker "$name"
}

# _netns_marker NS...: with the events on, a marker per netns: events of an
# older netns with the same inode number are not this one's.
declare -A _netns_inum=()
_netns_marker() {
	local name inum
	[ -n "$_events" ] || return 0
	while read -r name inum; do
		_netns_inum[$name]=$inum
		echo "rst_ext_netns $inum" >"$_events/trace_marker"
	done < <(cd /var/run/netns && stat -L -c '%n %i' "$@")
}

# netns_inum NS: the inode number of NS, as the module's events and log show it.
netns_inum() {
	if [ -n "${_netns_inum[$1]:-}" ]; then
		echo "${_netns_inum[$1]}"
	elif [ "$1" = init ]; then
		stat -L -c %i /proc/1/ns/net
	else
		stat -L -c %i "/var/run/netns/$1"
	fi
}

netns_cleanup() {
	local ns
	for ns in "${_netns[@]}"; do
		unset "_netns_inum[$ns]"
		# A port-based endpoint's listener holds its netns (6.12.117: its
		# subflow takes a netns reference), which then is never freed.
		ip -n "$ns" mptcp endpoint flush 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	_netns=()
}

# Two hosts joined by two veth pairs, IPv4 and IPv6 (as mptcp_join.sh):
#   $ns1 10.0.1.1 dead:beef:1::1 <-> 10.0.1.2 dead:beef:1::2 $ns2
#   $ns1 10.0.2.1 dead:beef:2::1 <-> 10.0.2.2 dead:beef:2::2 $ns2
# $ns1 has an IPv6 default route on each path, so that a subflow bound to
# ns1eth2 reaches dead:beef:1::2 through it (IPv4 needs none).
# Each command is a process, and a process takes 0.1 to 0.2 s to start
# under TCG: the pair is made by three `ip -batch`.  (The Python helpers
# run with -S for the same reason: they need the standard library only,
# and a site's .pth files cost a Python start 0.2 s or more.)
net_pair() {
	local i batch add=() one=("link set lo up") two=("link set lo up")
	ns1=rstext-ns1-$$-$RANDOM ns2=rstext-ns2-$$-$RANDOM
	add=("netns add $ns1" "netns add $ns2")
	for i in 1 2; do
		add+=("link add ns1eth$i netns $ns1 type veth peer name ns2eth$i netns $ns2")
		one+=("addr add 10.0.$i.1/24 dev ns1eth$i" "addr add dead:beef:$i::1/64 dev ns1eth$i nodad"
			"link set ns1eth$i up" "route add ::/0 via dead:beef:$i::2 dev ns1eth$i metric 10$i")
		two+=("addr add 10.0.$i.2/24 dev ns2eth$i" "addr add dead:beef:$i::2/64 dev ns2eth$i nodad"
			"link set ns2eth$i up")
	done
	_netns+=("$ns1" "$ns2")
	printf -v batch '%s\n' "${add[@]}"
	ip -batch - <<<"$batch" || return 1
	printf -v batch '%s\n' "${one[@]}"
	ip -n "$ns1" -batch - <<<"$batch" || return 1
	printf -v batch '%s\n' "${two[@]}"
	ip -n "$ns2" -batch - <<<"$batch" || return 1
	# (net.mptcp.enabled is 1 in every new netns.)
	_netns_marker "$ns1" "$ns2"
}

# nft_out NS RULE: RULE in an output chain of NS.  No sets: creating one
# makes 6.12.117 with PROVE_RCU_LIST report a suspicious RCU usage in
# nft_set_lookup() (a kernel bug that fails the debug runs), and the test
# kernel has no limit, quota or conntrack mark either.  One-shot faults come
# from the traffic's shape instead (the causes file's fault_once_after_join).
nft_out() {
	ip netns exec "$1" nft -f - <<-NFT
	table inet rstext {
		chain out {
			type filter hook output priority 0;
			$2
		}
	}
	NFT
}

# fake_peer_ports NS: the scripted peers (mptcp_craft.py's fake client,
# mptcp_stress.py's fuzzer) send from source ports 40000-40999 of NS on raw
# sockets, their packets marked 0x5253; NS's own stack, which has no socket
# there, must not reset those connections.
fake_peer_ports() {
	nft_out "$1" "meta mark != 0x5253 tcp sport 40000-40999 tcp flags & rst == rst drop"
}


# poll CMD...: until CMD succeeds, trying every 0.1 s, 300 times and 120 s
# at most (a try takes seconds on the debug kernel under TCG, and a debug
# kernel is slow to start a process).  The status is CMD's last one.
poll() {
	local _ end=$((SECONDS + 120))
	for _ in $(seq 300); do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 1
}

listening() {
	ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# wait_listen NS PORT: until a TCP listener (MPTCP listeners have one) is up.
wait_listen() {
	poll listening "$1" "$2" && return 0
	fail "nothing listens on port $2 in $1"
	return 1
}

# nsexec NS CMD...: runs CMD in NS; NS "init" is the initial netns.
nsexec() {
	if [ "$1" = init ]; then
		shift
		"$@"
	else
		ip netns exec "$@"
	fi
}

# --- counters -------------------------------------------------------------

# get_counter NS NAME: the value of one counter, read with plain nstat as an
# operator (or mptcp_lib_get_counter) would: the module adds its block to
# /proc/net/netstat.
get_counter() {
	local ns=$1 counter=$2 count
	count=$(counter_value "$ns" "$counter")
	if [ -z "$count" ]; then
		fail "counter $counter not found in $ns"
		echo 0
		return 1
	fi
	echo "$count"
}

# chk_rst_ext NS [NAME=N ...]: every MPTcpRstExt counter of NS is 0, except
# the NAMEs given, which are exactly N; and the invariants hold.  Read with
# plain nstat.
chk_rst_ext() {
	chk_invariants "$1"
	_chk_rst_ext "$@"
}

_chk_rst_ext() {
	local ns=$1 name want got kv
	shift
	local -A expect=() seen=()
	for kv in "$@"; do
		expect[${kv%%=*}]=${kv#*=}
	done
	while read -r name got _; do
		seen[${name#"$RST_EXT_PREFIX"}]=$got
	done < <(nstat_counters "$ns" "$RST_EXT_PREFIX*")
	for name in $RST_EXT_NAMES; do
		want=${expect[$name]:-0}
		unset "expect[$name]"
		got=${seen[$name]:-}
		if [ -z "$got" ]; then
			fail "nstat in $ns shows no $RST_EXT_PREFIX$name"
		elif [ "$got" != "$want" ]; then
			fail "$RST_EXT_PREFIX$name in $ns: got $got, expected $want"
		fi
	done
	for name in "${!expect[@]}"; do
		fail "no counter $RST_EXT_PREFIX$name in the table"
	done
	[ -z "$_events" ] || _chk_events "$ns"
}

# --- the module's events ---------------------------------------------------

RST_EXT_TRACEFS=/sys/kernel/tracing
RST_EXT_EVENT=mptcp_rst_ext/mptcp_rst_ext_reset
_events=

# tracefs_instance DIR: a new tracefs instance that records no task names.
# With record-cmd on (the default), enabling an event also hooks
# sched:sched_switch, whose static key sits in __schedule(): on a kernel with
# jump labels (Debian's) under TCG, patching it while the other vCPU
# schedules was an "Oops: int3" in __schedule() now and then (QEMU 7.2,
# two vCPUs; like the boot panics scripts/vm.sh retries).  An instance takes
# its options from the top level's as it is created, and record-cmd can be
# set at the top level only: off for that moment, then as it was.
tracefs_instance() {
	local opt=$RST_EXT_TRACEFS/options/record-cmd was rc
	was=$(cat "$opt") || return 1
	echo 0 >"$opt" || return 1
	mkdir "$1"
	rc=$?
	echo "$was" >"$opt"
	return $rc
}

# events_on: from now on, chk_rst_ext also checks the module's events (its
# tracepoint, collected in a tracefs instance of our own).  The module must
# be loaded; unloading it removes its events from the instance.
events_on() {
	[ -d "$RST_EXT_TRACEFS/instances" ] || mount -t tracefs nodev "$RST_EXT_TRACEFS" || return 1
	_events=$RST_EXT_TRACEFS/instances/rst_ext_$$
	tracefs_instance "$_events" && echo 1 >"$_events/events/$RST_EXT_EVENT/enable" && return 0
	_events=
	return 1
}

# events_off: the event off, the instance removed.
events_off() {
	[ -n "$_events" ] || return 0
	[ ! -e "$_events/events/$RST_EXT_EVENT/enable" ] || echo 0 >"$_events/events/$RST_EXT_EVENT/enable"
	rmdir "$_events"
	_events=
}

# events NS [FILE]: the events of NS since it was created, one per line:
#   DIR STATELESS CODE CAUSE SRC DEST TOKEN TRANSIENT
# (CAUSE "-" for a received reset)
# from our tracefs instance, or from FILE, the text of another reader (perf
# script, trace-cmd report: the event's own format).
events() {
	awk -v inum="$(netns_inum "$1")" '
	/tracing_mark_write: rst_ext_netns / { if ($NF == inum) n = 0; next }
	/mptcp_rst_ext_reset: / {
		delete f
		for (i = 1; i <= NF; i++)
			if (split($i, kv, "=") == 2)
				f[kv[1]] = kv[2]
		if (f["netns"] == inum)
			ev[++n] = f["dir"] " " f["stateless"] " " f["code"] " " \
				(f["cause"] == "" ? "-" : f["cause"]) " " f["src"] " " f["dest"] " " f["token"] " " f["transient"]
	}
	END { for (i = 1; i <= n; i++) print ev[i] }' "${2:-$_events/trace}"
}

# _chk_events NS: called by _chk_rst_ext with the counters of NS in seen[]:
# the events of NS match them one for one (a sent reset's cause and code on
# the wire, stateless or not; a received reset's code), and each event's
# source is an address of NS.
_chk_events() {
	local ns=$1 name doc kind n dir stateless code cause src dest token a
	local -A count=() addr=()
	# ip -br addr: NAME STATE ADDRESS/PREFIX...
	while read -r _ _ a; do
		for a in $a; do
			addr[${a%/*}]=1
		done
	done < <(nsexec "$ns" ip -br addr)
	while read -r dir stateless code cause src dest token _; do
		# A code RFC 8684 does not define is printed in hex (TxOther, RxOther).
		[[ $code == 0x* ]] && code=other
		count[$dir]=$((${count[$dir]:-0} + 1))
		count[$dir:$cause]=$((${count[$dir:$cause]:-0} + 1))
		count[$dir:code:$code]=$((${count[$dir:code:$code]:-0} + 1))
		[ "$dir $stateless" = "tx 1" ] && [ "$code" != none ] && count[stateless]=$((${count[stateless]:-0} + 1))
		src=${src%:*} src=${src#\[} src=${src%\]}
		# An IPv4-mapped address is the IPv4 address of an AF_INET6 socket.
		[[ $src == ::ffff:*.*.*.* ]] && src=${src#::ffff:}
		[ -n "${addr[$src]:-}" ] ||
			fail "$ns: event from $src, not an address of $ns: $dir $code $cause $src $dest $token"
	done < <(events "$ns")
	local causes=0
	while IFS=$'\t' read -r name doc kind _; do
		case $kind in
		cause) n=${count[tx:$name]:-0} causes=$((causes + ${seen[$name]:-0})) ;;
		tx | rx)
			code=other
			[[ $doc =~ MPTCP_RST_(E[A-Z0-9]+) ]] && code=${BASH_REMATCH[1]}
			n=${count[$kind:code:$code]:-0}
			;;
		tx-stateless) n=${count[stateless]:-0} ;;
		*) continue ;;
		esac
		[ "$n" = "${seen[$name]:-0}" ] ||
			fail "$ns: $n $kind events for $RST_EXT_PREFIX$name, which is ${seen[$name]:-0}"
	done <"$RST_EXT_COUNTERS"
	[ "${count[tx]:-0}" = "$causes" ] || fail "$ns: ${count[tx]:-0} events of sent resets, the causes sum to $causes"
}

# chk_invariants NS: the module's own self-check of NS holds, read without
# counting anything (debugfs mptcp_rst_ext/invariants, one line per
# invariant, from invariants() in rust/rst_ext.rs: the invariants are written
# there only); and it compares every counter the table ties to a kernel
# counter the running kernel has.  nsenter, not `ip netns exec`, which
# remounts /sys without debugfs.
# The kernel's MPTcpExt counters (names), read once.
declare -A _kernel_mib=()

chk_invariants() {
	local ns=$1 lines line name kernel n=0 want=4
	local -A shown=()
	local -a cmd=(cat "$RST_EXT_DEBUGFS/invariants")
	[ "$ns" = init ] || cmd=(nsenter --net="/var/run/netns/$ns" "${cmd[@]}")
	if ! lines=$("${cmd[@]}") || [ -z "$lines" ]; then
		fail "$ns: cannot read $RST_EXT_DEBUGFS/invariants"
		return
	fi
	while IFS= read -r line; do
		n=$((n + 1))
		shown[${line%%: *}]=1
		case $line in
		*' ok') ;;
		*) fail "$ns: self-check: $line" ;;
		esac
	done <<<"$lines"
	if [ ${#_kernel_mib[@]} = 0 ]; then
		while read -r name _; do
			_kernel_mib[$name]=1
		done < <(nstat_counters init 'MPTcpExt*')
	fi
	while IFS=$'\t' read -r name _ _ kernel; do
		[ "$kernel" != - ] && [ -n "${_kernel_mib[MPTcpExt$kernel]:-}" ] || continue
		want=$((want + 1))
		[ -n "${shown[$name = $kernel]:-}" ] || fail "$ns: self-check does not compare $name with $kernel"
	done <"$RST_EXT_COUNTERS"
	[ "$n" = "$want" ] || fail "$ns: self-check: $n invariants, expected $want"
}

# nstat_counters NS PATTERN...: "NAME VALUE" of each counter of NS that
# nstat shows (-asz: absolute, zeros too), its header left out.
nstat_counters() {
	local ns=$1 name value
	shift
	while read -r name value _; do
		[[ $name == \#* ]] || echo "$name $value"
	done < <(nsexec "$ns" nstat -asz "$@")
}

# counter_value NS NAME: a counter, empty if it is not there (yet).
counter_value() {
	local _ value
	read -r _ value < <(nstat_counters "$1" "$2")
	echo "$value"
}

counter_reached() {
	local got
	got=$(counter_value "$1" "$2")
	[ "${got:-0}" -ge "$3" ]
}

# wait_counter NS NAME N: until the counter reaches N (poll), so that the
# exact checks that follow do not race the kernel.
wait_counter() {
	poll counter_reached "$@" && return 0
	local got
	got=$(counter_value "$1" "$2")
	fail "$2 in $1 stayed at ${got:-0}, waited for $3"
	return 1
}

# chk_counter NS NAME N: one counter (kernel or module) is exactly N.
chk_counter() {
	local got
	got=$(get_counter "$1" "$2")
	[ "$got" = "$3" ] || fail "$2 in $1: got $got, expected $3"
}

# retired_counter NAME: a counter's total over the netns torn down with
# selfcheck=1 (debugfs mptcp_rst_ext/retired, two lines as /proc/net/netstat).
retired_counter() {
	PROC_NET_NETSTAT=$RST_EXT_DEBUGFS/retired nstat -asz "$RST_EXT_PREFIX$1" |
		awk 'NR==2 {print $2}'
}
