/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C edge of mptcp_rst_ext.
 *
 * The Rust crate sees the kernel only through this header: bindgen turns it
 * into rust/shim_generated.rs at build time.  shim.c implements the rst_ext_*
 * helpers for what Rust cannot call (static inlines, macros, per-cpu
 * accessors, private MPTCP structures); the Rust crate implements the
 * rst_ext_rs_* callbacks.  Only opaque pointers cross this boundary.
 */
#ifndef _MPTCP_RST_EXT_SHIM_H
#define _MPTCP_RST_EXT_SHIM_H

#include <linux/types.h>

struct net;
struct sock;
struct sk_buff;
struct seq_file;

/* How a reset was emitted, as seen at the tcp:tcp_send_reset tracepoint. */
enum rst_ext_emitter {
	/* Stateless: sent by the listener in reply to an incoming SYN or ACK. */
	RST_EXT_EMIT_STATELESS = 1,
	/* Active: sent on an established (or establishing) subflow socket. */
	RST_EXT_EMIT_ACTIVE = 2,
};

/* The value of the "no code" fields below. */
#define RST_EXT_NO_CODE 0xff

/*
 * What the attribution needs to know about one reset, collected by shim.c
 * in the tracepoint probe: the raw facts, no decision.  Flags are 0 or 1.
 */
struct rst_ext_send_evidence {
	__u8 emitter;		/* enum rst_ext_emitter */
	/*
	 * MPTCP_RST_* passed to the tracepoint, or RST_EXT_NO_CODE when the
	 * tracepoint reason is a TCP one.
	 */
	__u8 trace_code;
	/*
	 * MPTCP_RST_* prepared for the MP_TCPRST option (the packet's skb
	 * extension, or the subflow's reset_reason), or RST_EXT_NO_CODE.
	 */
	__u8 reset_reason;
	__u8 reset_transient;	/* ... and its T (transient) flag */
	__u8 state;		/* TCP state of the socket at the tracepoint */
	__u8 fallback;		/* active: the MPTCP connection fell back to TCP */

	/*
	 * The socket that sends it (the listener, or the subflow), and for a
	 * stateless reset the packet replied to (else NULL): for the event.
	 */
	const struct sock *sk;
	const struct sk_buff *skb;
	/* The connection's token (active; third ACK of a join), else 0. */
	__u32 token;

	/* Stateless: the packet replied to, and the listener. */
	__u8 pkt_syn;		/* SYN without ACK (else: the third ACK) */
	__u8 pkt_options_len;	/* its TCP options: pkt_options_len bytes at */
	const __u8 *pkt_options; /* pkt_options, valid during the callback */
	__u8 md5_listener;	/* the listener has TCP-MD5 keys */
	__u8 join_seen;		/* third ACK: seen entering subflow_syn_recv_sock() */
	__u8 join_had_msk;	/* ... the request held its connection then */
	__u8 join_msk_kept;	/* ... and still holds it at the reset */
	__u8 join_hmac_failed;	/* ... MPJoinAckHMacFailure moved during the call */
	__u8 join_port_mismatch; /* ... MismatchPortAckRx moved during the call */

	/* Active: the subflow and its connection. */
	__u8 sf_request_join;	/* we sent the MP_JOIN SYN */
	__u8 sf_mp_join;	/* joined subflow (passive, or active after the SYN/ACK) */
	__u8 sf_mp_capable;	/* MP_CAPABLE subflow */
	__u8 sf_fully_established;
	__u8 sf_synack_mpj;	/* active join: the SYN/ACK's MP_JOIN was seen */
	__u8 sf_resetting;	/* reset through mptcp_subflow_reset() */
	__u8 sf_send_fastclose;	/* local MP_FASTCLOSE */
	__u8 sf_mp_fail_pending; /* MP_FAIL sent, answer awaited */
	__u8 sf_map_valid;	/* the subflow holds a DSS mapping */
	__u8 msk_fully_established;
	__u8 msk_rcv_fastclose;	/* the peer sent MP_FASTCLOSE */
	/*
	 * Kernel MIB fields that moved on this CPU since the previous active
	 * reset of the netns there, a bit each (shim.c rst_ext_watched).
	 */
	__u8 watch_moved;
};

