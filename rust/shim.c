// SPDX-License-Identifier: GPL-2.0
/*
 * The C edge of mptcp_rst_ext: what Rust cannot call in 6.12 (static inlines,
 * per-cpu macros, tracepoint registration helpers, private MPTCP structures).
 * Policy and formatting live in Rust; this file only moves values.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/version.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>
#include <net/mptcp.h>
#include <trace/events/sock.h>
#include <trace/events/tcp.h>

/* Private MPTCP layout, from the exact tree the module is built against. */
#include "protocol.h"
#include "mib.h"

#include "shim.h"

#define CREATE_TRACE_POINTS
#include "rst_ext_trace.h"

#define RST_EXT_PROC_NAME "mptcp_rst_ext"

/*
 * module! has no version key (and its author key differs between 6.12 and
 * 7.3): set them here (the version: git describe, Kbuild).
 */
MODULE_VERSION(RST_EXT_VERSION);
MODULE_AUTHOR("mptcp_rst_ext developers");

/*
 * The kernel's MPTCP MIB counters the self-check reads, by their names in
 * /proc/net/netstat (as net/mptcp/mib.c lists them): every one the Rust
 * counter table names, on every kernel.  One the running kernel does not
 * have is here with the entry -1.  The module does not load if a name the
 * Rust table needs has no row (rst_ext_kernel_mib_known()).
 */
static const struct snmp_mib rst_ext_kernel_mib[] = {
	SNMP_MIB_ITEM("MPRstTx", MPTCP_MIB_MPRSTTX),
	SNMP_MIB_ITEM("MPRstRx", MPTCP_MIB_MPRSTRX),
	SNMP_MIB_ITEM("MPJoinNoTokenFound", MPTCP_MIB_JOINNOTOKEN),
	SNMP_MIB_ITEM("MPJoinSynAckHMacFailure", MPTCP_MIB_JOINSYNACKMAC),
	SNMP_MIB_ITEM("MPJoinAckHMacFailure", MPTCP_MIB_JOINACKMAC),
	SNMP_MIB_ITEM("MPCapableEndpAttempt", MPTCP_MIB_MPCAPABLEENDPATTEMPT),
	SNMP_MIB_ITEM("MismatchPortSynRx", MPTCP_MIB_MISMATCHPORTSYNRX),
	SNMP_MIB_ITEM("MismatchPortAckRx", MPTCP_MIB_MISMATCHPORTACKRX),
	SNMP_MIB_ITEM("DSSCorruptionReset", MPTCP_MIB_DSSCORRUPTIONRESET),
	/* The per-site reset counters of 7.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 3, 0)
	SNMP_MIB_ITEM("MD5SigReset", MPTCP_MIB_MD5SIGRESET),
	SNMP_MIB_ITEM("MPJoinNoIdFound", MPTCP_MIB_MPJOINNOIDFOUND),
	SNMP_MIB_ITEM("MPJoinSynAckNoMPJoin", MPTCP_MIB_MPJOINSYNACKNOMPJOIN),
	SNMP_MIB_ITEM("MPJoinAckNoMPJoin", MPTCP_MIB_MPJOINACKNOMPJOIN),
	SNMP_MIB_ITEM("MPJoinAckNoCtx", MPTCP_MIB_MPJOINACKNOCTX),
	SNMP_MIB_ITEM("MPJoinNotEstablished", MPTCP_MIB_MPJOINNOTESTABLISHED),
	SNMP_MIB_ITEM("DssReset", MPTCP_MIB_DSSRESET),
#else
	/* 6.12 has none of them. */
	SNMP_MIB_ITEM("MD5SigReset", -1),
	SNMP_MIB_ITEM("MPJoinNoIdFound", -1),
	SNMP_MIB_ITEM("MPJoinSynAckNoMPJoin", -1),
	SNMP_MIB_ITEM("MPJoinAckNoMPJoin", -1),
	SNMP_MIB_ITEM("MPJoinAckNoCtx", -1),
	SNMP_MIB_ITEM("MPJoinNotEstablished", -1),
	SNMP_MIB_ITEM("DssReset", -1),
#endif
};

