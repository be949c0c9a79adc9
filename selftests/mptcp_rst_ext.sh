#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Selftests of mptcp_rst_ext: load/unload, modinfo, the per-netns proc file,
# and real MPTCP resets between two network namespaces.  TAP 13 output; exit
# codes as kselftest (0 pass, 1 fail, 4 skip).  Run as root in the test VM:
#   RST_EXT_KO=path/to/mptcp_rst_ext.ko RST_EXT_COUNTERS=path/to/counters.tsv \
#   selftests/mptcp_rst_ext.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"
peer=$here/mptcp_peer.py
# A netns with no traffic, kept for the whole run: its /proc/net/netstat is
# stable, so it can be compared byte for byte.
nsq=rstext-quiet-$$
ip netns add "$nsq"
trap 'netns_cleanup; ip netns del "$nsq"' EXIT
tap_start
[ -z "${RST_EXT_ONLY:-}" ] || echo "# RST_EXT_ONLY ignored: this file's tests build on the ones before: all run"

module_loaded && module_unload
zeros=$(for n in $RST_EXT_NAMES; do printf ' 0'; done)
netstat_before=$(ip netns exec "$nsq" cat /proc/net/netstat)

test_begin "module loads"
dmesg -C
if run module_load; then
	module_loaded || fail "/sys/module/mptcp_rst_ext missing after insmod"
	dmesg | grep -q 'mptcp_rst_ext: loaded' || fail "no 'loaded' line in dmesg"
fi
test_end

test_begin "modinfo: license, description, version"
[ "$(modinfo -F license "$RST_EXT_KO")" = GPL ] || fail "license is '$(modinfo -F license "$RST_EXT_KO")'"
modinfo -F description "$RST_EXT_KO" | grep -q MPTCP || fail "description lacks MPTCP"
version=$(modinfo -F version "$RST_EXT_KO")
[[ $version == "$RST_EXT_VERSION"* ]] || fail "version '$version' does not start with VERSION"
[ "$(cat /sys/module/mptcp_rst_ext/version 2>/dev/null)" = "$version" ] ||
	fail "/sys/module/mptcp_rst_ext/version differs from modinfo's '$version'"
test_end

test_begin "proc file in init_net: netstat format, every counter 0"
if [ -f "$RST_EXT_PROC" ]; then
	[ "$(stat -c %a "$RST_EXT_PROC")" = 444 ] || fail "mode $(stat -c %a "$RST_EXT_PROC"), expected 444"
	[ "$(wc -l <"$RST_EXT_PROC")" = 2 ] || fail "$(wc -l <"$RST_EXT_PROC") lines, expected 2"
	names=$(sed -n 1p "$RST_EXT_PROC")
	values=$(sed -n 2p "$RST_EXT_PROC")
	[ "$names" = "$RST_EXT_PREFIX: $RST_EXT_NAMES" ] || fail "names line is '$names'"
	[ "$values" = "$RST_EXT_PREFIX:$zeros" ] || fail "values line is '$values'"
else
	fail "$RST_EXT_PROC missing"
fi
test_end

test_begin "proc file in a new netns"
netns_new nsx
# shellcheck disable=SC2154 # netns_new set nsx
if ip netns exec "$nsx" test -f "$RST_EXT_PROC"; then
	chk_rst_ext "$nsx"
else
	fail "$RST_EXT_PROC missing in a new netns"
fi
netns_cleanup
test_end

test_begin "proc file is read-only"
before=$(cat "$RST_EXT_PROC")
if (echo 1 >"$RST_EXT_PROC") 2>/dev/null; then
	fail "writing $RST_EXT_PROC succeeded"
fi
[ "$(cat "$RST_EXT_PROC")" = "$before" ] || fail "content changed after a write attempt"
test_end

test_begin "nstat reads every counter from the proc file"
got=$(PROC_NET_NETSTAT=$RST_EXT_PROC nstat -az "$RST_EXT_PREFIX*" | awk 'NR>1 {print $1}' | sort)
want=$(for n in $RST_EXT_NAMES; do echo "$RST_EXT_PREFIX$n"; done | sort)
[ "$got" = "$want" ] || fail "nstat shows '$(echo $got)', expected '$(echo $want)'"
test_end

