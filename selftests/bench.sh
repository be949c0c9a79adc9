#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmarks of mptcp_rst_ext, run in the test VM by scripts/bench.sh: not a
# test, a measurement.  Prints raw numbers, one "key=value ..." line per
# run, then summaries (lines starting with "summary").
#   RST_EXT_KO=... RST_EXT_COUNTERS=... selftests/bench.sh
# Sizes:
#   BENCH_PAIRS    throughput pairs, module unloaded/loaded interleaved (7)
#   BENCH_SECONDS  seconds of each bulk transfer (5)
#   BENCH_RESETS   provoked resets per reset-storm run (20000)
#   BENCH_ROUNDS   reset-storm rounds, each with every variant (5)
#   BENCH_TRACED   resets traced to time one probe call (2000)
#   BENCH_NETNS    network namespaces for the memory measure (500)
#   BENCH_READS    reads of /proc/net/netstat per run (2000)
#   BENCH_CONNS    short connections per churn run (20000)
#   BENCH_FAMILIES churn families ("tcp4 tcp6 mptcp4 mptcp6")
#   BENCH_PARTS    what to run ("throughput storm probe netstat churn memory")
# RST_EXT_CLOCK=icount (from scripts/vm.sh --icount): the guest's clock
# counts guest instructions, one per ns: every time below is then an
# instruction count of the whole VM (both vCPUs, idle skipped).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"
peer=$here/mptcp_peer.py
stress=$here/mptcp_stress.py

BENCH_PAIRS=${BENCH_PAIRS:-7}
BENCH_SECONDS=${BENCH_SECONDS:-5}
BENCH_RESETS=${BENCH_RESETS:-20000}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
BENCH_NETNS=${BENCH_NETNS:-500}
BENCH_READS=${BENCH_READS:-2000}
BENCH_CONNS=${BENCH_CONNS:-20000}
BENCH_FAMILIES=${BENCH_FAMILIES:-tcp4 tcp6 mptcp4 mptcp6}
BENCH_PARTS=${BENCH_PARTS:-throughput storm probe netstat churn memory}

T=/sys/kernel/tracing

# part NAME: true if NAME is in BENCH_PARTS
part() {
	[[ " $BENCH_PARTS " == *" $1 "* ]]
}

trap 'netns_cleanup; module_loaded && module_unload' EXIT
module_loaded && module_unload

# median of the arguments
median() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# ratio A B: B / A, four decimals
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", b / a}'
}

echo "kernel=$(uname -r) clock=${RST_EXT_CLOCK:-host} bpf_jit_enable=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo none) cpus=$(nproc) possible_cpus=$(cat /sys/devices/system/cpu/possible)" \
	"counters=$(wc -l <"$RST_EXT_COUNTERS") pairs=$BENCH_PAIRS seconds=$BENCH_SECONDS" \
	"resets=$BENCH_RESETS rounds=$BENCH_ROUNDS reads=$BENCH_READS netns=$BENCH_NETNS"

# tracer_reset: the tracer back to its boot state (no tracer, no filter).
tracer_reset() {
	echo nop >$T/current_tracer
	echo >$T/set_graph_function
	echo >$T/set_ftrace_filter
	echo 0 >$T/max_graph_depth
}

# tracer_functions FILTER: the function tracer on the functions FILTER names
# (set_ftrace_filter syntax), its buffer empty, tracing off until the caller
# turns it on; fails if the filter matches nothing.
tracer_functions() {
	echo 0 >$T/tracing_on
	echo "$1" >$T/set_ftrace_filter || return 1
	echo function >$T/current_tracer
	echo >$T/trace
}

# --- throughput ---------------------------------------------------------------
# Bulk MPTCP transfer from ns1 to ns2 over two subflows (two veth pairs),
# module unloaded (A) and loaded (B) in turn: A B, B A, A B, ... so that a
# drift of the VM's speed hits both alike.
if part throughput; then
net_pair
ip -n "$ns1" mptcp limits set subflow 1
ip -n "$ns2" mptcp limits set subflow 1
ip -n "$ns1" mptcp endpoint add 10.0.2.1 dev ns1eth2 subflow