/*
 * The per-cpu counters of a netns.  Past the counters, each CPU's area holds
 * the kernel MIB fields of rst_ext_watched as the last active reset on that
 * CPU saw them.
 */
struct rst_ext_counters {
	u64 __percpu *pcpu;
};

/*
 * Per network namespace: the counters, and the kernel's MIB when they
 * started (non-zero for a netns that predates the module).  The probes find
 * the counters through live, under RCU: &store while they may be counted,
 * NULL before and after.  (A pointer cannot be both __rcu and __percpu.)
 */
struct rst_ext_pernet {
	struct rst_ext_counters __rcu *live;
	struct rst_ext_counters store;
	u64 base[ARRAY_SIZE(rst_ext_kernel_mib)];
};

static unsigned int rst_ext_net_id __read_mostly;
static unsigned int rst_ext_ncounters __read_mostly;

/*
 * Kernel MIB fields bumped on the CPU that resets the subflow right after:
 * mptcp_dss_corruption() (BH off, so on the same CPU), the infinite
 * mapping that cannot fall back (mptcp_update_infinite_map(), process
 * context: it may migrate in between), and the bad HMAC of a SYN/ACK to
 * our MP_JOIN (subflow_finish_connect(), in the same softirq).  Entry i is
 * bit i of watch_moved (RST_EXT_WATCH_* in shim.h).
 */
static const int rst_ext_watched[] = {
	MPTCP_MIB_DSSCORRUPTIONRESET,
	MPTCP_MIB_FALLBACKFAILED,
	MPTCP_MIB_JOINSYNACKMAC,
};

/*
 * The self-check: at netns teardown when "selfcheck" is on, and for the
 * writer's netns on a write to "check".  rst_ext_ready (under the module's
 * param lock) tells the "check" handler whether the pernet storage exists.
 */
static bool rst_ext_selfcheck;
module_param_named(selfcheck, rst_ext_selfcheck, bool, 0644);
MODULE_PARM_DESC(selfcheck, "Check each network namespace's counters against the kernel's MPTCP MIB when it is torn down; mismatches are logged and counted in MPTcpRstExtSelfCheckMismatch of init_net (default: off)");

static bool rst_ext_ready;
/* Totals of the netns torn down while the self-check was on. */
static atomic64_t *rst_ext_retired;
static struct dentry *rst_ext_debugfs;

static int rst_ext_check_set(const char *val, const struct kernel_param *kp)
{
	bool check;
	int err;

	err = kstrtobool(val, &check);
	if (err)
		return err;
	if (!check)
		return 0;
	/* Parameters given to insmod are set before the module's init. */
	if (!rst_ext_ready)
		return -EAGAIN;
	/* The writer's netns: `ip netns exec NS` picks one. */
	rst_ext_rs_self_check(current->nsproxy->net_ns, false);
	return 0;
}

static const struct kernel_param_ops rst_ext_check_ops = {
	.set = rst_ext_check_set,
};
module_param_cb(check, &rst_ext_check_ops, NULL, 0200);
MODULE_PARM_DESC(check, "Write 1 to check the writer's network namespace against the kernel's MPTCP MIB now (meaningful when no reset is in flight)");

static int rst_ext_proc_show(struct seq_file *seq, void *v)
{
	return rst_ext_rs_proc_show(seq, seq_file_single_net(seq));
}

/*
 * A kernel MIB field of net, summed over the CPUs (0 before its first MPTCP
 * socket, and for a field the running kernel does not have, -1).
 */
static u64 rst_ext_mib_fold(const struct net *net, int field)
{
	struct mptcp_mib __percpu *mib = READ_ONCE(net->mib.mptcp_statistics);
	u64 sum = 0;
	int cpu;

	/* snmp_fold_field() is not exported on 7.3. */
	if (mib && field >= 0)
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(mib, cpu)->mibs[field]);
	return sum;
}