test_begin "/proc/net/netstat: our block inserted before MPTcpExt, nothing else changed"
after=$(ip netns exec "$nsq" cat /proc/net/netstat)
expected=$(echo "$netstat_before" | grep -v '^MPTcpExt:'
	printf '%s\n%s\n' "$RST_EXT_PREFIX: $RST_EXT_NAMES" "$RST_EXT_PREFIX:$zeros"
	echo "$netstat_before" | grep '^MPTcpExt:')
[ "$after" = "$expected" ] || fail "/proc/net/netstat is not the old content plus our two lines: $(diff <(echo "$expected") <(echo "$after") | head -5)"
got=$(ip netns exec "$nsq" nstat -az "$RST_EXT_PREFIX*" | awk 'NR>1 {print $1}' | sort)
[ "$got" = "$want" ] || fail "plain nstat shows '$(echo $got)', expected '$(echo $want)'"
ip netns exec "$nsq" nstat -az 'MPTcpExtMPRstTx' | grep -q MPTcpExtMPRstTx || fail "plain nstat lost MPTcpExtMPRstTx"
test_end

test_begin "/proc/net/netstat: many concurrent readers all see the block"
pids=()
for i in $(seq 4); do
	(for _ in $(seq 10); do
		[ "$(ip netns exec "$nsq" cat /proc/net/netstat | grep -c "^$RST_EXT_PREFIX: ")" = 2 ] || exit 1
	done) &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || fail "a reader missed the $RST_EXT_PREFIX block"
done
test_end

# The block's handler runs where an ftrace-based kprobe calls it (rust/shim.c):
# the module's only probe on the file, on mptcp_seq_show(), must be one.
test_begin "/proc/net/netstat: one kprobe of ours, ftrace-based, on mptcp_seq_show"
probes=$(grep -E ' (mptcp|netstat)_seq_show\+' /sys/kernel/debug/kprobes/list)
[ "$(echo "$probes" | grep -c .)" = 1 ] || fail "kprobes on the netstat file: '$probes', expected one on mptcp_seq_show"
[[ $probes == *" mptcp_seq_show+0x"*" [FTRACE]"* ]] || fail "the mptcp_seq_show kprobe is not ftrace-based: '$probes'"
test_end

# fastclose PORT: one MPTCP connection from ns1 to ns2, closed by ns1 with
# SO_LINGER 0 (MP_FASTCLOSE and a reset).
fastclose() {
	local spid
	ip netns exec "$ns2" "$peer" server 10.0.1.2 "$1" &
	spid=$!
	if wait_listen "$ns2" "$1"; then
		run ip netns exec "$ns1" "$peer" client 10.0.1.2 "$1" --linger0
	fi
	wait $spid || fail "server failed"
}

# endp_attempt PORT: an MP_CAPABLE SYN from ns1 to a port-based endpoint of ns2.
endp_attempt() {
	run ip -n "$ns2" mptcp endpoint add 10.0.1.2 port "$1" signal
	if wait_listen "$ns2" "$1"; then
		run ip netns exec "$ns1" "$peer" refused 10.0.1.2 "$1"
	fi
}

test_begin "fastclose: TxUnspec +1 (= MPRstTx) on the closing side, RxUnspec +1 (= MPRstRx) on the peer"
net_pair
fastclose 10000
chk_rst_ext "$ns1" FastcloseTxReset=1 TxUnspec=1
chk_rst_ext "$ns2" RxUnspec=1
chk_rst_ext init
chk_counter "$ns1" MPTcpExtMPFastcloseTx 1
chk_counter "$ns1" MPTcpExtMPRstTx 1
chk_counter "$ns1" MPTcpExtMPRstRx 0
chk_counter "$ns2" MPTcpExtMPRstTx 0
chk_counter "$ns2" MPTcpExtMPRstRx 1
netns_cleanup
test_end

test_begin "endpoint attempt: TxProhibit +1 on the listener, stateless (not in MPRstTx)"
net_pair
endp_attempt 10100
chk_rst_ext "$ns2" EndpAttemptReset=1 TxProhibit=1 TxStateless=1
chk_rst_ext "$ns1"
chk_rst_ext init
chk_counter "$ns2" MPTcpExtMPCapableEndpAttempt 1
chk_counter "$ns2" MPTcpExtMPRstTx 0
chk_counter "$ns1" MPTcpExtMPRstRx 0
netns_cleanup
test_end