# bulk MODULE(0|1) RUN: one transfer; prints its line, sets $mbps, $mb
# (MB carried) and $nspm, the receiver's nanoseconds per MB: with
# clock=icount, the guest instructions of the whole VM per MB carried.
# With $bulk_traced set, tracing is on from the listener's being up to the
# transfer's end (not over the counter reads around it).
port=20000
bulk_traced=
bulk() {
	local loaded=$1 run=$2 out joins
	if [ "$loaded" = 1 ]; then
		module_loaded || module_load
	else
		module_loaded && module_unload
	fi
	port=$((port + 1))
	joins=$(get_counter "$ns2" MPTcpExtMPJoinAckRx)
	ip netns exec "$ns2" "$stress" bulk-server 10.0.1.2 "$port" >/tmp/bench-server.$$ &
	local spid=$!
	wait_listen "$ns2" "$port" >/dev/null
	[ -z "$bulk_traced" ] || echo 1 >$T/tracing_on
	ip netns exec "$ns1" "$stress" bulk-client 10.0.1.2 "$port" "$BENCH_SECONDS"
	wait $spid
	[ -z "$bulk_traced" ] || echo 0 >$T/tracing_on
	out=$(cat /tmp/bench-server.$$)
	joins=$(($(get_counter "$ns2" MPTcpExtMPJoinAckRx) - joins))
	local bytes=${out#bytes=}
	bytes=${bytes%% *}
	local secs=${out##*seconds=}
	mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.2f", b / s / 1e6}')
	nspm=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.0f", s * 1e9 / (b / 1e6)}')
	mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}')
	echo "throughput run=$run module=$loaded bytes=$bytes seconds=$secs MBps=$mbps ns_per_MB=$nspm subflows=$((joins + 1))"
}
tput_a=() tput_b=() nspm_a=() nspm_b=()
for i in $(seq "$BENCH_PAIRS"); do
	if [ $((i % 2)) = 1 ]; then order="0 1"; else order="1 0"; fi
	for m in $order; do
		bulk "$m" "$i"
		if [ "$m" = 1 ]; then
			tput_b+=("$mbps") nspm_b+=("$nspm")
		else
			tput_a+=("$mbps") nspm_a+=("$nspm")
		fi
	done
done
module_loaded && module_unload
rm -f /tmp/bench-server.$$
# pairs_summary WHAT UNIT A B: the summary line of the A (without) and B
# (with) arrays, named, of one measure: medians, their ratio, and the median
# of each pair's ratio (what drifts between pairs cancels out).
pairs_summary() {
	local -n a=$3 b=$4
	local ma mb i ratios=()
	ma=$(median "${a[@]}")
	mb=$(median "${b[@]}")
	for i in "${!a[@]}"; do
		ratios+=("$(ratio "${a[$i]}" "${b[$i]}")")
	done
	echo "summary throughput: median ${1}without the module $ma$2, with $mb$2," \
		"ratio of the medians $(ratio "$ma" "$mb")," \
		"median of the pairs' ratios $(median "${ratios[@]}") ($BENCH_PAIRS pairs: ${ratios[*]})"
}
pairs_summary "" " MB/s" tput_a tput_b
pairs_summary "ns_per_MB " "" nspm_a nspm_b

# The module's share of a bulk transfer, counted rather than timed: the
# function tracer on every function of the module (set_ftrace_filter
# :mod:mptcp_rst_ext; each of its hooks enters through one) records every
# call the kernel makes into it.  A short and a long transfer: calls that
# do not grow with the bytes are per connection (set-up and close), and
# the module costs the bulk path nothing per packet.
# calls_bulk SECONDS: one such transfer; prints its line, sets $calls.
calls_bulk() {
	local t by
	module_loaded || module_load
	tracer_functions ':mod:mptcp_rst_ext' ||
		{ echo "throughput calls: the module's functions cannot be traced"; return 1; }
	bulk_traced=1 BENCH_SECONDS=$1 bulk 1 "calls-${1}s"
	t=$(grep -v '^#' $T/trace | sed -n 's/.*[0-9]: \([^ ]*\) <-.*/\1/p')
	calls=$(echo "$t" | grep -c .)
	by=$(echo "$t" | sort | uniq -c | awk 'NF {printf " %s=%s", $2, $1}')
	echo "throughput calls seconds=$1 MB=$mb calls=$calls lost=$(awk '/^overrun/ {n += $2} END {print n + 0}' $T/per_cpu/cpu*/stats)$by"
	tracer_reset
}
if [ -d $T ] && grep -qw function $T/available_tracers; then
	calls_bulk 1 && c1=$calls m1=$mb &&
		calls_bulk "$BENCH_SECONDS" &&
		echo "summary throughput: calls into the module: $c1 in a 1 s transfer ($m1 MB)," \
			"$calls in a $BENCH_SECONDS s one ($mb MB); extra calls per extra MB:" \
			"$(awk -v a="$c1" -v b="$calls" -v x="$m1" -v y="$mb" \
				'BEGIN {if (y == x) print "none (both carried as many MB)"; else printf "%.4f", (b - a) / (y - x)}')"
	module_unload
else
	echo "throughput calls: no function tracer"
fi
netns_cleanup
fi

# --- reset storm ----------------------------------------------------------------
# BENCH_RESETS MP_JOIN SYNs with unknown tokens from ns1 to a listener of
# ns2, one generator pinned to CPU 0: each is answered by a stateless reset.
# Variants: no probe, the module (its event off), the module with its event
# on (recorded in a tracefs instance: one reader), an equivalent bpftrace
# script on the same tracepoints.  CPU time of the whole VM from /proc/stat (user, nice,
# system, irq, softirq, steal; USER_HZ ticks) around the generator's loop,
# and the loop's wall time.
# Counting the resets and the subflows that close, as the module's probes
# do (without BTF, bpftrace cannot read tcp_send_reset's enum reason field).
bpf_script='tracepoint:tcp:tcp_send_reset { @tx = count(); }
tracepoint:sock:inet_sock_set_state /args->protocol == 6 && args->newstate == 7/ { @close = count(); }'
bpftrace_ok=
# Without BTF in the kernel, bpftrace parses the kernel's headers: those of
# the build tree the VM booted (scripts/bench.sh passes it).
if [ -n "${BENCH_KDIR:-}" ]; then
	ksrc=$BENCH_KDIR/source
	[ -d "$ksrc" ] || ksrc=$BENCH_KDIR
	export BPFTRACE_KERNEL_SOURCE=$ksrc BPFTRACE_KERNEL_BUILD=$BENCH_KDIR
fi
if ! part storm && ! part probe && ! part churn; then
	:
elif command -v bpftrace >/dev/null; then
	mountpoint -q /sys/kernel/tracing || mount -t tracefs none /sys/kernel/tracing 2>/dev/null
	if timeout 300 bpftrace -e 'tracepoint:tcp:tcp_send_reset { @ = count(); exit(); }' \
		-c '/bin/true' >/tmp/bench-bpf-probe.$$ 2>&1; then
		bpftrace_ok=1
	else
		echo "bpftrace: does not run here: $(head -5 /tmp/bench-bpf-probe.$$ | tr '\n' ' ')"
	fi
	rm -f /tmp/bench-bpf-probe.$$
else
	echo "bpftrace: not installed"
fi

# bpf_start: the bpftrace script running (output in /tmp/bench-bpf.PID,
# its pid in $bpid), once its probes are attached; bpf_stop: ended.
bpf_start() {
	bpftrace -e "$bpf_script" >/tmp/bench-bpf.$$ 2>&1 &
	bpid=$!
	for _ in $(seq 600); do
		grep -q Attaching /tmp/bench-bpf.$$ && break
		sleep 0.5
	done
	sleep 1
}
bpf_stop() {
	kill -INT "$bpid"
	wait "$bpid"
}

# rotated ROUND: the names in variants=(), in the order of round ROUND: the
# order rotates by one from round to round.
rotated() {
	local n=${#variants[@]} k
	for k in $(seq 0 $((n - 1))); do
		echo "${variants[$(((k + $1 - 1) % n))]}"
	done
}

# storm VARIANT ROUND: one run; prints its line, sets $cpu_ns (per reset).
storm() {
	local variant=$1 round=$2 bpid="" out secs ticks before after
	case $variant in
	module) module_load ;;
	event) module_load && events_on ;;
	bpftrace) bpf_start ;;
	esac
	before=$(get_counter "$ns2" MPTcpExtMPJoinNoTokenFound)
	sync
	sleep 1
	# The generator measures the machine's CPU time around its loop only.
	out=$(taskset -c 0 ip netns exec "$ns1" "$stress" flood 10.0.1.1 10.0.1.2 10000 "$BENCH_RESETS")
	after=$(get_counter "$ns2" MPTcpExtMPJoinNoTokenFound)
	secs=${out##*seconds=}
	ticks=${out#*busy_ticks=}
	ticks=${ticks%% *}
	local extra=
	case $variant in
	module)
		extra=" counted=$(get_counter "$ns2" MPTcpRstExtMPJoinNoTokenReset)"
		module_unload
		;;
	event)
		extra=" counted=$(get_counter "$ns2" MPTcpRstExtMPJoinNoTokenReset)"
		extra+=" events_in_buffer=$(grep -c 'mptcp_rst_ext_reset: ' "$_events/trace")"
		events_off
		module_unload
		;;
	bpftrace)
		bpf_stop
		extra=" counted=$(awk '/^@tx:/ {print $2}' /tmp/bench-bpf.$$)"
		sed 's/^/bpftrace output: /' /tmp/bench-bpf.$$
		;;
	esac
	cpu_ns=$(awk -v t="$ticks" -v hz="$hz" -v n="$BENCH_RESETS" 'BEGIN {printf "%.0f", t / hz * 1e9 / n}')
	wall_ns=$(awk -v s="$secs" -v n="$BENCH_RESETS" 'BEGIN {printf "%.0f", s * 1e9 / n}')
	echo "storm round=$round variant=$variant resets=$((after - before))$extra cpu_ticks=$ticks" \
		"wall_s=$secs cpu_ns_per_reset=$cpu_ns wall_ns_per_reset=$wall_ns"
}
if part storm; then
net_pair
ip netns exec "$ns2" "$peer" listen 10.0.1.2 10000 &
lpid=$!
wait_listen "$ns2" 10000 >/dev/null
hz=$(getconf CLK_TCK)
variants=(none module event)
[ -n "$bpftrace_ok" ] && variants+=(bpftrace)
declare -A cpu=() wall=()
for r in $(seq "$BENCH_ROUNDS"); do
	for var in $(rotated "$r"); do
		storm "$var" "$r"
		cpu[$var]+=" $cpu_ns"
		wall[$var]+=" $wall_ns"
	done