static int __net_init rst_ext_net_init(struct net *net)
{
	struct rst_ext_pernet *pn = net_generic(net, rst_ext_net_id);
	u64 __percpu *counters;
	struct mptcp_mib __percpu *mib;
	unsigned int i;
	int cpu;

	counters = __alloc_percpu(sizeof(u64) *
				  (rst_ext_ncounters + ARRAY_SIZE(rst_ext_watched)),
				  sizeof(u64));
	if (!counters)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(rst_ext_kernel_mib); i++)
		pn->base[i] = rst_ext_mib_fold(net, rst_ext_kernel_mib[i].entry);
	/* NULL until the netns' first MPTCP socket: then it starts at 0. */
	mib = READ_ONCE(net->mib.mptcp_statistics);
	if (mib)
		for_each_possible_cpu(cpu)
			for (i = 0; i < ARRAY_SIZE(rst_ext_watched); i++)
				per_cpu_ptr(counters, cpu)[rst_ext_ncounters + i] =
					per_cpu_ptr(mib, cpu)->mibs[rst_ext_watched[i]];
	pn->store.pcpu = counters;
	rcu_assign_pointer(pn->live, &pn->store);

	if (!proc_create_net_single(RST_EXT_PROC_NAME, 0444, net->proc_net,
				    rst_ext_proc_show, NULL)) {
		RCU_INIT_POINTER(pn->live, NULL);
		pn->store.pcpu = NULL;
		free_percpu(counters);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit rst_ext_net_exit(struct net *net)
{
	remove_proc_entry(RST_EXT_PROC_NAME, net->proc_net);
	/*
	 * Every socket of the netns is gone and its devices are unregistered
	 * (pernet devices exit first): no reset can come any more.  Not while
	 * the module unloads: the probes are already off then.
	 */
	if (!READ_ONCE(rst_ext_selfcheck) || !READ_ONCE(rst_ext_ready))
		return;
	rst_ext_rs_self_check(net, true);
}

/*
 * The counters are freed only after an RCU grace period: a probe finds them
 * under its own rcu_read_lock() (rst_ext_counter_add(), rst_ext_watch()),
 * whatever context the tracepoint calls it in, so it never touches freed
 * memory, even if a reset of a dying netns races with its teardown.  The
 * net_generic area itself is freed by the core after all exit_batch
 * callbacks.
 */
static void __net_exit rst_ext_net_exit_batch(struct list_head *net_exit_list)
{
	struct rst_ext_pernet *pn;
	struct net *net;

	list_for_each_entry(net, net_exit_list, exit_list) {
		pn = net_generic(net, rst_ext_net_id);
		RCU_INIT_POINTER(pn->live, NULL);
	}
	synchronize_rcu();
	list_for_each_entry(net, net_exit_list, exit_list) {
		pn = net_generic(net, rst_ext_net_id);
		free_percpu(pn->store.pcpu);
		pn->store.pcpu = NULL;
	}
}

static struct pernet_operations rst_ext_net_ops = {
	.init = rst_ext_net_init,
	.exit = rst_ext_net_exit,
	.exit_batch = rst_ext_net_exit_batch,
	.id = &rst_ext_net_id,
	.size = sizeof(struct rst_ext_pernet),
};

static int rst_ext_retired_show(struct seq_file *seq, void *v)
{
	return rst_ext_rs_retired_show(seq);
}
DEFINE_SHOW_ATTRIBUTE(rst_ext_retired);

/* The reader's netns: `ip netns exec` would hide debugfs, nsenter --net does not. */
static int rst_ext_invariants_show(struct seq_file *seq, void *v)
{
	return rst_ext_rs_invariants_show(seq, current->nsproxy->net_ns);
}
DEFINE_SHOW_ATTRIBUTE(rst_ext_invariants);

static struct kretprobe rst_ext_join_krp;
static struct kprobe rst_ext_netstat_kp;

/*
 * Calls a probe missed: for want of a free kretprobe instance, or by
 * recursion (a kprobe hit while another runs on the same CPU).
 */
static int rst_ext_missed_show(struct seq_file *seq, void *v)
{
	seq_printf(seq,
		   "subflow_syn_recv_sock %lu\nmptcp_seq_show %lu\n",
		   rst_ext_join_krp.nmissed + rst_ext_join_krp.kp.nmissed,
		   rst_ext_netstat_kp.nmissed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rst_ext_missed);

int rst_ext_pernet_register(unsigned int ncounters)
{
	int err;

	rst_ext_ncounters = ncounters;
	rst_ext_retired = kcalloc(ncounters, sizeof(*rst_ext_retired),
				  GFP_KERNEL);
	if (!rst_ext_retired)
		return -ENOMEM;
	err = register_pernet_subsys(&rst_ext_net_ops);
	if (err) {
		kfree(rst_ext_retired);
		return err;
	}
	/* Debugging aid only: works or not, the module does not depend on it. */
	rst_ext_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("retired", 0444, rst_ext_debugfs, NULL,
			    &rst_ext_retired_fops);
	debugfs_create_file("invariants", 0444, rst_ext_debugfs, NULL,
			    &rst_ext_invariants_fops);
	debugfs_create_file("missed", 0444, rst_ext_debugfs, NULL,
			    &rst_ext_missed_fops);
	kernel_param_lock(THIS_MODULE);
	rst_ext_ready = true;
	kernel_param_unlock(THIS_MODULE);
	return 0;
}

void rst_ext_pernet_unregister(void)
{
	/* No "check" runs, or will run, once this is done. */
	kernel_param_lock(THIS_MODULE);
	rst_ext_ready = false;
	kernel_param_unlock(THIS_MODULE);
	/* Waits for readers of the file. */
	debugfs_remove_recursive(rst_ext_debugfs);
	unregister_pernet_subsys(&rst_ext_net_ops);
	kfree(rst_ext_retired);
}

/* The counters of pn, NULL if there are none; under rcu_read_lock(). */
static u64 __percpu *rst_ext_counters(const struct rst_ext_pernet *pn)
{
	const struct rst_ext_counters *c = rcu_dereference(pn->live);

	return c ? c->pcpu : NULL;
}

void rst_ext_counter_add(struct net *net, unsigned int idx, u64 n)
{
	struct rst_ext_pernet *pn;
	u64 __percpu *counters;

	if (WARN_ON_ONCE(idx >= rst_ext_ncounters))
		return;
	rcu_read_lock();
	pn = net_generic(net, rst_ext_net_id);
	counters = rst_ext_counters(pn);
	if (counters)
		this_cpu_add(counters[idx], n);
	rcu_read_unlock();
}

void rst_ext_retired_add(unsigned int idx, u64 n)
{
	if (WARN_ON_ONCE(idx >= rst_ext_ncounters))
		return;
	atomic64_add(n, &rst_ext_retired[idx]);
}

u64 rst_ext_retired_read(unsigned int idx)
{
	if (WARN_ON_ONCE(idx >= rst_ext_ncounters))
		return 0;
	return atomic64_read(&rst_ext_retired[idx]);
}

struct net *rst_ext_init_net(void)
{
	return &init_net;
}

/* The row of rst_ext_kernel_mib called name (len bytes), or -1. */
static int rst_ext_kernel_mib_find(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rst_ext_kernel_mib); i++)
		if (strlen(rst_ext_kernel_mib[i].name) == len &&
		    !memcmp(rst_ext_kernel_mib[i].name, name, len))
			return i;
	return -1;
}

