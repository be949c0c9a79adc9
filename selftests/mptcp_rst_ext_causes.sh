#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Selftests of the reset attribution: each case provokes one reset site of
# the real kernel, with a crafted packet (mptcp_craft.py) or a fault injected
# by nft between two real MPTCP stacks, and checks the exact cause and code
# counters on both sides, zero on every other counter, the invariants that
# tie them to the kernel's own counters (chk_invariants in lib.sh), and the
# module's events, one per counted reset (_chk_events).
#   RST_EXT_KO=... RST_EXT_COUNTERS=... [RST_EXT_ONLY=REGEX] selftests/mptcp_rst_ext_causes.sh
# RST_EXT_ONLY runs the cases whose name matches (each case stands alone).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"
peer=$here/mptcp_peer.py
craft=$here/mptcp_craft.py
trap netns_cleanup EXIT
tap_start

module_loaded && module_unload
if ! module_load; then
	echo "Bail out! cannot load $RST_EXT_KO"
	exit $KSFT_FAIL
fi

# Every case also checks the module's events against its counters.
test_begin --always "the module's event can be enabled in a tracefs instance"
events_on || fail "cannot enable $RST_EXT_EVENT"
test_end

# join_pair SERVER_SUBFLOWS: net_pair, the client ($ns1) adding one subflow
# from 10.0.2.1 once the connection is established, the server accepting
# SERVER_SUBFLOWS.
join_pair() {
	net_pair
	ip -n "$ns1" mptcp limits set subflow 1
	ip -n "$ns2" mptcp limits set subflow "$1"
	ip -n "$ns1" mptcp endpoint add 10.0.2.1 dev ns1eth2 subflow
}

# connect_hold SECONDS [CLIENT OPTIONS]: one connection from $ns1 to $ns2,
# kept open exchanging data, then closed normally.
connect_hold() {
	local hold=$1 spid
	shift
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 &
	spid=$!
	wait_listen "$ns2" 10000 &&
		run ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --hold "$hold" "$@"
	wait $spid || fail "server failed"
}

# join_with_fault ns1|ns2 RULE: a join (server accepting it) with RULE in
# the output of the client (ns1) or the server (ns2), until the client has
# sent its reset.
join_with_fault() {
	join_pair 1
	nft_out "${!1}" "$2"
	connect_hold 2
	wait_counter "$ns1" MPTcpExtMPRstTx 1
}

# listen_only PORT [ADDR]: a listener in $ns2 (on ADDR, default 10.0.1.2)
# accepting nothing, until listen_stop.
listen_only() {
	ip netns exec "$ns2" "$peer" listen "${2:-10.0.1.2}" "$1" &
	lpid=$!
	wait_listen "$ns2" "$1"
}

listen_stop() {
	kill "$lpid"
	wait "$lpid" || fail "listener failed"
}

if test_begin "unknown token: MPJoinNoTokenReset (= MPJoinNoTokenFound), EMPTCP on the wire"; then
	net_pair
	listen_only 10000
	out=$(ip netns exec "$ns1" "$craft" join-syn 10.0.1.1 10.0.1.2 10000 deadbeef) || fail "no RST: $out"
	[ "$out" = reason=1 ] || fail "RST carries '$out', expected reason=1"
	listen_stop
	chk_rst_ext "$ns2" MPJoinNoTokenReset=1 TxMptcp=1 TxStateless=1
	chk_rst_ext "$ns1"
	chk_counter "$ns2" MPTcpExtMPJoinNoTokenFound 1
	netns_cleanup
	test_end
fi

if test_begin "port mismatch on the SYN: MismatchPortSynReset (= MismatchPortSynRx), EPROHIBIT"; then
	net_pair
	listen_only 10001
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 &
	spid=$!
	wait_listen "$ns2" 10000
	done_file=$(mktemp -u)
	ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --hold 60 --until "$done_file" &
	cpid=$!
	token=
	for i in $(seq 30); do
		token=$(ip netns exec "$ns2" ss -HMni | grep -o 'token:[0-9a-f]*' | head -1 | cut -d: -f2)
		[ -n "$token" ] && break
		sleep 0.1
	done
	if [ -n "$token" ]; then
		out=$(ip netns exec "$ns1" "$craft" join-syn 10.0.1.1 10.0.1.2 10001 "$token") || fail "no RST: $out"
		[ "$out" = reason=3 ] || fail "RST carries '$out', expected reason=3"
	else
		fail "no MPTCP connection token in ss -M"
	fi
	touch "$done_file"
	wait $cpid || fail "client failed"
	rm -f "$done_file"
	wait $spid || fail "server failed"
	listen_stop
	chk_rst_ext "$ns2" MismatchPortSynReset=1 TxProhibit=1 TxStateless=1
	chk_rst_ext "$ns1"
	chk_counter "$ns2" MPTcpExtMismatchPortSynRx 1
	netns_cleanup
	test_end
fi