done
rm -f /tmp/bench-bpf.$$
kill "$lpid"
wait "$lpid" 2>/dev/null
[ "${RST_EXT_CLOCK:-}" = icount ] &&
	echo "summary storm: clock=icount, every ns of guest time is one guest instruction (both vCPUs)"
for var in "${variants[@]}"; do
	# shellcheck disable=SC2086
	echo "summary storm $var: median cpu_ns_per_reset $(median ${cpu[$var]}) wall_ns_per_reset $(median ${wall[$var]})"
done
for var in "${variants[@]}"; do
	[ "$var" = none ] && continue
	# shellcheck disable=SC2086
	echo "summary storm $var cost per reset (median minus none's): cpu $(($(median ${cpu[$var]} | cut -d. -f1) - $(median ${cpu[none]} | cut -d. -f1))) ns," \
		"wall $(($(median ${wall[$var]} | cut -d. -f1) - $(median ${wall[none]} | cut -d. -f1))) ns," \
		"wall ratio $(ratio "$(median ${wall[none]})" "$(median ${wall[$var]})")"
done
netns_cleanup
fi

# --- probe time -----------------------------------------------------------------
# The time of one stateless reset, tcp_v4_send_reset() (which fires
# tcp:tcp_send_reset, and so contains its probes), with no probe, with the
# module, with bpftrace; and of the module's probe itself,
# rst_ext_probe_send_reset().  From the function_graph tracer at depth 1,
# with only that function in set_ftrace_filter (so only its call site is
# patched, and its callees are not traced).  The generator's namespace
# drops the resets it gets, so that each traced call is a reset sent.
# probe_time LABEL FUNCTION: median duration in ns over BENCH_TRACED resets
BENCH_TRACED=${BENCH_TRACED:-2000}
probe_time() {
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	# (Enabling the tracer on every function crashed a TCG guest once: an
	# int3 of the live patching hit in an unrelated function.)
	echo "$2" >$T/set_ftrace_filter || { echo "probe time: cannot trace $2"; return 1; }
	echo "$2" >$T/set_graph_function
	echo 1 >$T/max_graph_depth
	echo 8192 >$T/buffer_size_kb
	echo function_graph >$T/current_tracer
	echo >$T/trace
	[ -z "$_events" ] || echo >"$_events/trace"
	echo 1 >$T/tracing_on
	taskset -c 0 ip netns exec "$ns1" "$stress" flood 10.0.1.1 10.0.1.2 10000 "$BENCH_TRACED" >/dev/null
	echo 0 >$T/tracing_on
	local d ev=
	d=$(grep -F " $2" $T/trace | grep -oE '[0-9]+\.[0-9]+ us' | awk '{print $1 * 1000}')
	[ -z "$_events" ] || ev=" events=$(grep -c 'mptcp_rst_ext_reset: ' "$_events/trace")"
	echo "probe time $1 $2: calls=$(echo "$d" | grep -c .) median_ns=$(median $d)" \
		"min_ns=$(echo "$d" | sort -g | head -1) max_ns=$(echo "$d" | sort -g | tail -1)$ev"
	tracer_reset
}
if ! part probe; then
	:
elif [ -d $T ] && grep -qw function_graph $T/available_tracers; then
	net_pair
	ip netns exec "$ns1" nft -f - <<-NFT
	table inet rstext {
		chain in {
			type filter hook input priority 0;
			tcp flags rst drop
		}
	}
	NFT
	ip netns exec "$ns2" "$peer" listen 10.0.1.2 10000 &
	lpid=$!
	wait_listen "$ns2" 10000 >/dev/null
	for r in 1 2; do
		probe_time none tcp_v4_send_reset
		module_load
		probe_time module tcp_v4_send_reset
		probe_time module rst_ext_probe_send_reset
		events_on
		probe_time event tcp_v4_send_reset
		probe_time event rst_ext_probe_send_reset
		events_off
		module_unload
		if [ -n "$bpftrace_ok" ]; then
			bpf_start
			probe_time bpftrace tcp_v4_send_reset
			bpf_stop
			rm -f /tmp/bench-bpf.$$
		fi
	done
	kill "$lpid"
	wait "$lpid" 2>/dev/null
	netns_cleanup
else
	echo "probe time: no function_graph tracer"
fi

# --- /proc/net/netstat read -----------------------------------------------------
# What a collector (nstat, node_exporter) pays per read: BENCH_READS reads of
# /proc/net/netstat by one process pinned to CPU 0, without the module and
# with it (its block written by the kprobe on mptcp_seq_show()), the order
# alternating from round to round.
netstat_reads() {
	taskset -c 0 python3 -c '
import sys, time
n = int(sys.argv[1])
t = time.monotonic_ns()
for _ in range(n):
    with open("/proc/net/netstat", "rb") as f:
        b = f.read()
print(f"ns_per_read={(time.monotonic_ns() - t) // n} bytes={len(b)}")' "$BENCH_READS"
}
if part netstat; then
declare -A reads=()
for r in $(seq "$BENCH_ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order="none module"; else order="module none"; fi
	for var in $order; do
		[ "$var" = none ] || module_load
		out=$(netstat_reads)
		[ "$var" = none ] || module_unload
		echo "netstat round=$r variant=$var reads=$BENCH_READS $out"
		out=${out#ns_per_read=}
		reads[$var]+=" ${out%% *}"
	done
done
# shellcheck disable=SC2086
echo "summary netstat: median ns_per_read without the module $(median ${reads[none]}), with $(median ${reads[module]})," \
	"ratio $(ratio "$(median ${reads[none]})" "$(median ${reads[module]})")"
# How many times the kernel renders the file per read, counted: seq_read_iter()
# runs the show again, with a buffer twice as large, whenever the output
# overflows the one it has (one page at first).
if [ -d $T ] && grep -qw function $T/available_tracers &&
	grep -qx netstat_seq_show $T/available_filter_functions; then
	shows=()
	for var in none module; do
		[ "$var" = none ] || module_load
		tracer_functions netstat_seq_show
		echo 1 >$T/tracing_on
		out=$(BENCH_READS=100 netstat_reads)
		echo 0 >$T/tracing_on
		[ "$var" = none ] || module_unload
		shows+=("$(grep -c ' netstat_seq_show <-' $T/trace)")
		echo "netstat shows variant=$var reads=100 netstat_seq_show=${shows[-1]} ${out#* }"
		tracer_reset
	done
	echo "summary netstat: the file is rendered ${shows[0]} times in 100 reads without the module, ${shows[1]} with it"
else
	echo "netstat shows: netstat_seq_show() cannot be traced"
fi
fi

# --- connection churn ----------------------------------------------------------
# What the module's sock:inet_sock_set_state probe costs a host making many
# short connections, plain TCP included (the tracepoint fires for every TCP
# socket's state change): BENCH_CONNS connections from ns1 to a server of
# ns2 that accepts and closes each one (connect, close, no data), the
# client's loop timed: with clock=icount, the guest instructions of the
# whole VM per connection, both sides.  For plain TCP and MPTCP, IPv4 and
# IPv6; variants as the storm's (none, module, module with its event on,
# bpftrace on the same tracepoints), rotated from round to round, each run
# in new namespaces (no TIME_WAIT left from the run before).
# churn VARIANT FAMILY ROUND: one run; prints its line, sets $conn_ns.
churn() {
	local variant=$1 family=$2 round=$3 bpid="" proto addr out extra="" retrans drops
	proto=${family%[46]}
	case $family in
	*4) addr=10.0.1.2 ;;
	*6) addr=dead:beef:1::2 ;;
	esac
	net_pair
	# The server on the other CPU, with an accept queue no run fills: a
	# dropped SYN would be retried a second later, and with clock=icount the
	# idle wait jumps the clock by that second.
	ip netns exec "$ns2" sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
	# Every client socket ends in TIME_WAIT (the client closes first): with
	# a namespace's default of 8,192 TIME_WAIT sockets (2 GiB guest), the
	# rest would close at once and answer the server's FIN with a reset,
	# and with the default 28,232 local ports, a port would come back while
	# the server still has its connection, and its SYN be retried a
	# second later.
	ip netns exec "$ns1" sysctl -qw net.ipv4.tcp_max_tw_buckets=262144 net.ipv4.ip_local_port_range="1024 65535"
	taskset -c 1 ip netns exec "$ns2" "$stress" conns-server "$proto" "$addr" 30000 &
	local spid=$!
	wait_listen "$ns2" 30000 >/dev/null
	case $variant in
	module) module_load ;;
	event) module_load && events_on ;;
	bpftrace) bpf_start ;;
	esac
	sync
	sleep 1
	out=$(taskset -c 0 ip netns exec "$ns1" "$stress" conns-client "$proto" "$addr" 30000 "$BENCH_CONNS")
	case $variant in
	module) module_unload ;;
	event)
		extra=" events_in_buffer=$(grep -c 'mptcp_rst_ext_reset: ' "$_events/trace")"
		events_off
		module_unload
		;;
	bpftrace)
		bpf_stop
		extra=" closes_counted=$(awk '/^@close:/ {print $2}' /tmp/bench-bpf.$$)"
		;;
	esac
	kill "$spid"
	wait "$spid" 2>/dev/null
	extra+=" resets_sent=$(get_counter "$ns1" TcpOutRsts)+$(get_counter "$ns2" TcpOutRsts)"
	retrans=$(get_counter "$ns1" TcpExtTCPSynRetrans)
	drops=$(get_counter "$ns2" TcpExtListenDrops)
	extra+=" syn_retrans=$retrans listen_drops=$drops"
	netns_cleanup
	conn_ns=${out##*ns_per_conn=}
	echo "churn round=$round family=$family variant=$variant $out$extra"
	[ "$retrans$drops" = 00 ] || churn_retried+=" $round.$family.$variant"
}
if part churn; then
variants=(none module event)
[ -n "$bpftrace_ok" ] && variants+=(bpftrace)
declare -A conn=()
churn_retried=
for family in $BENCH_FAMILIES; do
	for r in $(seq "$BENCH_ROUNDS"); do
		for var in $(rotated "$r"); do
			churn "$var" "$family" "$r"
			conn[$family.$var]+=" $conn_ns"
		done
	done
	# shellcheck disable=SC2086
	none=$(median ${conn[$family.none]})
	line="summary churn $family: median ns_per_conn none $none"
	for var in "${variants[@]:1}"; do
		# shellcheck disable=SC2086
		m=$(median ${conn[$family.$var]})
		line+=", $var $m (+$((m - none)), $(ratio "$none" "$m"))"
	done
	echo "$line"
