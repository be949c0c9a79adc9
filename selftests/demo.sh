#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, run in the test VM by `make demo`: load the module, provoke a few
# real MPTCP resets between two network namespaces, show the counters.
#   RST_EXT_KO=path/to/mptcp_rst_ext.ko RST_EXT_COUNTERS=path/to/counters.tsv selftests/demo.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib.sh
. "$here/lib.sh"
peer=$here/mptcp_peer.py
trap netns_cleanup EXIT
set -e

fail() { echo "demo: $*" >&2; exit 1; }

module_loaded || module_load
echo "== $(dmesg | grep 'mptcp_rst_ext:' | tail -1)"
events_on || fail "cannot enable the module's event in a tracefs instance"
echo "== event $RST_EXT_EVENT on, in $_events"
net_pair
echo "== client netns $ns1 (10.0.1.1), server netns $ns2 (10.0.1.2)"

for i in 1 2 3; do
	ip netns exec "$ns2" "$peer" server 10.0.1.2 10000 &
	wait_listen "$ns2" 10000
	ip netns exec "$ns1" "$peer" client 10.0.1.2 10000 --linger0
	wait
done
echo "== 3 connections closed with SO_LINGER 0 (MP_FASTCLOSE) by the client"

ip -n "$ns2" mptcp endpoint add 10.0.1.2 port 10100 signal
wait_listen "$ns2" 10100
for i in 1 2; do
	ip netns exec "$ns1" "$peer" refused 10.0.1.2 10100
done
echo "== 2 MP_CAPABLE connections refused by the server's port-based endpoint"

for ns in "$ns1" "$ns2"; do
	echo
	echo "== ip netns exec $ns nstat -a 'MPTcpRstExt*' 'MPTcpExtMPRst*'  (non-zero counters)"
	ip netns exec "$ns" nstat -a "$RST_EXT_PREFIX*" 'MPTcpExtMPRst*'
done
echo
echo "== cat $RST_EXT_PROC (in $ns2)"
ip netns exec "$ns2" cat "$RST_EXT_PROC"
echo
echo "== the same resets, one event each: grep mptcp_rst_ext_reset $_events/trace"
grep -o 'mptcp_rst_ext_reset: .*' "$_events/trace"
events_off
module_unload