test_begin "events: one per reset, with its subflow, code and cause; unload and reload while one is on"
if ! events_on; then
	fail "cannot enable $RST_EXT_EVENT in a tracefs instance"
else
	net_pair
	fastclose 10050
	# chk_rst_ext also matches the events with the counters (_chk_events).
	chk_rst_ext "$ns1" FastcloseTxReset=1 TxUnspec=1
	chk_rst_ext "$ns2" RxUnspec=1
	read -r dir st code cause src dest token transient < <(events "$ns1")
	[ "$dir $st $code $cause ${dest}" = "tx 0 EUNSPEC FastcloseTxReset 10.0.1.2:10050" ] && [[ $src == 10.0.1.1:* ]] ||
		fail "$ns1: event '$dir $st $code $cause $src $dest', expected a fastclose from 10.0.1.1 to 10.0.1.2:10050"
	[ "$token" != 00000000 ] || fail "$ns1: the event has no token"
	[ "$transient" = 0 ] || fail "$ns1: transient=$transient: Linux sends MP_TCPRST with T=0"
	client=$src
	read -r dir st code cause src dest token transient < <(events "$ns2")
	[ "$dir $st $code $transient $cause $src $dest" = "rx 0 EUNSPEC 0 - 10.0.1.2:10050 $client" ] ||
		fail "$ns2: event '$dir $st $code $transient $cause $src $dest', expected the fastclose received from $client"
	netns_cleanup
	net_pair
	endp_attempt 10150
	chk_rst_ext "$ns2" EndpAttemptReset=1 TxProhibit=1 TxStateless=1
	read -r dir st code cause src dest token transient < <(events "$ns2")
	[ "$dir $st $code $transient $cause $src $token" = "tx 1 EPROHIBIT 0 EndpAttemptReset 10.0.1.2:10150 00000000" ] &&
		[[ $dest == 10.0.1.1:* ]] ||
		fail "$ns2: event '$dir $st $code $transient $cause $src $dest $token', expected a stateless reset from 10.0.1.2:10150"
	netns_cleanup
	# The tracing core drops a module's events from every instance when it
	# goes (the VM run fails on any splat or kmemleak report).
	if run module_unload; then
		[ -e "$_events/events/mptcp_rst_ext" ] && fail "the module's events outlive it in the instance"
		if run module_load; then
			[ "$(cat "$_events/events/$RST_EXT_EVENT/enable" 2>&1)" = 0 ] ||
				fail "the event is not back, off, in the instance after a reload"
		fi
	fi
	events_off
fi
test_end

# The event through its usual readers, from Debian's packages, as
# Documentation/events.rst shows them: all three record while one fastclose
# happens, and each must show its two events (sent in ns1, received in ns2).
# consumer_start NAME FILE READY CMD...: CMD in the background (pid in
# cpids[NAME], output in FILE); READY, a shell test, holds once it is
# attached.  consumers_ready: until every one started is attached; one that
# exits or never attaches fails the test and is dropped from cpids.
declare -A cpids=() creadys=() cfiles=()
consumer_start() {
	local name=$1 file=$2 ready=$3
	shift 3
	"$@" >"$file" 2>&1 &
	cpids[$name]=$!
	creadys[$name]=$ready
	cfiles[$name]=$file
}
consumers_ready() {
	local name i waiting
	for ((i = 0; i < 600; i++)); do
		waiting=
		for name in "${!cpids[@]}"; do
			eval "${creadys[$name]}" && continue
			if kill -0 "${cpids[$name]}" 2>/dev/null; then
				waiting=1
				continue
			fi
			fail "$name exited before it attached: $(tail -3 "${cfiles[$name]}" | tr '\n' ' ')"
			wait "${cpids[$name]}"
			unset "cpids[$name]"
		done
		[ -z "$waiting" ] && { sleep 1; return 0; }
		sleep 0.5
	done
	for name in "${!cpids[@]}"; do
		eval "${creadys[$name]}" && continue
		fail "$name did not attach: $(tail -3 "${cfiles[$name]}" | tr '\n' ' ')"
		consumer_stop "$name"
		unset "cpids[$name]"
	done
}
consumer_stop() {
	kill -INT "${cpids[$1]}"
	wait "${cpids[$1]}"
}
# chk_consumer_events NAME FILE [DEST CODE]: FILE holds the fastclose's
# events, as text in the event's format; the sent one's dest is DEST
# (10.0.1.2:10050), the code of both CODE (EUNSPEC).
chk_consumer_events() {
	local ev1 ev2 code=${4:-EUNSPEC} want
	want="tx 0 $code FastcloseTxReset ${3:-10.0.1.2:10050}"
	ev1=$(events "$ns1" "$2" | cut -d' ' -f1-4,6)
	ev2=$(events "$ns2" "$2" | cut -d' ' -f1-4)
	[ "$ev1" = "$want" ] || fail "$1: $ns1's events: '$ev1', expected '$want'"
	[ "$ev2" = "rx 0 $code -" ] || fail "$1: $ns2's events: '$ev2', expected 'rx 0 $code -'"
}