if test_begin "subflow limit: MPJoinRejected on the server, MPJoinAckUnconfirmed on the client"; then
	join_pair 0
	connect_hold 2
	wait_counter "$ns1" MPTcpExtMPRstTx 1
	chk_rst_ext "$ns2" MPJoinRejected=1 TxProhibit=1 TxStateless=1
	chk_rst_ext "$ns1" MPJoinAckUnconfirmed=1 TxUnspec=1
	chk_counter "$ns1" MPTcpExtMPRstTx 1
	chk_counter "$ns2" MPTcpExtMPRstRx 0
	netns_cleanup
	test_end
fi

if test_begin "third ACK without MP_JOIN (nft): MPJoinAckNoMPJoin on the server"; then
	join_with_fault ns1 "tcp flags == ack tcp option mptcp subtype 1 reset tcp option mptcp"
	chk_rst_ext "$ns2" MPJoinAckNoMPJoin=1 TxMptcp=1 TxStateless=1
	chk_rst_ext "$ns1" MPJoinAckUnconfirmed=1 TxUnspec=1
	netns_cleanup
	test_end
fi

if test_begin "third ACK with a bad HMAC (nft): MPJoinAckHMacFailure (= the kernel's)"; then
	# NOP NOP TS (12 bytes) then MP_JOIN (24): its HMAC starts at TCP byte 36.
	join_with_fault ns1 "tcp flags == ack tcp option mptcp subtype 1 @th,288,32 set 0"
	chk_rst_ext "$ns2" MPJoinAckHMacFailure=1 TxMptcp=1 TxStateless=1
	chk_rst_ext "$ns1" MPJoinAckUnconfirmed=1 TxUnspec=1
	chk_counter "$ns2" MPTcpExtMPJoinAckHMacFailure 1
	netns_cleanup
	test_end
fi

if test_begin "SYN/ACK without MP_JOIN (nft): MPJoinSynAckNoMPJoin on the client"; then
	join_with_fault ns2 "tcp flags & (syn | ack) == syn | ack tcp option mptcp subtype 1 reset tcp option mptcp"
	chk_rst_ext "$ns1" MPJoinSynAckNoMPJoin=1 TxMptcp=1
	chk_rst_ext "$ns2"
	chk_counter "$ns1" MPTcpExtMPJoinSynAckHMacFailure 0
	netns_cleanup
	test_end
fi

if test_begin "SYN/ACK with a bad HMAC (nft): MPJoinSynAckHMacFail (= the kernel's)"; then
	# MSS, SACK_PERM+TS, NOP+WS (20 bytes) then MP_JOIN (16): its HMAC at TCP byte 44.
	join_with_fault ns2 "tcp flags & (syn | ack) == syn | ack tcp option mptcp subtype 1 @th,352,32 set 0"
	chk_rst_ext "$ns1" MPJoinSynAckHMacFail=1 TxMptcp=1
	chk_rst_ext "$ns2"
	chk_counter "$ns1" MPTcpExtMPJoinSynAckHMacFailure 1
	netns_cleanup
	test_end
fi

# fake_server_join MODE: the client ($ns1, a real kernel with a subflow
# endpoint) connects to the scripted fake server of $ns2 (mptcp_craft.py
# server), which answers the join's SYN as MODE says (ok, no-mpj,
# bad-hmac); $fake_out is what the fake printed.  The fake's own stack has
# no socket on the port: its RSTs are dropped, not the fake's (marked).
fake_server_join() {
	local ready until fpid cpid
	join_pair 1
	nft_out "$ns2" "meta mark != 0x5253 tcp sport 10000 tcp flags & rst == rst drop"
	ready=$(mktemp -u)
	until=$(mktemp -u)
	ip netns exec "$ns2" "$craft" server 10.0.1.2 10000 "$1" "$ready" >"$ready.out" 2>&1 &
	fpid=$!
	poll test -e "$ready"
	ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --bytes 0 --idle --hold 60 --until "$until" &
	cpid=$!
	wait "$fpid" || fail "fake server: $(tr '\n' ' ' <"$ready.out")"
	fake_out=$(cat "$ready.out")
	touch "$until"
	wait "$cpid" || fail "client failed"
	rm -f "$ready" "$ready.out" "$until"
}

if test_begin "fake server, valid join: the fake's HMACs are right, no reset"; then
	fake_server_join ok
	[ "$fake_out" = joined ] || fail "fake server: '$fake_out', expected joined"
	chk_rst_ext "$ns1"
	chk_rst_ext "$ns2"
	chk_counter "$ns1" MPTcpExtMPJoinSynAckRx 1
	netns_cleanup
	test_end
fi

if test_begin "fake server, SYN/ACK without MP_JOIN: MPJoinSynAckNoMPJoin on the client, EMPTCP"; then
	fake_server_join no-mpj
	[ "$fake_out" = reason=1 ] || fail "fake server: '$fake_out', expected reason=1"
	chk_rst_ext "$ns1" MPJoinSynAckNoMPJoin=1 TxMptcp=1
	chk_rst_ext "$ns2"
	chk_counter "$ns1" MPTcpExtMPJoinSynAckHMacFailure 0
	netns_cleanup
	test_end