bool rst_ext_kernel_mib_known(const char *name, size_t len)
{
	return rst_ext_kernel_mib_find(name, len) >= 0;
}

/*
 * The kernel MIB counter called name (len bytes) of net, since our counters
 * started; false if the running kernel has no such counter.
 */
bool rst_ext_kernel_mib_read(struct net *net, const char *name, size_t len,
			     u64 *value)
{
	const struct rst_ext_pernet *pn = net_generic(net, rst_ext_net_id);
	int i = rst_ext_kernel_mib_find(name, len);

	if (i < 0 || rst_ext_kernel_mib[i].entry < 0)
		return false;
	*value = rst_ext_mib_fold(net, rst_ext_kernel_mib[i].entry) - pn->base[i];
	return true;
}

void rst_ext_selfcheck_report(struct net *net, const char *ours,
			      size_t ours_len, const char *kernel,
			      size_t kernel_len, u64 expected, u64 seen)
{
	/* The netns by its inode number, as `ls -l /proc/PID/ns/net` shows. */
	pr_warn_ratelimited("selfcheck: netns %u: %.*s = %.*s: expected %llu, seen %llu\n",
			    net->ns.inum, (int)ours_len, ours, (int)kernel_len,
			    kernel, expected, seen);
}

/* All n counters of net at once (a read of the table): each CPU's area once. */
void rst_ext_counters_read(struct net *net, __u64 *sums, unsigned int n)
{
	struct rst_ext_pernet *pn;
	u64 __percpu *counters;
	unsigned int i;
	int cpu;

	memset(sums, 0, n * sizeof(*sums));
	if (WARN_ON_ONCE(n > rst_ext_ncounters))
		return;
	rcu_read_lock();
	pn = net_generic(net, rst_ext_net_id);
	counters = rst_ext_counters(pn);
	if (counters) {
		for_each_possible_cpu(cpu) {
			const u64 *c = per_cpu_ptr(counters, cpu);

			for (i = 0; i < n; i++)
				sums[i] += READ_ONCE(c[i]);
		}
	}
	rcu_read_unlock();
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

/*
 * The third ACK of an MP_JOIN is checked by subflow_syn_recv_sock(), which
 * sends the stateless reset itself (dispose_child).  A kretprobe on it (an
 * indirect-call target, icsk_af_ops->syn_recv_sock, so never inlined)
 * remembers, per CPU, the call's packet, request and the MIB counters that
 * tell its failures apart.  The call runs in the receive softirq (a
 * request socket is never owned by a task, so never in a backlog), so the
 * reset it sends comes on the same CPU before the return handler forgets it.
 * The kretprobe's handlers run with preemption off; the tcp_send_reset
 * probe reads the slot with preemption off too (rst_ext_probe_send_reset()).
 */
struct rst_ext_join_call {
	const struct sk_buff *skb;
	struct request_sock *req;
	unsigned long hmac_mib;
	unsigned long port_mib;
	bool had_msk;
};

static DEFINE_PER_CPU(struct rst_ext_join_call, rst_ext_join_call);

static unsigned long rst_ext_mib(const struct net *net, int field)
{
	struct mptcp_mib __percpu *mib = READ_ONCE(net->mib.mptcp_statistics);

	return mib ? this_cpu_read(mib->mibs[field]) : 0;
}

static int rst_ext_join_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	const struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	struct sk_buff *skb = (void *)regs_get_kernel_argument(regs, 1);
	struct request_sock *req = (void *)regs_get_kernel_argument(regs, 2);
	struct rst_ext_join_call *call = this_cpu_ptr(&rst_ext_join_call);
	struct mptcp_subflow_request_sock *subflow_req = mptcp_subflow_rsk(req);

	if (!tcp_rsk(req)->is_mptcp || !subflow_req->mp_join)
		return 1;	/* not a join: no return handler */
	*(const struct sk_buff **)ri->data = skb;
	call->skb = skb;
	call->req = req;
	call->had_msk = !!READ_ONCE(subflow_req->msk);
	call->hmac_mib = rst_ext_mib(sock_net(sk), MPTCP_MIB_JOINACKMAC);
	call->port_mib = rst_ext_mib(sock_net(sk), MPTCP_MIB_MISMATCHPORTACKRX);
	return 0;
}