test_begin "event readers: perf record/script, trace-cmd record/report, bpftrace"
tmp=$(mktemp -d)
tp=$RST_EXT_TRACEFS/events/$RST_EXT_EVENT
mountpoint -q "$RST_EXT_TRACEFS" || mount -t tracefs nodev "$RST_EXT_TRACEFS"
if ! command -v perf >/dev/null || ! command -v trace-cmd >/dev/null || ! command -v bpftrace >/dev/null; then
	test_skip "perf, trace-cmd or bpftrace not installed (scripts/setup.sh installs linux-perf, trace-cmd, bpftrace)"
else
	# bpftrace takes the kernel's types from its BTF (Debian's kernel);
	# without BTF (the test kernels) it parses the headers of the tree the
	# VM booted (make check passes it as RST_EXT_KDIR: an O= build tree
	# with its source link, or a tree built in place), or of the installed
	# kernel's build tree; with neither, it cannot start.
	bpftrace_types=/sys/kernel/btf/vmlinux
	if [ -e "$bpftrace_types" ]; then
		:
	elif [ -n "${RST_EXT_KDIR:-}" ]; then
		bpftrace_types=$RST_EXT_KDIR/source
		[ -d "$bpftrace_types" ] || bpftrace_types=$RST_EXT_KDIR
		export BPFTRACE_KERNEL_SOURCE=$bpftrace_types BPFTRACE_KERNEL_BUILD=$RST_EXT_KDIR
	else
		bpftrace_types=/lib/modules/$(uname -r)/build
		if [ ! -e "$bpftrace_types/include/linux/kconfig.h" ]; then
			echo "# bpftrace not run: the kernel has no BTF and $bpftrace_types no headers (RST_EXT_KDIR names a kernel tree)"
			bpftrace_types=
		fi
	fi
	# perf walks /lib/modules/RELEASE as it starts, to find each loaded
	# module's file: over the VM's 9p root, Debian's tree (4,225 modules)
	# takes it 40 s under TCG.  The event needs no module's file: perf
	# runs in a mount namespace of its own where that directory is empty.
	perf=(perf record -a -e mptcp_rst_ext:mptcp_rst_ext_reset -o "$tmp/perf.data")
	if [ -d "/lib/modules/$(uname -r)" ]; then
		mkdir "$tmp/no-modules"
		perf=(unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' - \
			"$tmp/no-modules" "/lib/modules/$(uname -r)" "${perf[@]}")
	fi
	net_pair
	cpids=()
	consumer_start perf "$tmp/perf.log" "[ -s $tmp/perf.data ]" "${perf[@]}"
	consumer_start trace-cmd "$tmp/trace-cmd.log" "[ \"\$(cat $tp/enable)\" = 1 ]" \
		trace-cmd record -e mptcp_rst_ext -o "$tmp/trace.dat"
	[ -z "$bpftrace_types" ] || consumer_start bpftrace "$tmp/bpftrace.txt" "grep -q '^Attaching' $tmp/bpftrace.txt" \
		bpftrace -e 'tracepoint:mptcp_rst_ext:mptcp_rst_ext_reset {
    printf("mptcp_rst_ext_reset: netns=%u dir=%s stateless=%u code=%u cause=%s dest=:%u\n",
           args->netns, args->tx ? "tx" : "rx", args->stateless, args->code,
           str(args->cause), (args->daddr[2] << 8) | args->daddr[3]);
    @resets[str(args->cause), args->tx] = count(); }'
	consumers_ready
	fastclose 10050
	for name in "${!cpids[@]}"; do
		consumer_stop "$name"
	done
	if [ -n "${cpids[perf]:-}" ]; then
		perf script -i "$tmp/perf.data" >"$tmp/perf.txt" 2>>"$tmp/perf.log"
		chk_consumer_events perf "$tmp/perf.txt"
	fi
	if [ -n "${cpids[trace-cmd]:-}" ]; then
		trace-cmd report -i "$tmp/trace.dat" >"$tmp/trace-cmd.txt" 2>>"$tmp/trace-cmd.log"
		chk_consumer_events trace-cmd "$tmp/trace-cmd.txt"
	fi
	if [ -n "${cpids[bpftrace]:-}" ]; then
		chk_consumer_events bpftrace "$tmp/bpftrace.txt" :10050 0
		grep -qx '@resets\[FastcloseTxReset, 1\]: 1' "$tmp/bpftrace.txt" ||
			fail "bpftrace: no '@resets[FastcloseTxReset, 1]: 1' in: $(grep '^@' "$tmp/bpftrace.txt" | tr '\n' ' ')"
	fi
	netns_cleanup