fi

if test_begin "fake server, SYN/ACK with a bad HMAC: MPJoinSynAckHMacFail (= the kernel's), EMPTCP"; then
	fake_server_join bad-hmac
	[ "$fake_out" = reason=1 ] || fail "fake server: '$fake_out', expected reason=1"
	chk_rst_ext "$ns1" MPJoinSynAckHMacFail=1 TxMptcp=1
	chk_rst_ext "$ns2"
	chk_counter "$ns1" MPTcpExtMPJoinSynAckHMacFailure 1
	chk_counter "$ns1" MPTcpExtMPJoinSynAckRx 0
	netns_cleanup
	test_end
fi

# two_phase SERVER_OPTS CLIENT_OPTS COUNTER NS N [THEN]: a connection from
# $ns1 to $ns2, held open by the client; once COUNTER reaches 1 in NS, the
# file $act appears (for a peer given --until $act), then the command THEN
# runs (if given: it must succeed), then, once N MPTCP resets were sent,
# $done appears and the connection ends.
two_phase() {
	local spid cpid
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 $1 &
	spid=$!
	wait_listen "$ns2" 10000
	ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --hold 60 $2 &
	cpid=$!
	if wait_counter "$4" "$3" 1; then
		touch "$act"
		"${6:-true}" && wait_resets "$5"
	fi
	touch "$act" "$done"
	wait $cpid || fail "client failed"
	wait $spid || fail "server failed"
	rm -f "$act" "$done"
}

# resets_sent: the MPTCP resets ns1 and ns2 sent together.
resets_sent() {
	local ns
	for ns in "$ns1" "$ns2"; do
		ip netns exec "$ns" nstat -asz 'MPTcpRstExtTx*'
	done | awk '!/^#/ && !/Stateless/ {s += $2} END {print s + 0}'
}

resets_reached() {
	[ "$(resets_sent)" -ge "$1" ]
}

# wait_resets N: until ns1 and ns2 together sent N MPTCP resets (poll).
wait_resets() {
	poll resets_reached "$1" || fail "$(resets_sent) MPTCP resets sent, waited for $1"
}

msk_in_state() {
	ip netns exec "$1" ss -HMn state "$2" | grep -q .
}

# wait_msk_state NS STATE: until an MPTCP socket of NS is in STATE (ss -M).
wait_msk_state() {
	poll msk_in_state "$1" "$2" && return 0
	fail "no MPTCP socket in $2 in $1: $(ip netns exec "$1" ss -HMn | tr -s ' \n' ' ')"
	return 1
}

if test_begin "join racing a closing connection (SYN/ACK held back, DATA_FIN first): MPJoinNotEstablished, EMPTCP"; then
	join_pair 1
	# Only the join uses the second path.  Its SYN/ACKs are dropped until the
	# server's DATA_FIN has taken the client's connection to CLOSE_WAIT; the
	# next one (retransmitted: the server still listens) then completes a join
	# on a connection that is no longer established.  No timing is involved.
	nft_out "$ns2" "ip daddr 10.0.2.1 tcp flags & (syn | ack) == syn | ack drop"
	release_synacks() {
		wait_msk_state "$ns1" close-wait && ip netns exec "$ns2" nft delete table inet rstext
	}
	act=$(mktemp -u) done=$(mktemp -u)
	two_phase "--until $act" "--idle --until $done" MPTcpExtMPJoinSynRx "$ns2" 1 release_synacks
	chk_rst_ext "$ns1" MPJoinNotEstablished=1 TxMptcp=1
	chk_rst_ext "$ns2"
	# The kernel counts a SYN/ACK only once the join is accepted.
	chk_counter "$ns1" MPTcpExtMPJoinSynAckRx 0
	chk_counter "$ns1" MPTcpExtMPJoinSynAckHMacFailure 0
	netns_cleanup
	test_end
fi

# fake_client_pair: net_pair, $ns2 listening on port 10000 and accepting one
# subflow, the fake client's ports kept from $ns1's resets.
fake_client_pair() {
	net_pair
	ip -n "$ns2" mptcp limits set subflow 1
	fake_peer_ports "$ns1"
	listen_only 10000
}

# fake_client_join MODE: the scripted fake client of $ns1 (mptcp_craft.py
# client-join) opens a connection with a listener of $ns2 (which accepts
# one subflow, and no connection: the listener stays) and joins it as MODE
# says (ok, after-fin); $fake_out is what the fake printed.  The counters
# are checked with the listener still there: closing it resets the
# connection.
fake_client_join() {
	fake_client_pair
	fake_out=$(ip netns exec "$ns1" "$craft" client-join 10.0.1.1 10.0.1.2 10000 "$1" 2>&1) ||
		fail "fake client: $fake_out"
}

if test_begin "fake client, valid join: the fake's HMAC is right, no reset"; then
	fake_client_join ok
	[ "$fake_out" = joined ] || fail "fake client: '$fake_out', expected joined"
	chk_rst_ext "$ns2"
	chk_rst_ext "$ns1"
	chk_counter "$ns2" MPTcpExtMPJoinAckRx 1
	listen_stop
	netns_cleanup
	test_end