static int rst_ext_join_return(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct rst_ext_join_call *call = this_cpu_ptr(&rst_ext_join_call);

	if (call->skb == *(const struct sk_buff **)ri->data)
		call->skb = NULL;
	return 0;
}

static struct kretprobe rst_ext_join_krp = {
	.kp.symbol_name = "subflow_syn_recv_sock",
	.entry_handler = rst_ext_join_entry,
	.handler = rst_ext_join_return,
	.data_size = sizeof(struct sk_buff *),
};

/* tcp_v{4,6}_send_reset: the listener replies to skb. */
static void rst_ext_collect_stateless(const struct sock *sk,
				      const struct sk_buff *skb,
				      struct rst_ext_send_evidence *ev)
{
	const struct mptcp_ext *ext = mptcp_get_ext(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct rst_ext_join_call *call;

	ev->emitter = RST_EXT_EMIT_STATELESS;
	ev->sk = sk;
	ev->skb = skb;
	ev->state = sk->sk_state;
	ev->pkt_syn = th->syn && !th->ack;
	/*
	 * The header is linear: tcp_v{4,6}_rcv() pulled doff * 4 bytes (and
	 * dropped a doff below 5).  The length is kept within the options
	 * area here whatever doff says: 0 to MAX_TCP_OPTION_SPACE bytes.
	 */
	ev->pkt_options = (const u8 *)(th + 1);
	ev->pkt_options_len = clamp_t(int, (int)__tcp_hdrlen(th) - (int)sizeof(*th),
				      0, MAX_TCP_OPTION_SPACE);
#ifdef CONFIG_TCP_MD5SIG
	ev->md5_listener = sk_fullsock(sk) &&
			   !!rcu_access_pointer(tcp_sk(sk)->md5sig_info);
#endif
	if (ext) {
		ev->reset_reason = ext->reset_reason;
		ev->reset_transient = ext->reset_transient;
	}
	/* This CPU's slot: the softirq that filled it is the one replying. */
	lockdep_assert_preemption_disabled();
	call = this_cpu_ptr(&rst_ext_join_call);
	if (!ev->pkt_syn && call->skb == skb) {
		ev->join_seen = 1;
		ev->token = mptcp_subflow_rsk(call->req)->token;
		ev->join_had_msk = call->had_msk;
		ev->join_msk_kept = !!READ_ONCE(mptcp_subflow_rsk(call->req)->msk);
		ev->join_hmac_failed = call->hmac_mib !=
			rst_ext_mib(sock_net(sk), MPTCP_MIB_JOINACKMAC);
		ev->join_port_mismatch = call->port_mib !=
			rst_ext_mib(sock_net(sk), MPTCP_MIB_MISMATCHPORTACKRX);
	}
}

void rst_ext_trace_reset(const struct sock *sk, const struct sk_buff *skb,
			 u32 token, bool tx, u8 code, bool transient,
			 const char *cause, size_t cause_len)
{
	trace_mptcp_rst_ext_reset(sk, skb, token, tx, code, transient, cause,
				  cause_len);
}

bool rst_ext_token_known(struct net *net, u32 token)
{
	struct mptcp_sock *msk = mptcp_token_get_sock(net, token);

	if (!msk)
		return false;
	sock_put((struct sock *)msk);
	return true;
}

/*
 * Active resets: which watched MIB fields moved on this CPU since the last
 * active reset of the netns on this CPU; remembers their values.  A reset
 * is sent from softirq or from a task (the MPTCP worker, close(), a
 * socket's backlog in release_sock()): with interrupts off, the MIB field
 * and the slot are read and written on one CPU, and no softirq reset
 * comes in between to see a half-done update.
 */
static void rst_ext_watch(struct net *net, struct rst_ext_send_evidence *ev)
{
	struct rst_ext_pernet *pn = net_generic(net, rst_ext_net_id);
	u64 __percpu *counters;
	unsigned long flags;
	unsigned int i;
	u64 now, *slot;

	rcu_read_lock();
	counters = rst_ext_counters(pn);
	local_irq_save(flags);
	for (i = 0; counters && i < ARRAY_SIZE(rst_ext_watched); i++) {
		now = rst_ext_mib(net, rst_ext_watched[i]);
		slot = this_cpu_ptr(&counters[rst_ext_ncounters + i]);
		if (*slot != now)
			ev->watch_moved |= 1 << i;
		*slot = now;
	}
	local_irq_restore(flags);
	rcu_read_unlock();
}

/* tcp_send_active_reset: sk is the subflow that sends the RST. */
static bool rst_ext_collect_active(const struct sock *sk,
				   struct rst_ext_send_evidence *ev)
{
	const struct mptcp_subflow_context *subflow;
	const struct mptcp_sock *msk;