fi
rm -rf "$tmp"
test_end

# The self-check compares each netns' counters with the kernel's MIB.  A netns
# that predates the module is compared from the module's load on.
test_begin "self-check on demand: each netns agrees with the kernel, older resets excluded"
run module_unload
net_pair
fastclose 10200
dmesg -C
if run module_load selfcheck=1; then
	fastclose 10201
	endp_attempt 10202
	# Not chk_rst_ext: its invariants need a netns younger than the module.
	_chk_rst_ext "$ns1" FastcloseTxReset=1 TxUnspec=1
	_chk_rst_ext "$ns2" RxUnspec=1 EndpAttemptReset=1 TxProhibit=1 TxStateless=1
	# The check runs in the writer's netns.
	for ns in init "$nsq" "$ns1" "$ns2"; do
		nsexec "$ns" sh -c 'echo 1 >/sys/module/mptcp_rst_ext/parameters/check' ||
			fail "writing the check parameter in $ns failed"
	done
	chk_counter init MPTcpRstExtSelfCheckNetns 4
	chk_counter init MPTcpRstExtSelfCheckMismatch 0
	chk_counter "$ns1" MPTcpRstExtSelfCheckNetns 0
	dmesg | grep 'selfcheck:' && fail "the self-check logged mismatches"
fi
test_end

test_begin "self-check at netns teardown: no mismatch, run totals in debugfs"
netns_cleanup
# Namespaces are dismantled by a workqueue, after ip netns del returns.
wait_counter init MPTcpRstExtSelfCheckNetns 6
chk_counter init MPTcpRstExtSelfCheckNetns 6
chk_counter init MPTcpRstExtSelfCheckMismatch 0
dmesg | grep 'selfcheck:' && fail "the self-check logged mismatches"
for kv in FastcloseTxReset=1 TxUnspec=1 RxUnspec=1 EndpAttemptReset=1 TxProhibit=1 TxStateless=1 \
	Unattributed=0 MPJoinNoTokenReset=0 SelfCheckNetns=0; do
	got=$(retired_counter "${kv%=*}")
	[ "$got" = "${kv#*=}" ] || fail "retired ${kv%=*}: got '$got', expected ${kv#*=}"
done
# The check parameter is write-only, and takes booleans only.
echo maybe >/sys/module/mptcp_rst_ext/parameters/check 2>/dev/null && fail "check accepted 'maybe'"
[ "$(stat -c %a /sys/module/mptcp_rst_ext/parameters/check)" = 200 ] || fail "check parameter is not mode 200"
test_end