fi

if test_begin "fake client, join completed after the DATA_FIN: MPJoinRejected on the listener, EPROHIBIT"; then
	# The listener accepted the join's SYN on a fully established connection;
	# the third ACK comes after the connection's DATA_FIN: the connection no
	# longer accepts subflows (subflow_syn_recv_sock() checks that before
	# mptcp_finish_join(), whose MPJoinNotEstablished is then only a race).
	fake_client_join after-fin
	[ "$fake_out" = reason=3 ] || fail "fake client: '$fake_out', expected reason=3"
	chk_rst_ext "$ns2" MPJoinRejected=1 TxProhibit=1 TxStateless=1
	chk_rst_ext "$ns1"
	chk_counter "$ns2" MPTcpExtMPJoinSynRx 1
	chk_counter "$ns2" MPTcpExtMPJoinAckRx 0
	chk_counter "$ns2" MPTcpExtMPJoinAckHMacFailure 0
	listen_stop
	netns_cleanup
	test_end
fi

# fake_client_rst CODE T: the fake client of $ns1 opens a connection with a
# listener of $ns2 and resets it with MP_TCPRST CODE, T flag T, as a peer
# other than Linux may (Linux always sends T=0); the listener is gone after.
fake_client_rst() {
	net_pair
	fake_peer_ports "$ns1"
	listen_only 10000
	out=$(ip netns exec "$ns1" "$craft" client-rst 10.0.1.1 10.0.1.2 10000 "$1" "$2" 2>&1) || fail "fake client: $out"
	wait_counter "$ns2" MPTcpExtMPRstRx 1
	listen_stop
}

# chk_rx_event CODE T: the one event of $ns2 is that reset, received, its
# code printed CODE, its T flag T.
chk_rx_event() {
	[ -n "$_events" ] || return 0
	read -r dir st code cause src dest token transient < <(events "$ns2")
	[ "$dir $st $code $cause $src $transient" = "rx 0 $1 - 10.0.1.2:10000 $2" ] && [[ $dest == 10.0.1.1:4* ]] ||
		fail "$ns2: event '$dir $st $code $cause $src $dest $token $transient', expected $1 with transient=$2 from 10.0.1.1"
}

# The received reset counts its code, and its event carries the flag.
if test_begin "fake client resets with MP_TCPRST EPROHIBIT, T=1: RxProhibit, an rx event with transient=1"; then
	fake_client_rst 3 1
	chk_rst_ext "$ns2" RxProhibit=1
	chk_rst_ext "$ns1"
	chk_rx_event EPROHIBIT 1
	netns_cleanup
	test_end
fi

# RFC 8684 defines codes 0 to 6; the option has 4 bits, and the kernel takes
# (and counts in MPRstRx) any of them from a peer: ours must count it too, or
# the self-check would be the peer's to trip.
if test_begin "fake client resets with an undefined code (9): RxOther, an rx event with code=0x9, self-check 0 mismatch"; then
	fake_client_rst 9 0
	chk_rst_ext "$ns2" RxOther=1
	chk_rst_ext "$ns1"
	chk_rx_event 0x9 0
	mismatch=$(counter_value init "${RST_EXT_PREFIX}SelfCheckMismatch")
	ip netns exec "$ns2" sh -c 'echo 1 >/sys/module/mptcp_rst_ext/parameters/check'
	chk_counter init "${RST_EXT_PREFIX}SelfCheckMismatch" "${mismatch:-0}"
	netns_cleanup
	test_end
fi

# The option's Reason is a byte (RFC 8684 3.6), but the kernel keeps its low
# 4 bits (reset_reason:4): a peer's 0x11 is EMPTCP to the kernel, and so to
# the module, which reads the code where the kernel left it.
if test_begin "fake client resets with code 0x11, past 4 bits: the kernel keeps 1, so RxMptcp, an rx event with code=EMPTCP"; then
	fake_client_rst 17 0
	chk_rst_ext "$ns2" RxMptcp=1
	chk_rst_ext "$ns1"
	chk_rx_event EMPTCP 0
	netns_cleanup
	test_end
fi