done
[ -z "$churn_retried" ] || echo "churn: SYNs retransmitted or dropped (the times include a timeout) in:$churn_retried"
rm -f /tmp/bench-bpf.$$
fi

# --- memory ---------------------------------------------------------------------
# The same BENCH_NETNS extra netns, module loaded and not: the loading
# allocates every netns' counters and proc file, the unloading frees them.
# Deltas of /proc/meminfo (kB), with 0 extra netns and with BENCH_NETNS.
meminfo() {
	awk '/^(Percpu|Slab|SUnreclaim|MemFree|VmallocUsed):/ {printf "%s=%s ", $1, $2}' /proc/meminfo | tr -d :
}
# load_delta: meminfo after the load minus before, "Name=kB ..."
load_delta() {
	local a b
	sync
	sleep 1
	a=$(meminfo)
	module_load
	sleep 1
	b=$(meminfo)
	module_unload
	sleep 1
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ");
		for (i = 1; i <= n; i++) { split(x[i], p, "="); split(y[i], q, "="); printf "%s=%d ", p[1], q[2] - p[2] }
	}'
}
if part memory; then
for r in 1 2 3; do
	echo "memory netns=0 round=$r delta_kB: $(load_delta)"
done
for i in $(seq "$BENCH_NETNS"); do
	ip netns add "rstext-bench-$i"
done
for r in 1 2 3; do
	echo "memory netns=$BENCH_NETNS round=$r delta_kB: $(load_delta)"
done
module_load
echo "module: /proc/modules size $(awk '$1 == "mptcp_rst_ext" {print $2}' /proc/modules) bytes," \
	"coresize $(cat /sys/module/mptcp_rst_ext/coresize), initsize $(cat /sys/module/mptcp_rst_ext/initsize)," \
	"taint $(cat /sys/module/mptcp_rst_ext/taint)"
module_unload
for i in $(seq "$BENCH_NETNS"); do
	ip netns del "rstext-bench-$i"
done
fi
echo "bench: done"