# Not the module's problem, found with it (6.12.117 and 7.3.4): a netns that
# still has a port-based endpoint when it is deleted is never torn down.  The
# endpoint's listener subflow takes a netns reference
# (sk_net_refcnt_upgrade() in mptcp_subflow_create_socket()), and only the
# MPTCP pernet exit, which never runs then, frees the endpoint.  The
# self-check never sees such a netns; netns_cleanup flushes endpoints first.
# A netns without the endpoint, deleted after it, shows that teardown runs.
test_begin "a netns deleted with a port-based endpoint is torn down"
test_todo "known kernel problem: its endpoint's listener holds a netns reference, so the netns leaks (Documentation/testing.rst)"
before=$(get_counter init MPTcpRstExtSelfCheckNetns)
nsl=rstext-leak-$$
ip netns add "$nsl"
ip -n "$nsl" link set lo up
ip -n "$nsl" addr add 10.0.9.1/32 dev lo
run ip -n "$nsl" mptcp endpoint add 10.0.9.1 dev lo port 10300 signal
wait_listen "$nsl" 10300
ip netns del "$nsl"
netns_new nsc
netns_cleanup
# Namespaces are torn down in the order they were deleted.
if wait_counter init MPTcpRstExtSelfCheckNetns $((before + 1)); then
	sleep 1
	got=$(get_counter init MPTcpRstExtSelfCheckNetns)
	[ "$got" = $((before + 2)) ] ||
		fail "of the two netns deleted, $((got - before)) was torn down: the one with the endpoint leaked"
fi
test_end

test_begin "loading twice fails cleanly"
if out=$(module_load 2>&1); then
	fail "second insmod succeeded"
else
	echo "$out" | grep -q 'File exists' || fail "second insmod: '$out', expected 'File exists'"
fi
module_loaded || fail "the module is gone after the second insmod"
[ -f "$RST_EXT_PROC" ] || fail "$RST_EXT_PROC is gone after the second insmod"
test_end

test_begin "unload removes every proc file and restores /proc/net/netstat byte for byte"
netns_new nsy
if run module_unload; then
	module_loaded && fail "/sys/module/mptcp_rst_ext still there"
	[ -e "$RST_EXT_PROC" ] && fail "$RST_EXT_PROC still there in init_net"
	# shellcheck disable=SC2154 # netns_new set nsy
	ip netns exec "$nsy" test -e "$RST_EXT_PROC" && fail "$RST_EXT_PROC still there in $nsy"
	[ "$(ip netns exec "$nsq" cat /proc/net/netstat)" = "$netstat_before" ] ||
		fail "/proc/net/netstat differs from before the module was loaded"
fi
test_end

test_begin "netstat=0 leaves /proc/net/netstat untouched, the proc file still works"
if run module_load netstat=0; then
	[ "$(cat /sys/module/mptcp_rst_ext/parameters/netstat)" = N ] || fail "parameter netstat is not N"
	[ "$(ip netns exec "$nsq" cat /proc/net/netstat)" = "$netstat_before" ] ||
		fail "/proc/net/netstat changed with netstat=0"
	[ "$(ip netns exec "$nsq" sed -n 2p "$RST_EXT_PROC")" = "$RST_EXT_PREFIX:$zeros" ] ||
		fail "$RST_EXT_PROC unreadable with netstat=0"
	run module_unload
fi
test_end

test_begin "reload after unload starts from zero"
if run module_load; then
	chk_rst_ext "$nsq"
	chk_rst_ext init
	run module_unload
fi
netns_cleanup
test_end

# Installed as Documentation/install.rst shows, under a root on the host
# that the VM sees: make check ran `make install KDIR=...
# INSTALL_MOD_PATH=out/<kernel>-<variant>/root` (RST_EXT_ROOT), and DKMS
# under a staging root, scripts/dkms.sh (RST_EXT_DKMS_ROOT).
# chk_modprobe ROOT DIR VERSION: modprobe -d ROOT finds the module in
# lib/modules/<release>/DIR, loads it with the options of /etc/modprobe.d, it
# is VERSION and counts a reset; modprobe -r unloads it.
chk_modprobe() {
	local root=$1 dir=$2 version=$3 conf=/etc/modprobe.d/mptcp_rst_ext.conf dep
	run sh -c "echo 'options mptcp_rst_ext selfcheck=1' >$conf" || return
	dep=$(modprobe -d "$root" --show-depends mptcp_rst_ext 2>&1)
	# (.ko.xz, .ko.zst: where the kernel compresses its modules on install, as Debian's does)
	[[ $dep =~ ^"insmod $root/lib/modules/$(uname -r)/$dir/mptcp_rst_ext.ko"(\.xz|\.zst|\.gz)?" selfcheck=1" ]] ||
		fail "modprobe would run '$dep'"
	if run modprobe -d "$root" mptcp_rst_ext; then
		[ "$(cat /sys/module/mptcp_rst_ext/parameters/selfcheck)" = Y ] ||
			fail "selfcheck is not Y: $conf was not applied"
		[ "$(cat /sys/module/mptcp_rst_ext/version)" = "$version" ] ||
			fail "version $(cat /sys/module/mptcp_rst_ext/version), not $version"
		net_pair
		endp_attempt 10200
		chk_rst_ext "$ns2" EndpAttemptReset=1 TxProhibit=1 TxStateless=1
		netns_cleanup
		run modprobe -r -d "$root" mptcp_rst_ext
		module_loaded && fail "still loaded after modprobe -r"
	fi
	rm -f "$conf"
}