# A reset sent by a task: data arriving after shutdown() makes TCP reset
# (TCPAbortOnData), and arriving while the task holds the socket, it waits
# in the socket's backlog, which release_sock() processes in that task.  On
# 7.3 the tracepoint then calls the module's probe preemptible: a debug
# kernel (DEBUG_PREEMPT) reports any per-cpu access made there.  The data
# comes at the right moment by itself: shutdown(SHUT_RD) first stops window
# updates, the client reads what it has, and its FIN (sent by
# shutdown(SHUT_WR), socket held) opens the window, which lets the server
# send; on loopback that data comes back in the same softirq, socket still
# held.  Plain TCP: nothing of ours counts.  backlog_reset NS prints the
# client's socket error (ECONNRESET).
backlog_reset() {
	ip -n "$1" link set lo mtu 1500
	ip netns exec "$1" python3 -S - <<-'PY'
		import errno, socket, time
		addr = ("127.0.0.1", 10000)
		srv = socket.socket()
		srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		srv.bind(addr)
		srv.listen(1)
		a = socket.socket()
		a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
		a.connect(addr)
		b, _ = srv.accept()
		b.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
		b.setblocking(False)
		try:
		    while True:
		        b.send(b"x" * 65536)
		except BlockingIOError:
		    pass
		time.sleep(1)  # the client's window is full, the rest waits in the server
		a.shutdown(socket.SHUT_RD)
		while a.recv(1 << 20, socket.MSG_DONTWAIT):
		    pass
		a.shutdown(socket.SHUT_WR)
		err = a.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
		print(errno.errorcode.get(err, err))
		PY
}

if test_begin "plain TCP reset from a socket's backlog (task context, preemptible on 7.3): nothing counted"; then
	netns_new ns1
	rst_trace=$RST_EXT_TRACEFS/instances/rst_ext_tcp_$$
	if tracefs_instance "$rst_trace" && echo 1 >"$rst_trace/events/tcp/tcp_send_reset/enable"; then
		for try in 1 2 3; do
			out=$(backlog_reset "$ns1" 2>&1)
			[ "$out" = ECONNRESET ] || { fail "client: '$out', expected ECONNRESET"; break; }
			# The event's flags: a third one of "s" or "h" is an interrupt.
			ctx=$(awk '/tcp_send_reset:.*TCP_ABORT_ON_DATA/ { print substr($3, 3, 1) }' "$rst_trace/trace")
			[ "$ctx" = . ] && break
			# Rare: a window probe of the server got its window update
			# out before the FIN; the reset then came from softirq.
			echo "# try $try: the reset was sent in context '$ctx', not from the backlog"
			echo >"$rst_trace/trace"
		done
		[ "$ctx" = . ] || fail "no reset sent from a task in 3 tries"
		chk_counter "$ns1" TcpExtTCPAbortOnData "$try"
		chk_rst_ext "$ns1"
		echo 0 >"$rst_trace/events/tcp/tcp_send_reset/enable"
	else
		fail "cannot enable tcp:tcp_send_reset"
	fi
	rmdir "$rst_trace" 2>/dev/null
	netns_cleanup
	test_end
fi

if test_begin "fastclose, second subflow's RST lost: the peer resets it, FastcloseRxReset"; then
	join_pair 1
	# The client's fastclose RST on the joined subflow never arrives: the
	# server resets that subflow itself when the first one brings MP_FASTCLOSE.
	nft_out "$ns1" "ip saddr 10.0.2.1 tcp flags rst drop"
	# That reset comes 1 s late, after the client has reset both subflows:
	# otherwise, on a slow (debug) kernel, the server's reset can be processed
	# (veth: in the client's task, at its next local_bh_enable()) between the
	# client's two, which then sends one and receives one (RxUnspec).
	tc -n "$ns2" qdisc add dev ns2eth2 root netem delay 1000ms
	act=$(mktemp -u) done=$(mktemp -u)
	two_phase "" "--linger0 --until $act" MPTcpExtMPJoinAckRx "$ns2" 3
	chk_rst_ext "$ns1" FastcloseTxReset=2 TxUnspec=2
	chk_rst_ext "$ns2" FastcloseRxReset=1 TxUnspec=1 RxUnspec=1
	chk_counter "$ns1" MPTcpExtMPFastcloseTx 2
	chk_counter "$ns2" MPTcpExtMPFastcloseRx 1
	netns_cleanup
	test_end
fi

# TCP itself gives up on a subflow: its keepalive probe gets no answer (nft
# drops everything the server sends once the data was echoed), and
# tcp_keepalive_timer() resets it with a TCP reason; the RST still carries
# MP_TCPRST (the subflow's reset_reason, 0).
if test_begin "keepalive timeout on the subflow (nft drops the server's answers): TcpAbortReset, EUNSPEC"; then
	net_pair
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 &
	spid=$!
	wait_listen "$ns2" 10000
	ready=$(mktemp -u) until=$(mktemp -u)
	ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --keepalive --idle --hold 60 --ready "$ready" --until "$until" &
	cpid=$!
	poll test -e "$ready" && nft_out "$ns2" "tcp sport 10000 drop" && wait_counter "$ns1" MPTcpExtMPRstTx 1
	touch "$until"
	wait $cpid || fail "client failed"
	# The server's connection lost its only subflow, and waits for another.
	kill $spid
	wait $spid
	rm -f "$ready" "$until"
	chk_rst_ext "$ns1" TcpAbortReset=1 TxUnspec=1
	chk_rst_ext "$ns2" RxUnspec=1
	chk_counter "$ns1" MPTcpExtMPRstTx 1
	netns_cleanup
	test_end
fi