/* Bits of watch_moved. */
#define RST_EXT_WATCH_DSS_CORRUPTION	0x1	/* MPTcpExtDSSCorruptionReset */
#define RST_EXT_WATCH_FALLBACK_FAILED	0x2	/* MPTcpExtFallbackFailed */
#define RST_EXT_WATCH_SYNACK_HMAC	0x4	/* MPTcpExtMPJoinSynAckHMacFailure */

/* What the module saw of one MP_TCPRST received on a subflow. */
struct rst_ext_recv_evidence {
	__u8 code;		/* MPTCP_RST_* in the MP_TCPRST option */
	__u8 transient;		/* its T (transient) flag */
	const struct sock *sk;	/* the subflow, for the event */
	__u32 token;		/* its connection's token */
};

/* Callbacks implemented in Rust. */
void rst_ext_rs_send_reset(struct net *net, const struct rst_ext_send_evidence *ev);
void rst_ext_rs_recv_reset(struct net *net, const struct rst_ext_recv_evidence *ev);
int rst_ext_rs_proc_show(struct seq_file *seq, struct net *net);
/*
 * Compares the counters of a live (or exiting) netns with its kernel MIB,
 * all read once, reports each mismatch and counts the check in init_net;
 * with retire, also adds the counters to the totals of the netns torn down.
 * Does not sleep.
 */
void rst_ext_rs_self_check(struct net *net, bool retire);
/* Shows every invariant of the self-check on net (debugfs "invariants"). */
int rst_ext_rs_invariants_show(struct seq_file *seq, struct net *net);
/* Shows the totals of the netns torn down since load (debugfs "retired"). */
int rst_ext_rs_retired_show(struct seq_file *seq);

/* Module set-up, in shim.c.  Return 0 or a negative errno. */
int rst_ext_pernet_register(unsigned int ncounters);
void rst_ext_pernet_unregister(void);
/* Tracepoint probes, and the kretprobe on the third-ACK path. */
int rst_ext_probes_register(void);
void rst_ext_probes_unregister(void);
/* Appends the counters to /proc/net/netstat, if the "netstat" parameter is on. */
int rst_ext_netstat_register(void);
void rst_ext_netstat_unregister(void);

/* Counters of a netns, in shim.c.  Callable from any context. */
void rst_ext_counter_add(struct net *net, unsigned int idx, __u64 n);
void rst_ext_counters_read(struct net *net, __u64 *sums, unsigned int n);
/* Totals of the netns torn down while the self-check was on. */
void rst_ext_retired_add(unsigned int idx, __u64 n);
__u64 rst_ext_retired_read(unsigned int idx);

/* Whether an MPTCP connection of net has this token now.  Any context. */
bool rst_ext_token_known(struct net *net, __u32 token);

/*
 * Fires the module's tracepoint mptcp_rst_ext:mptcp_rst_ext_reset (a
 * patched-out branch while nobody listens).  sk, skb: as in the evidence;
 * code, transient: the MP_TCPRST on the wire, RST_EXT_NO_CODE and false if
 * none; cause: cause_len bytes, empty for a received reset.  Any context.
 */
void rst_ext_trace_reset(const struct sock *sk, const struct sk_buff *skb,
			 __u32 token, bool tx, __u8 code, bool transient,
			 const char *cause, size_t cause_len);

/* Self-check helpers, in shim.c. */
struct net *rst_ext_init_net(void);
/*
 * The kernel's MPTCP MIB counter of net called name (len bytes, its
 * /proc/net/netstat name without "MPTcpExt"), since the module's counters of
 * net started; false if the running kernel has no such counter.
 */
bool rst_ext_kernel_mib_read(struct net *net, const char *name,
			     size_t len, __u64 *value);
/*
 * Whether the shim's table has a row for the kernel counter called name (len
 * bytes), whether the running kernel has the counter or not.
 */
bool rst_ext_kernel_mib_known(const char *name, size_t len);
/* Logs (ratelimited) one broken invariant of net, "ours = kernel". */
void rst_ext_selfcheck_report(struct net *net, const char *ours,
			      size_t ours_len, const char *kernel,
			      size_t kernel_len, __u64 expected,
			      __u64 seen);

/* seq_file output, in shim.c. */
void rst_ext_seq_write(struct seq_file *seq, const char *buf, size_t len);

#endif /* _MPTCP_RST_EXT_SHIM_H */