test_begin "make install + modprobe: loads the installed module with the options of /etc/modprobe.d"
if [ -z "${RST_EXT_ROOT:-}" ]; then
	test_skip "RST_EXT_ROOT not set (make check sets it to the root make install wrote)"
else
	chk_modprobe "$RST_EXT_ROOT" updates "$(modinfo -F version "$RST_EXT_KO")"
fi
test_end

# DKMS builds from `git archive HEAD`: outside git, the version is VERSION's.
test_begin "dkms install + modprobe: loads the module DKMS built and installed"
if [ -z "${RST_EXT_DKMS_ROOT:-}" ]; then
	test_skip "RST_EXT_DKMS_ROOT not set (make check sets it to the root scripts/dkms.sh installed in)"
else
	chk_modprobe "$RST_EXT_DKMS_ROOT" updates/dkms "$RST_EXT_VERSION"
fi
test_end

# Debian's prometheus-node-exporter, told to keep our fields (its default
# netstat filter drops them), as Documentation/install.rst shows.
metrics() {
	ip netns exec "$1" curl -sf http://127.0.0.1:9100/metrics >"$2"
}

test_begin "node_exporter: node_netstat_MPTcpRstExt_* equal nstat's, every counter"
if ! command -v prometheus-node-exporter >/dev/null; then
	test_skip "prometheus-node-exporter not installed (scripts/setup.sh installs it)"
elif run module_load; then
	net_pair
	fastclose 10300
	ip netns exec "$ns1" prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
		--collector.disable-defaults --collector.netstat \
		--collector.netstat.fields='^(MPTcpRstExt|MPTcpExt)_.*' >/dev/null 2>&1 &
	exporter=$!
	scrape=$(mktemp)
	if poll metrics "$ns1" "$scrape"; then
		n=0
		declare -A nstat_says=() scraped=()
		while read -r name want _; do
			nstat_says[$name]=$want
		done < <(nstat_counters "$ns1" "$RST_EXT_PREFIX*")
		while read -r name got; do
			scraped[${name#node_netstat_}]=$got
		done < <(grep "^node_netstat_${RST_EXT_PREFIX}_" "$scrape")
		for name in $RST_EXT_NAMES; do
			want=${nstat_says[$RST_EXT_PREFIX$name]:-}
			got=${scraped[${RST_EXT_PREFIX}_$name]:-}
			[ -n "$want" ] || fail "nstat in $ns1 shows no $RST_EXT_PREFIX$name"
			[ "$got" = "$want" ] || fail "node_netstat_${RST_EXT_PREFIX}_$name is '$got', nstat says $want"
			n=$((n + 1))
		done
		got=$(grep -c "^node_netstat_${RST_EXT_PREFIX}_" "$scrape")
		[ "$got" = "$n" ] || fail "$got node_netstat_${RST_EXT_PREFIX}_* series, expected $n"
		grep -qx "node_netstat_${RST_EXT_PREFIX}_FastcloseTxReset 1" "$scrape" ||
			fail "FastcloseTxReset is not 1 in the scrape"
	else
		fail "no scrape from node_exporter in $ns1"
	fi
	kill "$exporter"
	wait "$exporter"
	rm -f "$scrape"
	netns_cleanup
	run module_unload
fi
test_end

tap_finish
