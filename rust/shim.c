// SPDX-License-Identifier: GPL-2.0
/*
 * The C edge of mptcp_rst_ext: what Rust cannot call in 6.12 (static inlines,
 * per-cpu macros, tracepoint registration helpers, private MPTCP structures).
 * Policy and formatting live in Rust; this file only moves values.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <linux/tracepoint.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>
#include <net/mptcp.h>
#include <trace/events/sock.h>
#include <trace/events/tcp.h>

/* Private MPTCP layout, from the exact tree the module is built against. */
#include "protocol.h"

#include "shim.h"

#define RST_EXT_PROC_NAME "mptcp_rst_ext"

/* module! of 6.12 has no version key: set it here (git describe, Kbuild). */
MODULE_VERSION(RST_EXT_VERSION);

/* Per network namespace: a pointer to per-cpu counters. */
struct rst_ext_pernet {
	u64 __percpu __rcu *counters;
	u64 __percpu *dead;	/* counters waiting for a grace period */
};

static unsigned int rst_ext_net_id __read_mostly;
static unsigned int rst_ext_ncounters __read_mostly;

static int rst_ext_proc_show(struct seq_file *seq, void *v)
{
	return rst_ext_rs_proc_show(seq, seq_file_single_net(seq));
}

static int __net_init rst_ext_net_init(struct net *net)
{
	struct rst_ext_pernet *pn = net_generic(net, rst_ext_net_id);
	u64 __percpu *counters;

	counters = __alloc_percpu(sizeof(u64) * rst_ext_ncounters, sizeof(u64));
	if (!counters)
		return -ENOMEM;
	rcu_assign_pointer(pn->counters, counters);

	if (!proc_create_net_single(RST_EXT_PROC_NAME, 0444, net->proc_net,
				    rst_ext_proc_show, NULL)) {
		RCU_INIT_POINTER(pn->counters, NULL);
		free_percpu(counters);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit rst_ext_net_exit(struct net *net)
{
	remove_proc_entry(RST_EXT_PROC_NAME, net->proc_net);
}

/*
 * The counters are freed only after an RCU grace period: a probe that found
 * them under rcu_read_lock() (tracepoint probes run with preemption disabled)
 * never touches freed memory, even if a reset of a dying netns races with
 * its teardown.  The net_generic area itself is freed by the core after all
 * exit_batch callbacks.
 */
static void __net_exit rst_ext_net_exit_batch(struct list_head *net_exit_list)
{
	struct rst_ext_pernet *pn;
	struct net *net;

	list_for_each_entry(net, net_exit_list, exit_list) {
		pn = net_generic(net, rst_ext_net_id);
		pn->dead = rcu_replace_pointer(pn->counters, NULL, true);
	}
	synchronize_rcu();
	list_for_each_entry(net, net_exit_list, exit_list) {
		pn = net_generic(net, rst_ext_net_id);
		free_percpu(pn->dead);
		pn->dead = NULL;
	}
}

static struct pernet_operations rst_ext_net_ops = {
	.init = rst_ext_net_init,
	.exit = rst_ext_net_exit,
	.exit_batch = rst_ext_net_exit_batch,
	.id = &rst_ext_net_id,
	.size = sizeof(struct rst_ext_pernet),
};

int rst_ext_pernet_register(unsigned int ncounters)
{
	rst_ext_ncounters = ncounters;
	return register_pernet_subsys(&rst_ext_net_ops);
}

void rst_ext_pernet_unregister(void)
{
	unregister_pernet_subsys(&rst_ext_net_ops);
}

void rst_ext_counter_inc(struct net *net, unsigned int idx)
{
	struct rst_ext_pernet *pn;
	u64 __percpu *counters;

	if (WARN_ON_ONCE(idx >= rst_ext_ncounters))
		return;
	rcu_read_lock();
	pn = net_generic(net, rst_ext_net_id);
	counters = rcu_dereference(pn->counters);
	if (counters)
		this_cpu_inc(counters[idx]);
	rcu_read_unlock();
}

u64 rst_ext_counter_read(struct net *net, unsigned int idx)
{
	struct rst_ext_pernet *pn;
	u64 __percpu *counters;
	u64 sum = 0;
	int cpu;

	if (WARN_ON_ONCE(idx >= rst_ext_ncounters))
		return 0;
	rcu_read_lock();
	pn = net_generic(net, rst_ext_net_id);
	counters = rcu_dereference(pn->counters);
	if (counters)
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(counters, cpu)[idx]);
	rcu_read_unlock();
	return sum;
}

void rst_ext_seq_write(struct seq_file *seq, const char *buf, size_t len)
{
	seq_write(seq, buf, len);
}

/* Evidence collection, called from the tracepoint probes. */

static u8 rst_ext_trace_code(enum sk_rst_reason reason)
{
	if (reason >= SK_RST_REASON_MPTCP_RST_EUNSPEC &&
	    reason <= SK_RST_REASON_MPTCP_RST_EMIDDLEBOX)
		return reason - SK_RST_REASON_MPTCP_RST_EUNSPEC;
	return RST_EXT_NO_CODE;
}

/* tcp_v{4,6}_send_reset: the listener replies to skb. */
static bool rst_ext_collect_stateless(const struct sock *sk,
				      const struct sk_buff *skb,
				      struct rst_ext_send_evidence *ev)
{
	const struct mptcp_ext *ext = mptcp_get_ext(skb);

	/*
	 * MPTCP_RST_* reasons only come from the MPTCP request paths; any
	 * other stateless reset is plain TCP, even if it carries MP_TCPRST.
	 */
	if (ev->trace_code == RST_EXT_NO_CODE)
		return false;
	ev->emitter = RST_EXT_EMIT_STATELESS;
	ev->state = sk->sk_state;
	/*
	 * tcp_v4_send_reset() and tcp_v6_send_response() put MP_TCPRST on
	 * the wire from the skb extension unless a TCP-MD5 signature took
	 * the option space (the listener has MD5 keys).
	 */
#ifdef CONFIG_TCP_MD5SIG
	if (sk_fullsock(sk) && rcu_access_pointer(tcp_sk(sk)->md5sig_info))
		return true;
#endif
	if (ext)
		ev->wire_code = ext->reset_reason;
	return true;
}

/* tcp_send_active_reset: sk is the subflow that sends the RST. */
static bool rst_ext_collect_active(const struct sock *sk,
				   struct rst_ext_send_evidence *ev)
{
	const struct mptcp_subflow_context *subflow;

	if (!sk_fullsock(sk) || !sk_is_mptcp(sk))
		return false;
	subflow = mptcp_subflow_ctx(sk);
	if (!subflow || !subflow->conn)
		return false;
	ev->emitter = RST_EXT_EMIT_ACTIVE;
	ev->state = sk->sk_state;
	/*
	 * mptcp_established_options() adds MP_TCPRST (and bumps MPRstTx)
	 * on every RST of a subflow whose connection did not fall back.
	 */
	ev->fallback = __mptcp_check_fallback(mptcp_sk(subflow->conn));
	if (!ev->fallback)
		ev->wire_code = subflow->reset_reason;
	return true;
}

static void rst_ext_probe_send_reset(void *data, const struct sock *sk,
				     const struct sk_buff *skb,
				     const enum sk_rst_reason reason)
{
	struct rst_ext_send_evidence ev = {
		.trace_code = rst_ext_trace_code(reason),
		.wire_code = RST_EXT_NO_CODE,
	};
	bool mptcp;

	/* Every MPTCP reset has a socket: the listener or the subflow. */
	if (!sk)
		return;
	if (skb)
		mptcp = rst_ext_collect_stateless(sk, skb, &ev);
	else
		mptcp = rst_ext_collect_active(sk, &ev);
	if (mptcp)
		rst_ext_rs_send_reset(sock_net(sk), &ev);
}

/* inet_sock_set_state: a subflow closing after an MP_TCPRST was received. */
static void rst_ext_probe_set_state(void *data, const struct sock *sk,
				    const int oldstate, const int newstate)
{
	const struct mptcp_subflow_context *subflow;
	struct rst_ext_recv_evidence ev;

	if (newstate != TCP_CLOSE || oldstate == TCP_CLOSE)
		return;
	/* tcp_sk() is only valid on TCP sockets, not on the msk itself. */
	if (sk->sk_protocol != IPPROTO_TCP || !sk_is_mptcp(sk))
		return;
	subflow = mptcp_subflow_ctx(sk);
	/*
	 * mptcp_incoming_options() sets reset_seen (and bumps MPRstRx) when
	 * it parses an MP_TCPRST, before tcp_reset() closes the subflow; a
	 * subflow closes once, and the flag is cleared if it is reused.
	 */
	if (!subflow || !subflow->reset_seen)
		return;
	ev.code = subflow->reset_reason;
	ev.transient = subflow->reset_transient;
	rst_ext_rs_recv_reset(sock_net(sk), &ev);
}

/* Tracepoints that are not exported are found by name. */
struct rst_ext_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

#define RST_EXT_TP(_name, _probe)					\
	{ .name = #_name, .probe = (_probe) };				\
	/* The probe must have the tracepoint's prototype. */		\
	static_assert(__same_type(&register_trace_##_name,		\
				  int (*)(typeof(&_probe), void *)))

static struct rst_ext_tp rst_ext_tp_set_state =
	RST_EXT_TP(inet_sock_set_state, rst_ext_probe_set_state);

static void rst_ext_tp_lookup(struct tracepoint *tp, void *priv)
{
	struct rst_ext_tp *t = priv;

	if (!strcmp(tp->name, t->name))
		t->tp = tp;
}

static int rst_ext_tp_register(struct rst_ext_tp *t)
{
	for_each_kernel_tracepoint(rst_ext_tp_lookup, t);
	if (!t->tp) {
		pr_err("tracepoint %s not found\n", t->name);
		return -ENOENT;
	}
	return tracepoint_probe_register(t->tp, t->probe, NULL);
}

int rst_ext_probes_register(void)
{
	int err;

	err = register_trace_tcp_send_reset(rst_ext_probe_send_reset, NULL);
	if (err) {
		pr_err("cannot attach to tcp:tcp_send_reset: %d\n", err);
		return err;
	}
	err = rst_ext_tp_register(&rst_ext_tp_set_state);
	if (err) {
		pr_err("cannot attach to sock:inet_sock_set_state: %d\n", err);
		unregister_trace_tcp_send_reset(rst_ext_probe_send_reset, NULL);
		tracepoint_synchronize_unregister();
	}
	return err;
}

void rst_ext_probes_unregister(void)
{
	tracepoint_probe_unregister(rst_ext_tp_set_state.tp,
				    rst_ext_tp_set_state.probe, NULL);
	unregister_trace_tcp_send_reset(rst_ext_probe_send_reset, NULL);
	/* No probe runs, or will run, once this returns. */
	tracepoint_synchronize_unregister();
}

/*
 * /proc/net/netstat: a kretprobe on its show function (static, but
 * address-taken, so always out of line) appends our block after MPTcpExt
 * when the show succeeded.  If the block overflows the seq_file buffer,
 * seq_read_iter() retries show with a larger one and we append again.
 */
static bool rst_ext_netstat = true;
module_param_named(netstat, rst_ext_netstat, bool, 0444);
MODULE_PARM_DESC(netstat, "Also append the MPTcpRstExt counters to /proc/net/netstat, for plain nstat (default: on)");

struct rst_ext_netstat_call {
	struct seq_file *seq;
};

static int rst_ext_netstat_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct rst_ext_netstat_call *call = (void *)ri->data;

	call->seq = (struct seq_file *)regs_get_kernel_argument(regs, 0);
	return 0;
}

static int rst_ext_netstat_return(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct rst_ext_netstat_call *call = (void *)ri->data;
	struct seq_file *seq = call->seq;

	if (regs_return_value(regs) || seq_has_overflowed(seq))
		return 0;
	/* single_open_net() holds a reference on the netns while reading. */
	rst_ext_rs_proc_show(seq, seq_file_single_net(seq));
	return 0;
}

static struct kretprobe rst_ext_netstat_krp = {
	.kp.symbol_name = "netstat_seq_show",
	.entry_handler = rst_ext_netstat_entry,
	.handler = rst_ext_netstat_return,
	.data_size = sizeof(struct rst_ext_netstat_call),
};

static bool rst_ext_netstat_registered;

int rst_ext_netstat_register(void)
{
	int err;

	if (!rst_ext_netstat)
		return 0;
	/* Enough instances for concurrent readers on every CPU. */
	rst_ext_netstat_krp.maxactive = 4 * num_possible_cpus();
	err = register_kretprobe(&rst_ext_netstat_krp);
	if (err) {
		pr_err("cannot hook /proc/net/netstat (netstat_seq_show): %d; load with netstat=0 to do without\n",
		       err);
		return err;
	}
	rst_ext_netstat_registered = true;
	return 0;
}

void rst_ext_netstat_unregister(void)
{
	if (!rst_ext_netstat_registered)
		return;
	/* Waits for handlers running on other CPUs. */
	unregister_kretprobe(&rst_ext_netstat_krp);
	rst_ext_netstat_registered = false;
}