# A connection that fell back to TCP: its resets are plain TCP (no
# MP_TCPRST), and nothing of ours counts them.  nft strips MP_CAPABLE from
# the client's SYN; the client then aborts (SO_LINGER 0).
if test_begin "connection fallen back to TCP (MP_CAPABLE stripped from the SYN), then reset: nothing counted"; then
	net_pair
	nft_out "$ns1" "tcp flags == syn reset tcp option mptcp"
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 &
	spid=$!
	wait_listen "$ns2" 10000 && run ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --linger0
	wait $spid || fail "server failed"
	chk_rst_ext "$ns1"
	chk_rst_ext "$ns2"
	chk_counter "$ns1" MPTcpExtMPCapableFallbackSYNACK 1
	chk_counter "$ns1" MPTcpExtMPRstTx 0
	[ "$(counter_value "$ns1" TcpOutRsts)" -ge 1 ] || fail "$ns1 sent no RST"
	netns_cleanup
	test_end
fi

# fault_once_after_join RULE: a connection with two subflows; once the join
# is done (no fallback to TCP is possible any more), RULE acts on the data
# the client sends on its first subflow.  That is one packet: the client
# sends 1000 bytes (one segment) and waits for their echo before sending
# more, the server resets the first subflow on that packet, and the data
# then goes over the second subflow, which the rule does not match.
fault_once_after_join() {
	local spid cpid done_file
	done_file=$(mktemp -u)
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 &
	spid=$!
	wait_listen "$ns2" 10000
	ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --hold 60 --until "$done_file" --bytes 1000 &
	cpid=$!
	if wait_counter "$ns2" MPTcpExtMPJoinAckRx 1; then
		nft_out "$ns1" "ip saddr 10.0.1.1 tcp option mptcp subtype 2 meta length > 200 $1"
		wait_counter "$ns2" MPTcpExtMPRstTx 1
	fi
	touch "$done_file"
	wait $cpid || fail "client failed"
	wait $spid || fail "server failed"
	rm -f "$done_file"
}

# Data without a DSS mapping: 6.12.117 resets with EMPTCP; 7.3 with
# EMIDDLEBOX (net/mptcp/subflow.c:1469 of 7.3.4, MAPPING_NODSS).
code=Mptcp
[ "$RST_EXT_KERNEL" = 6.12 ] || code=Middlebox
if test_begin "data without a DSS mapping (nft strips one DSS): DssReset (= 7.3's), Tx$code"; then
	join_pair 1
	fault_once_after_join "reset tcp option mptcp"
	chk_rst_ext "$ns2" DssReset=1 "Tx$code=1"
	chk_rst_ext "$ns1" "Rx$code=1"
	netns_cleanup
	test_end
fi

if test_begin "DSS checksum failure (nft alters one payload byte): DataCsumReset, EMIDDLEBOX after MP_FAIL"; then
	join_pair 1
	ip netns exec "$ns1" sysctl -qw net.mptcp.checksum_enabled=1
	ip netns exec "$ns2" sysctl -qw net.mptcp.checksum_enabled=1
	# Byte 120 of the TCP segment is payload (headers and options are shorter).
	fault_once_after_join "@th,960,8 set 0"
	chk_rst_ext "$ns2" DataCsumReset=1 TxMiddlebox=1
	chk_rst_ext "$ns1" RxMiddlebox=1
	chk_counter "$ns2" MPTcpExtDataCsumErr 1
	chk_counter "$ns2" MPTcpExtMPFailTx 1
	netns_cleanup
	test_end
fi

