/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's own tracepoint: one event per reset it counts, sent or
 * received, with the subflow's addresses and the cause.  Only shim.c
 * includes this file (it defines the tracepoint, CREATE_TRACE_POINTS).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mptcp_rst_ext

#if !defined(_MPTCP_RST_EXT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MPTCP_RST_EXT_TRACE_H

#include <linux/tracepoint.h>
#include <net/sock.h>
#include <trace/events/net_probe_common.h>

#define RST_EXT_SHOW_CODE(code)						\
	__print_symbolic(code,						\
			 { 0, "EUNSPEC" }, { 1, "EMPTCP" },		\
			 { 2, "ERESOURCE" }, { 3, "EPROHIBIT" },	\
			 { 4, "EWQ2BIG" }, { 5, "EBADPERF" },		\
			 { 6, "EMIDDLEBOX" }, { 0xff, "none" })

/*
 * sk: the subflow (or, for a stateless reset, the listener); skb: for a
 * stateless reset, the packet replied to (its addresses, reversed, are the
 * reset's), else NULL.  code: the MP_TCPRST code on the wire, 0xff if none.
 * cause: the cause counter's name (cause_len bytes), empty for a received
 * reset.
 */
TRACE_EVENT(mptcp_rst_ext_reset,

	TP_PROTO(const struct sock *sk, const struct sk_buff *skb, u32 token,
		 bool tx, u8 code, bool transient, const char *cause,
		 size_t cause_len),

	TP_ARGS(sk, skb, token, tx, code, transient, cause, cause_len),

	TP_STRUCT__entry(
		__field(u32, netns)
		__array(__u8, saddr, sizeof(struct sockaddr_in6))
		__array(__u8, daddr, sizeof(struct sockaddr_in6))
		__field(u32, token)
		__field(u8, tx)
		__field(u8, stateless)
		__field(u8, code)
		__field(u8, transient)
		__string_len(cause, cause, cause_len)
	),

	TP_fast_assign(
		__entry->netns = sock_net(sk)->ns.inum;
		memset(__entry->saddr, 0, sizeof(struct sockaddr_in6));
		memset(__entry->daddr, 0, sizeof(struct sockaddr_in6));
		if (skb) {
			const struct tcphdr *th = tcp_hdr(skb);

			TP_STORE_ADDR_PORTS_SKB(skb, th, entry->daddr, entry->saddr);
		} else {
			const struct inet_sock *inet = inet_sk(sk);

			TP_STORE_ADDR_PORTS(__entry, inet, sk);
		}
		__entry->token = token;
		__entry->tx = tx;
		__entry->stateless = !!skb;
		__entry->code = code;
		__entry->transient = transient;
		__assign_str(cause);
	),

	TP_printk("netns=%u src=%pISpc dest=%pISpc token=%08x dir=%s stateless=%u code=%s transient=%u cause=%s",
		  __entry->netns, __entry->saddr, __entry->daddr, __entry->token,
		  __entry->tx ? "tx" : "rx", __entry->stateless,
		  RST_EXT_SHOW_CODE(__entry->code), __entry->transient,
		  __get_str(cause))
);

#endif /* _MPTCP_RST_EXT_TRACE_H */

/* Out of tree: the header is found through -I$(src)/rust (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rst_ext_trace
#include <trace/define_trace.h>