	if (!sk_fullsock(sk) || !sk_is_mptcp(sk))
		return false;
	subflow = mptcp_subflow_ctx(sk);
	if (!subflow || !subflow->conn)
		return false;
	msk = mptcp_sk(subflow->conn);
	ev->emitter = RST_EXT_EMIT_ACTIVE;
	ev->sk = sk;
	ev->token = READ_ONCE(msk->token);
	ev->state = sk->sk_state;
	/*
	 * mptcp_established_options() adds MP_TCPRST (and bumps MPRstTx)
	 * on every RST of a subflow whose connection did not fall back.
	 */
	ev->fallback = __mptcp_check_fallback(msk);
	ev->reset_reason = subflow->reset_reason;
	ev->reset_transient = subflow->reset_transient;
	ev->sf_request_join = subflow->request_join;
	ev->sf_mp_join = subflow->mp_join;
	ev->sf_mp_capable = subflow->mp_capable;
	ev->sf_fully_established = READ_ONCE(subflow->fully_established);
	/* Written by subflow_finish_connect() only when the option is there. */
	ev->sf_synack_mpj = subflow->remote_nonce || subflow->thmac;
	ev->sf_resetting = subflow->resetting;
	ev->sf_send_fastclose = subflow->send_fastclose;
	ev->sf_mp_fail_pending = !!READ_ONCE(subflow->fail_tout);
	ev->sf_map_valid = subflow->map_valid;
	ev->msk_fully_established = mptcp_is_fully_established(subflow->conn);
	ev->msk_rcv_fastclose = READ_ONCE(msk->rcv_fastclose);
	rst_ext_watch(sock_net(sk), ev);
	return true;
}

static void rst_ext_probe_send_reset(void *data, const struct sock *sk,
				     const struct sk_buff *skb,
				     const enum sk_rst_reason reason)
{
	struct rst_ext_send_evidence ev = {
		.trace_code = rst_ext_trace_code(reason),
		.reset_reason = RST_EXT_NO_CODE,
	};

	/* Every MPTCP reset has a socket: the listener or the subflow. */
	if (!sk)
		return;
	/*
	 * 6.12 calls tracepoint probes with preemption off; 7.3 under SRCU,
	 * preemptible in a task: a reset sent from a socket's backlog
	 * (tcp_v4_do_rcv() from release_sock()), or by close() or the MPTCP
	 * worker, comes here preemptible.  The evidence is per CPU (the join
	 * slot, the watched MIB fields): it is collected on one CPU.
	 */
	guard(preempt)();
	if (skb)
		rst_ext_collect_stateless(sk, skb, &ev);
	else if (!rst_ext_collect_active(sk, &ev))
		return;
	rst_ext_rs_send_reset(sock_net(sk), &ev);
}

/*
 * inet_sock_set_state: a subflow closing after an MP_TCPRST was received.
 * Preemptible in a task on 7.3 (see rst_ext_probe_send_reset()): it reads
 * only the subflow, and counts with this_cpu_add().
 */
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
	ev.sk = sk;
	ev.token = subflow->conn ? READ_ONCE(mptcp_sk(subflow->conn)->token) : 0;
	rst_ext_rs_recv_reset(sock_net(sk), &ev);
}