# The same sites over IPv6 (dead:beef:N::1 <-> dead:beef:N::2, net_pair), and
# over IPv4-mapped IPv6: an AF_INET6 client connecting to ::ffff:10.0.1.2,
# whose subflows are IPv4 on the wire but AF_INET6 sockets, so the events of
# its subflows carry ::ffff: addresses; a listener's reset replies to the
# packet, IPv4.  Each case checks its events' addresses: the subflow's, or
# the packet's replied to.
for fam in 6 4in6; do
	case $fam in
	# srv: the server's address, dst: the client's name for it; ev_cli:
	# the client's subflow's address, ev_srv: the server's, each as its
	# own socket has it.
	6)
		srv=dead:beef:1::2 dst=dead:beef:1::2 join=dead:beef:2::1
		ev_cli=dead:beef:1::1 ev_srv=dead:beef:1::2
		;;
	4in6)
		srv=10.0.1.2 dst=::ffff:10.0.1.2 join=10.0.2.1
		ev_cli=::ffff:10.0.1.1 ev_srv=10.0.1.2
		;;
	esac
	# ev_addr ADDR PORT: how an event prints it (%pISpc).
	ev_addr() { if [[ $1 == *:* ]]; then echo "[$1]:$2"; else echo "$1:$2"; fi; }

	# The fake peer crafts IPv6 packets; a mapped client has nothing to craft.
	if [ "$fam" = 6 ] && test_begin "IPv6: unknown token: MPJoinNoTokenReset (= MPJoinNoTokenFound), EMPTCP, the SYN's addresses"; then
		net_pair
		listen_only 10000 "$srv"
		out=$(ip netns exec "$ns1" "$craft" join-syn dead:beef:1::1 "$srv" 10000 deadbeef) || fail "no RST: $out"
		[ "$out" = reason=1 ] || fail "RST carries '$out', expected reason=1"
		listen_stop
		chk_rst_ext "$ns2" MPJoinNoTokenReset=1 TxMptcp=1 TxStateless=1
		chk_rst_ext "$ns1"
		chk_counter "$ns2" MPTcpExtMPJoinNoTokenFound 1
		if [ -n "$_events" ]; then
			read -r dir st code cause src dest token _ < <(events "$ns2")
			[ "$dir $st $code $cause $src $token" = "tx 1 EMPTCP MPJoinNoTokenReset [$srv]:10000 deadbeef" ] &&
				[[ $dest == "[$ev_cli]:"* ]] ||
				fail "$ns2: event '$dir $st $code $cause $src $dest $token', expected a stateless reset to [$ev_cli]"
		fi
		netns_cleanup
		test_end
	fi

	if test_begin "IPv$fam: MP_CAPABLE SYN to a port-based endpoint: EndpAttemptReset, EPROHIBIT, stateless"; then
		net_pair
		run ip -n "$ns2" mptcp endpoint add "$srv" port 10100 signal
		wait_listen "$ns2" 10100 && run ip netns exec "$ns1" "$peer" refused "$dst" 10100
		chk_rst_ext "$ns2" EndpAttemptReset=1 TxProhibit=1 TxStateless=1
		chk_rst_ext "$ns1"
		chk_counter "$ns2" MPTcpExtMPCapableEndpAttempt 1
		if [ -n "$_events" ]; then
			# The packet's addresses: IPv4 on the wire for a mapped client.
			want=$(ev_addr "${ev_srv}" 10100)
			read -r dir st code cause src dest token _ < <(events "$ns2")
			[ "$dir $st $code $cause $src" = "tx 1 EPROHIBIT EndpAttemptReset $want" ] ||
				fail "$ns2: event '$dir $st $code $cause $src $dest', expected a stateless reset from $want"
		fi
		netns_cleanup
		test_end
	fi

	if test_begin "IPv$fam: fastclose: FastcloseTxReset, EUNSPEC, its events with the subflow's addresses"; then
		net_pair
		ip netns exec "$ns2" "$peer" server "$srv" 10000 &
		spid=$!
		wait_listen "$ns2" 10000 && run ip netns exec "$ns1" "$peer" client "$dst" 10000 --linger0
		wait $spid || fail "server failed"
		chk_rst_ext "$ns1" FastcloseTxReset=1 TxUnspec=1
		chk_rst_ext "$ns2" RxUnspec=1
		chk_counter "$ns1" MPTcpExtMPRstTx 1
		if [ -n "$_events" ]; then
			read -r dir st code cause src dest token _ < <(events "$ns1")
			[ "$dir $st $code $cause" = "tx 0 EUNSPEC FastcloseTxReset" ] &&
				[[ $src == "$(ev_addr "$ev_cli" "")"* && $dest == "$(ev_addr "$dst" 10000)" ]] ||
				fail "$ns1: event '$dir $st $code $cause $src $dest', expected a fastclose from $ev_cli to $dst"
			client=$src
			# The server's socket is AF_INET for a mapped client.
			[ "$fam" = 6 ] || { client=${src#"[::ffff:"} client=${client/"]"/}; }
			read -r dir st code cause src dest token _ < <(events "$ns2")
			[ "$dir $code $src $dest" = "rx EUNSPEC $(ev_addr "$ev_srv" 10000) $client" ] ||
				fail "$ns2: event '$dir $code $src $dest', expected the fastclose received from $client"
		fi
		netns_cleanup
		test_end
	fi

	if test_begin "IPv$fam: subflow limit: MPJoinRejected on the server, MPJoinAckUnconfirmed on the client"; then
		net_pair
		ip -n "$ns1" mptcp limits set subflow 1
		ip -n "$ns2" mptcp limits set subflow 0
		ip -n "$ns1" mptcp endpoint add "$join" dev ns1eth2 subflow
		ip netns exec "$ns2" "$peer" server "$srv" 10000 &
		spid=$!
		wait_listen "$ns2" 10000 && run ip netns exec "$ns1" "$peer" client "$dst" 10000 --hold 2
		wait $spid || fail "server failed"
		wait_counter "$ns1" MPTcpExtMPRstTx 1
		chk_rst_ext "$ns2" MPJoinRejected=1 TxProhibit=1 TxStateless=1
		chk_rst_ext "$ns1" MPJoinAckUnconfirmed=1 TxUnspec=1
		if [ -n "$_events" ]; then
			# The join's own path, the second one: its SYN is the packet
			# the listener replies to, and the client's subflow is IPv4
			# in both cases of 4in6 (an IPv4 endpoint).
			read -r dir st code cause src dest token _ < <(events "$ns1")
			[ "$dir $cause" = "tx MPJoinAckUnconfirmed" ] && [[ $src == "$(ev_addr "$join" "")"* ]] ||
				fail "$ns1: event '$dir $cause $src $dest', expected a reset from $join"
			read -r dir st code cause src dest token _ < <(events "$ns2")
			[ "$dir $st $cause" = "tx 1 MPJoinRejected" ] && [[ $dest == "$(ev_addr "$join" "")"* ]] ||
				fail "$ns2: event '$dir $st $cause $src $dest', expected a refused join from $join"
		fi
		netns_cleanup
		test_end
	fi
done

# Sites no user-space action reaches on this kernel: each test checks that
# the reason still holds, and says SKIP with it; if it stops holding (a newer
# kernel, another config), the test fails and asks for the real case.
if test_begin "MD5 key on an MPTCP listener: MD5SigReset"; then
	out=$(python3 -S - <<-'PY' 2>&1
		import errno, socket, struct
		s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
		# struct tcp_md5sig: sockaddr_storage, flags, prefixlen, keylen, ifindex, key[80]
		addr = struct.pack("=HH4s", socket.AF_INET, 0, socket.inet_aton("10.0.1.1")).ljust(128, b"\0")
		md5 = addr + struct.pack("=BBHi", 0, 0, 4, 0) + b"key!".ljust(80, b"\0")
		try:
		    s.setsockopt(socket.IPPROTO_TCP, 14, md5)  # TCP_MD5SIG
		    print("accepted")
		except OSError as e:
		    print(errno.errorcode.get(e.errno, e.errno))
		PY
	)
	# mptcp_setsockopt() refuses it (ENOPROTOOPT on 6.12.117), so no MPTCP
	# listener, nor its first subflow, ever has a key.
	case $out in
	ENOPROTOOPT | EOPNOTSUPP)
		test_skip "unreachable: the kernel refuses TCP_MD5SIG on MPTCP sockets ($out), so no MPTCP listener has a key; covered by the host unit tests"
		;;
	*) fail "TCP_MD5SIG on an MPTCP socket gave '$out': provoke MD5SigReset for real" ;;
	esac
	test_end