/* Tracepoints that are not exported are found by name. */
struct rst_ext_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

/*
 * DEFINE_RST_EXT_TP(var, name, probe): var, the rst_ext_tp of tracepoint
 * name and its probe; the probe must have the tracepoint's prototype.
 */
#define DEFINE_RST_EXT_TP(_var, _name, _probe)				\
	static_assert(__same_type(&register_trace_##_name,		\
				  int (*)(typeof(_probe) *, void *)));	\
	static struct rst_ext_tp _var = { .name = #_name, .probe = (_probe) }

DEFINE_RST_EXT_TP(rst_ext_tp_set_state, inet_sock_set_state,
		  rst_ext_probe_set_state);

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
		goto out_send_reset;
	}
	/* Enough instances for the receive softirqs of every CPU. */
	rst_ext_join_krp.maxactive = 4 * num_possible_cpus();
	err = register_kretprobe(&rst_ext_join_krp);
	if (err) {
		pr_err("cannot probe subflow_syn_recv_sock: %d\n", err);
		goto out_set_state;
	}
	return 0;

out_set_state:
	tracepoint_probe_unregister(rst_ext_tp_set_state.tp,
				    rst_ext_tp_set_state.probe, NULL);
out_send_reset:
	unregister_trace_tcp_send_reset(rst_ext_probe_send_reset, NULL);
	tracepoint_synchronize_unregister();
	return err;
}

void rst_ext_probes_unregister(void)
{
	tracepoint_probe_unregister(rst_ext_tp_set_state.tp,
				    rst_ext_tp_set_state.probe, NULL);
	unregister_trace_tcp_send_reset(rst_ext_probe_send_reset, NULL);
	/* No tracepoint probe runs, or will run, once this returns... */
	tracepoint_synchronize_unregister();
	/*
	 * ... so none reads the per-cpu join slots any more: a slot left
	 * set by a call whose return handler is disarmed here is harmless.
	 */
	unregister_kretprobe(&rst_ext_join_krp);
}

/*
 * /proc/net/netstat: netstat_seq_show() ends with mptcp_seq_show() (mib.c,
 * called from proc.c: never inlined), which prints MPTcpExt and cannot fail.
 * A kprobe on its entry writes our block just before MPTcpExt.  No return
 * probe, so no pool of instances to run out of: every read has the block,
 * however many readers are inside at once.  If the seq_file buffer
 * overflows, seq_read_iter() retries the whole show with a larger one, and
 * the kprobe writes the block again.
 *
 * The handler runs in the reader's task, inside seq_read_iter() (the
 * seq_file's mutex held), called by the ftrace-based kprobe with preemption
 * off; it takes no lock, allocates nothing and does not sleep: it sums the
 * per-cpu counters under rcu_read_lock() and copies into the buffer
 * seq_read_iter() allocated.  Only an ftrace-based kprobe gives it that
 * context, the one the tests run: an int3 kprobe would run it in an
 * NMI-like one, so registration refuses it.
 */
static bool rst_ext_netstat = true;
module_param_named(netstat, rst_ext_netstat, bool, 0444);
MODULE_PARM_DESC(netstat, "Also add the MPTcpRstExt counters to /proc/net/netstat (before MPTcpExt), for plain nstat (default: on)");

static int rst_ext_netstat_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct seq_file *seq = (void *)regs_get_kernel_argument(regs, 0);

	if (seq_has_overflowed(seq))
		return 0;
	/* single_open_net() holds a reference on the netns while reading. */
	rst_ext_rs_proc_show(seq, seq_file_single_net(seq));
	return 0;
}

static struct kprobe rst_ext_netstat_kp = {
	.symbol_name = "mptcp_seq_show",
	.pre_handler = rst_ext_netstat_pre,
};

static bool rst_ext_netstat_registered;

int rst_ext_netstat_register(void)
{
	int err;

	if (!rst_ext_netstat)
		return 0;
	err = register_kprobe(&rst_ext_netstat_kp);
	if (err) {
		pr_err("cannot hook /proc/net/netstat (mptcp_seq_show): %d; load with netstat=0 to do without\n",
		       err);
		return err;
	}
	if (!kprobe_ftrace(&rst_ext_netstat_kp)) {
		unregister_kprobe(&rst_ext_netstat_kp);
		pr_err("cannot hook /proc/net/netstat: the kprobe on mptcp_seq_show is not ftrace-based on this kernel (CONFIG_KPROBES_ON_FTRACE); load with netstat=0 to do without\n");
		return -EOPNOTSUPP;
	}
	rst_ext_netstat_registered = true;
	return 0;
}

void rst_ext_netstat_unregister(void)
{
	if (!rst_ext_netstat_registered)
		return;
	/* Waits for handlers running on other CPUs. */
	unregister_kprobe(&rst_ext_netstat_kp);
	rst_ext_netstat_registered = false;
}