fi

# The join's subflow context is allocated (GFP_ATOMIC) when the listener
# accepts the third ACK, in subflow_ulp_clone(); if that fails,
# subflow_syn_recv_sock() refuses the join (MPJoinAckNoCtx on 7.3).  The
# kernel's failslab fails exactly that allocation: once (times), and only
# under subflow_ulp_clone() (its stack filter), armed after the connection's
# own first subflow got its context.  The test kernels have it
# (scripts/kconfig/base.config).
failslab=/sys/kernel/debug/failslab
if test_begin "no subflow context at the third ACK (failslab in subflow_ulp_clone()): MPJoinAckNoCtx"; then
	if [ ! -e $failslab/require-start ]; then
		test_skip "unreachable: needs a GFP_ATOMIC allocation to fail in subflow_ulp_clone(), and the test kernel has no fault injection with a stack filter (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_STACKTRACE_FILTER); covered by the host unit tests"
	else
		fake_client_pair
		# subflow_ulp_clone() and the next symbol: its text.  The kernel's
		# own symbols are listed in address order (scripts/kallsyms sorts
		# them); no sort(1): on the debug kernel under TCG, sorting the
		# 136,000 lines took over 5 minutes.
		read -r start end < <(awk 'start && $1 != start { print start, $1; exit }
			$3 == "subflow_ulp_clone" { start = $1 }' /proc/kallsyms)
		go=$(mktemp -u)
		ip netns exec "$ns1" "$craft" client-join 10.0.1.1 10.0.1.2 10000 reset "$go" >"$go.out" 2>&1 &
		fpid=$!
		if [ -z "$start" ] || [ -z "$end" ]; then
			fail "subflow_ulp_clone not in /proc/kallsyms"
			touch "$go"
		elif poll test -e "$go.ready"; then
			echo "0x$start" >$failslab/require-start
			echo "0x$end" >$failslab/require-end
			echo 32 >$failslab/stacktrace-depth
			echo 1 >$failslab/verbose
			echo 1 >$failslab/times
			echo 100 >$failslab/probability
			touch "$go"
		else
			fail "fake client: no connection: $(cat "$go.out")"
		fi
		wait "$fpid" || fail "fake client: $(cat "$go.out")"
		echo 0 >$failslab/probability
		[ "$(cat $failslab/times)" = 0 ] || fail "failslab did not fail the allocation"
		[ "$(cat "$go.out")" = reason=1 ] || fail "fake client: '$(cat "$go.out")', expected reason=1"
		rm -f "$go" "$go.ready" "$go.out"
		# Checked with the listener still there: closing it resets the
		# connection (as fake_client_join says).
		chk_rst_ext "$ns2" MPJoinAckNoCtx=1 TxMptcp=1 TxStateless=1
		chk_rst_ext "$ns1"
		[ "$RST_EXT_KERNEL" = 6.12 ] || chk_counter "$ns2" MPTcpExtMPJoinAckNoCtx 1
		listen_stop
		netns_cleanup
	fi
	test_end
fi

tap_finish
