// SPDX-License-Identifier: GPL-2.0

//! mptcp_rst_ext: per-cause MPTCP reset counters for Linux 6.12 and 7.3, without patching the
//! kernel.
//!
//! This file is the whole policy of the module: the counter table (one line per counter, the
//! single truth for its name, order and meaning, like `net/mptcp/mib.c`) and the pure function
//! that attributes a reset to counters. It is plain safe Rust, also built on the host by
//! `rust/host` for `cargo test`. Everything that touches the kernel is in [`edge`], built only
//! into the module (`--cfg MODULE`).

/// Declares the counter table: the [`Counter`] enum and [`COUNTERS`], in this order. A row is
/// its meaning (doc comment), its [`Kind`], its name, and, where the kernel has a counter that
/// counts exactly the same resets, `= "KernelName"` (its `MPTcpExt` name).
macro_rules! counters {
    ($($(#[doc = $doc:literal])+ $kind:ident $name:ident $(= $kernel:literal)?,)+) => {
        /// One counter of the `MPTcpRstExt` table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum Counter {
            $($(#[doc = $doc])+ $name,)+
        }

        /// Every counter, in table order, with its name, meaning, kind and kernel twin.
        pub const COUNTERS: &[CounterInfo] = &[
            $(CounterInfo {
                counter: Counter::$name,
                name: stringify!($name),
                doc: concat!($($doc),+),
                kind: Kind::$kind,
                kernel: counters!(@kernel $($kernel)?),
            },)+
        ];
    };
    (@kernel) => { None };
    (@kernel $kernel:literal) => { Some($kernel) };
}

/// A row of the counter table.
#[derive(Debug)]
pub struct CounterInfo {
    /// The counter.
    pub counter: Counter,
    /// Its name, without the `MPTcpRstExt` prefix.
    pub name: &'static str,
    /// What it counts.
    pub doc: &'static str,
    /// What it counts, which decides the invariants it takes part in.
    pub kind: Kind,
    /// The kernel's own MPTCP MIB counter (`MPTcpExt` name) that counts exactly the same
    /// resets, on the kernels that have it: the self-check compares the two wherever the
    /// running kernel has it.
    pub kernel: Option<&'static str>,
}

/// The prefix of every counter, as `nstat` shows it (`MPTcpRstExtTxMptcp`).
pub const PREFIX: &str = "MPTcpRstExt";

/// The longest counter id (prefix and name) `nstat` prints apart from its value: it prints ids in
/// a 32-column field, and a longer one runs into the value, which breaks every parser of its
/// output (`mptcp_lib_get_counter` among them).
pub const MAX_ID_LEN: usize = 31;

counters! {
    /// Server: SYN refused (EMPTCP) because the listener has a TCP-MD5 key.
    Cause MD5SigReset = "MD5SigReset",
    /// Server: SYN with MP_JOIN for a token no connection has (EMPTCP).
    Cause MPJoinNoTokenReset = "MPJoinNoTokenFound",
    /// Server: SYN with MP_JOIN for a connection that has no local id for the address (EMPTCP).
    Cause MPJoinNoLocalIdReset = "MPJoinNoIdFound",
    /// Server: SYN to a port-based PM endpoint without MP_JOIN (EPROHIBIT).
    Cause EndpAttemptReset = "MPCapableEndpAttempt",
    /// Server: SYN with MP_JOIN to a port the connection did not announce (EPROHIBIT).
    Cause MismatchPortSynReset = "MismatchPortSynRx",
    /// Server: third ACK of a join without MP_JOIN, fatal fallback (EMPTCP).
    Cause MPJoinAckNoMPJoin = "MPJoinAckNoMPJoin",
    /// Server: no subflow context for the joining child at the third ACK, fatal fallback (EMPTCP).
    Cause MPJoinAckNoCtx = "MPJoinAckNoCtx",
    /// Server: third ACK of a join with an invalid HMAC (EMPTCP; EPROHIBIT before a6da02d4c00f).
    Cause MPJoinAckHMacFailure = "MPJoinAckHMacFailure",
    /// Server: third ACK of a join whose request lost its connection (EPROHIBIT).
    Cause MPJoinAckNoMsk,
    /// Server: third ACK of a join arriving on a port the connection did not announce (EPROHIBIT).
    Cause MismatchPortAckReset = "MismatchPortAckRx",
    /// Server: join refused by the path manager: subflow limit, or not accepting (EPROHIBIT).
    Cause MPJoinRejected,
    /// Client: the SYN/ACK to our MP_JOIN has no MP_JOIN (EMPTCP).
    Cause MPJoinSynAckNoMPJoin = "MPJoinSynAckNoMPJoin",
    /// Client: the SYN/ACK to our MP_JOIN has an invalid HMAC (EMPTCP). Upstream's
    /// `MPJoinSynAckHMacFailure`, shortened to fit nstat's 31-character names.
    Cause MPJoinSynAckHMacFail = "MPJoinSynAckHMacFailure",
    /// Either side: join completing on a connection no longer fully established (EMPTCP).
    Cause MPJoinNotEstablished = "MPJoinNotEstablished",
    /// Client: join completing on a connection that fell back to TCP, or is failing after
    /// MP_FAIL, so takes no more subflows (EUNSPEC).
    Cause MPJoinSynAckFallback,
    /// Either side: joined subflow reset before its join was confirmed (EUNSPEC), typically
    /// answering the peer's reset of our third ACK.
    Cause MPJoinAckUnconfirmed,
    /// Either side: MP_CAPABLE handshake failed, or an infinite mapping had to be sent, when
    /// fallback to TCP was no longer possible (the kernel's `FallbackFailed`).
    Cause FallbackFailedReset,
    /// Either side: invalid DSS mapping, or data without one, fallback impossible (EMPTCP; 7.3:
    /// EMIDDLEBOX for data without a mapping).
    Cause DssReset = "DssReset",
    /// Either side: DSS checksum failure on a subflow that cannot fall back: MP_FAIL, then the
    /// reset (EMIDDLEBOX). 7.3's `DssReset` leaves it out; the kernel counts it in `DataCsumErr`.
    Cause DataCsumReset,
    /// Either side: data found beyond its DSS mapping while moved to the connection, fallback
    /// impossible (the kernel's `DSSCorruptionReset`; EUNSPEC).
    Cause DssCorruptionReset = "DSSCorruptionReset",
    /// Either side: our MP_FAIL got no answer in time (EUNSPEC).
    Cause MPFailTimeoutReset,
    /// Either side: subflow reset by our MP_FASTCLOSE (SO_LINGER 0, MPTCP_FASTCLOSE) (EUNSPEC).
    Cause FastcloseTxReset,
    /// Either side: remaining subflow reset after the peer's MP_FASTCLOSE (EUNSPEC).
    Cause FastcloseRxReset,
    /// Either side: TCP abort on a subflow: close with unread data, linger, memory, keepalive
    /// (EUNSPEC).
    Cause TcpAbortReset,
    /// MPTCP resets the module could not attribute to a cause.
    Cause Unattributed,
    /// MPTCP resets sent with MP_TCPRST reason 0, MPTCP_RST_EUNSPEC (unspecified error).
    Tx TxUnspec,
    /// MPTCP resets sent with MP_TCPRST reason 1, MPTCP_RST_EMPTCP (MPTCP-specific error).
    Tx TxMptcp,
    /// MPTCP resets sent with MP_TCPRST reason 2, MPTCP_RST_ERESOURCE (lack of resources).
    Tx TxResource,
    /// MPTCP resets sent with MP_TCPRST reason 3, MPTCP_RST_EPROHIBIT (administratively prohibited).
    Tx TxProhibit,
    /// MPTCP resets sent with MP_TCPRST reason 4, MPTCP_RST_EWQ2BIG (too much outstanding data).
    Tx TxWq2Big,
    /// MPTCP resets sent with MP_TCPRST reason 5, MPTCP_RST_EBADPERF (unacceptable performance).
    Tx TxBadPerf,
    /// MPTCP resets sent with MP_TCPRST reason 6, MPTCP_RST_EMIDDLEBOX (middlebox interference).
    Tx TxMiddlebox,
    /// MPTCP resets sent with an MP_TCPRST reason RFC 8684 does not define (7 to 15: the kernel
    /// keeps the reason it sends in 4 bits).
    Tx TxOther,
    /// The part of the `Tx*` resets sent by a listener in reply to a SYN or third ACK, before any
    /// subflow socket exists: `MPTcpExtMPRstTx` does not count them.
    TxStateless TxStateless,
    /// MP_TCPRST received with reason 0, MPTCP_RST_EUNSPEC, on a subflow.
    Rx RxUnspec,
    /// MP_TCPRST received with reason 1, MPTCP_RST_EMPTCP, on a subflow.
    Rx RxMptcp,
    /// MP_TCPRST received with reason 2, MPTCP_RST_ERESOURCE, on a subflow.
    Rx RxResource,
    /// MP_TCPRST received with reason 3, MPTCP_RST_EPROHIBIT, on a subflow.
    Rx RxProhibit,
    /// MP_TCPRST received with reason 4, MPTCP_RST_EWQ2BIG, on a subflow.
    Rx RxWq2Big,
    /// MP_TCPRST received with reason 5, MPTCP_RST_EBADPERF, on a subflow.
    Rx RxBadPerf,
    /// MP_TCPRST received with reason 6, MPTCP_RST_EMIDDLEBOX, on a subflow.
    Rx RxMiddlebox,
    /// MP_TCPRST received with a reason RFC 8684 does not define, on a subflow, as the kernel
    /// keeps it: the low 4 bits of the option's Reason byte, 7 to 15 (a peer's 0x11 is 1).
    Rx RxOther,
    /// init_net only: network namespaces whose counters the self-check compared with the kernel's
    /// (at their teardown when `selfcheck=1`, or on demand).
    SelfCheck SelfCheckNetns,
    /// init_net only: disagreements the self-check found between the counters of a network
    /// namespace and the kernel's own MIB, or unattributed resets; each is also logged.
    SelfCheck SelfCheckMismatch,
}

/// MP_TCPRST reason codes (RFC 8684, 3.6; `MPTCP_RST_*` in `include/uapi/linux/mptcp.h`).
pub mod code {
    /// Unspecified error.
    pub const EUNSPEC: u8 = 0;
    /// MPTCP-specific error.
    pub const EMPTCP: u8 = 1;
    /// Lack of resources.
    pub const ERESOURCE: u8 = 2;
    /// Administratively prohibited.
    pub const EPROHIBIT: u8 = 3;
    /// Too much outstanding data.
    pub const EWQ2BIG: u8 = 4;
    /// Unacceptable performance.
    pub const EBADPERF: u8 = 5;
    /// Middlebox interference.
    pub const EMIDDLEBOX: u8 = 6;
}

/// `TCP_CLOSE` of `include/net/tcp_states.h`.
pub const TCP_CLOSE: u8 = 7;

impl Counter {
    /// The position of the counter in [`COUNTERS`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The `Tx*` counter of an MP_TCPRST reason code: its own if RFC 8684 defines the code, else
    /// `TxOther`.
    pub const fn tx(code: u8) -> Counter {
        match code {
            code::EUNSPEC => Counter::TxUnspec,
            code::EMPTCP => Counter::TxMptcp,
            code::ERESOURCE => Counter::TxResource,
            code::EPROHIBIT => Counter::TxProhibit,
            code::EWQ2BIG => Counter::TxWq2Big,
            code::EBADPERF => Counter::TxBadPerf,
            code::EMIDDLEBOX => Counter::TxMiddlebox,
            _ => Counter::TxOther,
        }
    }

    /// The `Rx*` counter of an MP_TCPRST reason code: its own if RFC 8684 defines the code, else
    /// `RxOther`. `code` is what the kernel keeps of the option's Reason byte (RFC 8684 §3.6): its
    /// low 4 bits, whatever the peer sent.
    pub const fn rx(code: u8) -> Counter {
        match code {
            code::EUNSPEC => Counter::RxUnspec,
            code::EMPTCP => Counter::RxMptcp,
            code::ERESOURCE => Counter::RxResource,
            code::EPROHIBIT => Counter::RxProhibit,
            code::EWQ2BIG => Counter::RxWq2Big,
            code::EBADPERF => Counter::RxBadPerf,
            code::EMIDDLEBOX => Counter::RxMiddlebox,
            _ => Counter::RxOther,
        }
    }
}

/// What a counter counts, which decides the invariants it takes part in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A reset site (or `Unattributed`): every MPTCP reset sent moves exactly one.
    Cause,
    /// MP_TCPRST sent, by reason code on the wire.
    Tx,
    /// The stateless part of [`Kind::Tx`].
    TxStateless,
    /// MP_TCPRST received, by reason code.
    Rx,
    /// The self-check's own counters, in init_net.
    SelfCheck,
}

impl Kind {
    /// The name of the kind, as `counters` prints it.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Cause => "cause",
            Kind::Tx => "tx",
            Kind::TxStateless => "tx-stateless",
            Kind::Rx => "rx",
            Kind::SelfCheck => "selfcheck",
        }
    }
}

impl Counter {
    /// The row of the counter in [`COUNTERS`].
    pub const fn info(self) -> &'static CounterInfo {
        &COUNTERS[self.index()]
    }

    /// The kind of the counter.
    pub const fn kind(self) -> Kind {
        self.info().kind
    }
}

/// Who sent a reset, as seen at `tcp:tcp_send_reset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Emitter {
    /// The listener, in reply to an incoming SYN or third ACK (no socket for the subflow yet).
    #[default]
    Stateless,
    /// A subflow socket, through `tcp_send_active_reset()`.
    Active,
}

/// Stateless resets: the packet the listener replies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Packet {
    /// A SYN without ACK; otherwise the third ACK of a handshake.
    pub syn: bool,
    /// It carries an MP_JOIN of SYN size.
    pub mpj_syn: bool,
    /// It carries an MP_JOIN of third-ACK size.
    pub mpj_ack: bool,
}

/// TCP option kinds (`include/net/tcp.h`).
const TCPOPT_EOL: u8 = 0;
const TCPOPT_NOP: u8 = 1;
const TCPOPT_MPTCP: u8 = 30;
/// The MP_JOIN subtype, and its sizes in a SYN and a third ACK (`net/mptcp/protocol.h`).
const MPTCPOPT_MP_JOIN: u8 = 1;
const TCPOLEN_MPTCP_MPJ_SYN: usize = 12;
const TCPOLEN_MPTCP_MPJ_ACK: usize = 24;

/// The MP_JOIN suboptions found in a packet's TCP options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MpJoinOption {
    /// The token of the (last) MP_JOIN of SYN size.
    pub syn_token: Option<u32>,
    /// An MP_JOIN of third-ACK size.
    pub ack: bool,
}

impl MpJoinOption {
    /// Walks the TCP options of a packet (the bytes after the fixed header, `doff` long) as
    /// `mptcp_parse_option()` does: up to an end-of-list or a malformed option.
    pub fn parse(mut opts: &[u8]) -> Self {
        let mut found = Self::default();
        while let [kind, rest @ ..] = opts {
            let size = match (*kind, rest.first()) {
                (TCPOPT_EOL, _) => break,
                (TCPOPT_NOP, _) => {
                    opts = rest;
                    continue;
                }
                (_, Some(&size)) => usize::from(size),
                (_, None) => break,
            };
            if size < 2 || size > opts.len() {
                break;
            }
            let (opt, next) = opts.split_at(size);
            if let [TCPOPT_MPTCP, _, subtype, ..] = *opt {
                if subtype >> 4 == MPTCPOPT_MP_JOIN {
                    match *opt {
                        [_, _, _, _, t0, t1, t2, t3, ..] if size == TCPOLEN_MPTCP_MPJ_SYN => {
                            found.syn_token = Some(u32::from_be_bytes([t0, t1, t2, t3]));
                        }
                        _ if size == TCPOLEN_MPTCP_MPJ_ACK => found.ack = true,
                        _ => {}
                    }
                }
            }
            opts = next;
        }
        found
    }
}

/// Stateless resets: the listener, and what it knows of the connection joined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Listener {
    /// The listener has TCP-MD5 keys.
    pub md5: bool,
    /// SYN with MP_JOIN: its token names a live connection.
    pub token_found: bool,
}

/// Stateless resets of a third ACK: what `subflow_syn_recv_sock()` did before resetting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinAck {
    /// The request held its connection when the call started.
    pub had_msk: bool,
    /// The request still holds it at the reset (the join did not get as far as
    /// `mptcp_finish_join()`).
    pub msk_kept: bool,
    /// The kernel's `MPJoinAckHMacFailure` moved during the call.
    pub hmac_failed: bool,
    /// The kernel's `MismatchPortAckRx` moved during the call.
    pub port_mismatch: bool,
}

/// Active resets: the subflow and its connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Subflow {
    /// We sent the MP_JOIN SYN.
    pub request_join: bool,
    /// A joined subflow (passive, or active once the SYN/ACK is accepted).
    pub mp_join: bool,
    /// An MP_CAPABLE subflow.
    pub mp_capable: bool,
    /// The subflow is fully established.
    pub fully_established: bool,
    /// Active join: the SYN/ACK's MP_JOIN was seen.
    pub synack_mpj: bool,
    /// Reset through `mptcp_subflow_reset()`.
    pub resetting: bool,
    /// Reset carrying our MP_FASTCLOSE.
    pub send_fastclose: bool,
    /// Our MP_FAIL awaits an answer.
    pub mp_fail_pending: bool,
    /// The connection is fully established.
    pub conn_fully_established: bool,
    /// The peer sent MP_FASTCLOSE on the connection.
    pub conn_rcv_fastclose: bool,
    /// The kernel's `DSSCorruptionReset` moved on this CPU since the previous active reset of
    /// the namespace there: `mptcp_dss_corruption()` bumps it, BH off, just before the reset.
    pub dss_corruption: bool,
    /// The kernel's `FallbackFailed` moved likewise: `mptcp_update_infinite_map()` bumps it just
    /// before the reset, in process context (it may have moved to another CPU in between).
    pub fallback_failed: bool,
    /// The kernel's `MPJoinSynAckHMacFailure` moved likewise: `subflow_finish_connect()` bumps
    /// it just before the reset, in the same softirq.
    pub synack_hmac_failed: bool,
    /// The subflow holds a DSS mapping (`map_valid`): data that failed its checksum had one,
    /// data without a mapping (`MAPPING_NODSS`) had none.
    pub map_valid: bool,
}

/// What the module saw of one reset sent by this host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendEvidence {
    /// Who sent it.
    pub emitter: Emitter,
    /// The MPTCP reason code given to the tracepoint, `None` when the reason was a TCP one
    /// (e.g. `TCP_ABORT_ON_CLOSE` on a fastclose).
    pub trace_code: Option<u8>,
    /// The MP_TCPRST code the kernel prepared for this reset: the listener's, in the packet's
    /// skb extension; the subflow's `reset_reason`. `None` when there is none. Whether it goes on
    /// the wire is the attribution's decision ([`SendEvidence::wire_code`]).
    pub reset_reason: Option<u8>,
    /// The T (transient) flag the kernel prepared with `reset_reason` (Linux sends 0).
    pub reset_transient: bool,
    /// The TCP state of the socket at the tracepoint.
    pub sk_state: u8,
    /// Active resets: the MPTCP connection fell back to plain TCP.
    pub fallback: bool,
    /// Stateless resets: the packet replied to.
    pub packet: Packet,
    /// Stateless resets: the listener.
    pub listener: Listener,
    /// Stateless resets of a third ACK, when the join's checks were seen.
    pub join_ack: Option<JoinAck>,
    /// Active resets: the subflow.
    pub subflow: Subflow,
}

impl SendEvidence {
    /// The RST carries MPTCP's own signal: a listener's reset with an MPTCP reason (only the
    /// MPTCP request paths give one; any other stateless reset is plain TCP, even with an
    /// MP_TCPRST in its skb extension), or a subflow's reset while the connection is MPTCP.
    pub fn is_mptcp(&self) -> bool {
        match self.emitter {
            Emitter::Stateless => self.trace_code.is_some(),
            Emitter::Active => !self.fallback,
        }
    }

    /// The reason code of the MP_TCPRST option on the wire, `None` when the RST carries none.
    pub fn wire_code(&self) -> Option<u8> {
        match self.emitter {
            // tcp_v4_send_reset() and tcp_v6_send_response() write the option from the skb
            // extension, unless a TCP-MD5 signature took the option space.
            Emitter::Stateless if self.listener.md5 => None,
            // mptcp_established_options() writes it (and bumps MPRstTx) on every RST of a
            // subflow whose connection did not fall back.
            Emitter::Active if self.fallback => None,
            _ => self.reset_reason,
        }
    }

    /// The T (transient) flag of the MP_TCPRST option on the wire, false when the RST carries
    /// none.
    pub fn wire_transient(&self) -> bool {
        self.wire_code().is_some() && self.reset_transient
    }
}

/// The counters one reset moves: at most one reason code and one cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The `Tx*` or `Rx*` counter of the reason code on the wire.
    pub code: Option<Counter>,
    /// The cause counter (possibly `Unattributed`).
    pub cause: Option<Counter>,
    /// A listener sent it, with an MP_TCPRST: `TxStateless` too.
    pub stateless: bool,
}

impl Attribution {
    /// The counters to increment, each once.
    pub fn counters(&self) -> impl Iterator<Item = Counter> {
        let stateless = self.stateless.then_some(Counter::TxStateless);
        self.cause.into_iter().chain(self.code).chain(stateless)
    }
}

/// Attributes a reset sent by this host to counters.
///
/// `Tx*` counts by the code on the wire, so the active part of their sum equals the kernel's
/// `MPTcpExtMPRstTx` (bumped exactly when an MP_TCPRST is written on a subflow RST), while
/// stateless resets, which `MPRstTx` ignores, are counted too. Every MPTCP reset also moves
/// exactly one cause counter, `Unattributed` when no site matches the evidence.
pub fn attribute_send(ev: &SendEvidence) -> Attribution {
    if !ev.is_mptcp() {
        return Attribution::default();
    }
    let cause = match ev.emitter {
        Emitter::Stateless => ev.trace_code.map(|c| stateless_cause(c, ev)),
        Emitter::Active => Some(active_cause(ev)),
    };
    let code = ev.wire_code().map(Counter::tx);
    Attribution {
        code,
        cause,
        stateless: ev.emitter == Emitter::Stateless && code.is_some(),
    }
}

/// The listener's sites: `subflow_check_req()` (SYN) and `subflow_syn_recv_sock()` (third ACK).
fn stateless_cause(code: u8, ev: &SendEvidence) -> Counter {
    let pkt = &ev.packet;
    if pkt.syn {
        return match code {
            // Checked before anything else, for any SYN reaching an MPTCP listener.
            _ if ev.listener.md5 => Counter::MD5SigReset,
            code::EMPTCP if pkt.mpj_syn && ev.listener.token_found => Counter::MPJoinNoLocalIdReset,
            code::EMPTCP if pkt.mpj_syn => Counter::MPJoinNoTokenReset,
            // The other EPROHIBIT of subflow_check_req(), the subflow limit checked at the SYN
            // with syncookies, sends no reset (subflow_v4_route_req()).
            code::EPROHIBIT if pkt.mpj_syn => Counter::MismatchPortSynReset,
            code::EPROHIBIT => Counter::EndpAttemptReset,
            _ => Counter::Unattributed,
        };
    }
    // Third ACK: a missing MP_JOIN is the first check, and needs nothing else.
    if code == code::EMPTCP && !pkt.mpj_ack {
        return Counter::MPJoinAckNoMPJoin;
    }
    let Some(join) = ev.join_ack else {
        return Counter::Unattributed;
    };
    match code {
        // Either code: the reason of this site changed in a6da02d4c00f.
        code::EMPTCP | code::EPROHIBIT if join.hmac_failed => Counter::MPJoinAckHMacFailure,
        // The context allocation failed before the connection left the request.
        code::EMPTCP if join.msk_kept => Counter::MPJoinAckNoCtx,
        // mptcp_finish_join(): the connection is no longer fully established.
        code::EMPTCP => Counter::MPJoinNotEstablished,
        code::EPROHIBIT if !join.had_msk => Counter::MPJoinAckNoMsk,
        code::EPROHIBIT if join.port_mismatch => Counter::MismatchPortAckReset,
        // mptcp_can_accept_new_subflow() or mptcp_finish_join() said no.
        code::EPROHIBIT => Counter::MPJoinRejected,
        _ => Counter::Unattributed,
    }
}

/// The sites that reset a subflow socket.
fn active_cause(ev: &SendEvidence) -> Counter {
    let sf = &ev.subflow;
    let Some(code) = ev.trace_code else {
        // A TCP reason: mptcp_do_fastclose(), or TCP aborting the subflow itself.
        return if sf.send_fastclose {
            Counter::FastcloseTxReset
        } else {
            Counter::TcpAbortReset
        };
    };
    // subflow_check_data_avail() is the only site that closes the subflow before the reset. A
    // checksum failure (MP_FAIL, then the reset) sends EMIDDLEBOX, on a mapping; 7.3 sends
    // EMIDDLEBOX for data without a mapping (MAPPING_NODSS) too, 6.12 EMPTCP.
    if ev.sk_state == TCP_CLOSE && (code == code::EMPTCP || code == code::EMIDDLEBOX) {
        return if code == code::EMIDDLEBOX && sf.map_valid {
            Counter::DataCsumReset
        } else {
            Counter::DssReset
        };
    }
    if !sf.resetting {
        // mptcp_check_fastclose() resets the other subflows directly.
        return if sf.conn_rcv_fastclose {
            Counter::FastcloseRxReset
        } else {
            Counter::Unattributed
        };
    }
    // mptcp_subflow_reset() callers.
    if sf.request_join && !sf.mp_join {
        // subflow_finish_connect(), checking the SYN/ACK to our MP_JOIN: its MP_JOIN, its HMAC,
        // then (mptcp_finish_join()) the connection. The connection is read at the reset, so a
        // bad HMAC is told by the kernel's counter, even on a connection closing meanwhile.
        return match code {
            code::EMPTCP if !sf.synack_mpj => Counter::MPJoinSynAckNoMPJoin,
            code::EMPTCP if sf.synack_hmac_failed => Counter::MPJoinSynAckHMacFail,
            code::EMPTCP if !sf.conn_fully_established => Counter::MPJoinNotEstablished,
            code::EMPTCP => Counter::MPJoinSynAckHMacFail,
            _ => Counter::MPJoinSynAckFallback,
        };
    }
    // mptcp_dss_corruption(): the kernel's counter moved on this very CPU just before.
    if sf.dss_corruption {
        return Counter::DssCorruptionReset;
    }
    if sf.mp_fail_pending {
        return Counter::MPFailTimeoutReset;
    }
    if sf.mp_join && !sf.fully_established {
        // check_fully_established(): anything but an MPTCP ack before the join is confirmed.
        return Counter::MPJoinAckUnconfirmed;
    }
    if !sf.request_join && !sf.mp_join && !sf.mp_capable && !sf.fully_established {
        // subflow_finish_connect() (we asked for MP_CAPABLE, the SYN/ACK has none) or
        // check_fully_established() (the first packet has none; it clears mp_capable before the
        // reset, on either side), when the connection cannot fall back any more.
        return Counter::FallbackFailedReset;
    }
    // mptcp_update_infinite_map(): weaker evidence (see Subflow), so only where nothing else
    // explains the reset.
    if sf.fallback_failed {
        return Counter::FallbackFailedReset;
    }
    Counter::Unattributed
}

/// What the module saw of one MP_TCPRST received on a subflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvEvidence {
    /// The reason code of the option as the kernel keeps it: the low 4 bits of its Reason byte
    /// (`reset_reason:4`, set from the whole byte by `mptcp_parse_option()`).
    pub code: u8,
}

/// Attributes a received MP_TCPRST to counters.
///
/// The kernel parses the option, and bumps `MPTcpExtMPRstRx`, only on a subflow that is fully
/// established and did not fall back, whatever its code; the module counts exactly those, each
/// with one `Rx*` counter (`Rx*` sum = `MPRstRx`).
pub fn attribute_recv(ev: &RecvEvidence) -> Attribution {
    Attribution {
        code: Some(Counter::rx(ev.code)),
        cause: None,
        stateless: false,
    }
}

/// One invariant of the self-check, evaluated on a network namespace: `ours` should equal
/// `kernel`, which says `expected`; ours say `seen`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invariant {
    /// Our side of the invariant, e.g. `"Tx*"` or a counter's name.
    pub ours: &'static str,
    /// The other side, e.g. `"MPRstTx + TxStateless"` or the kernel counter's name.
    pub kernel: &'static str,
    /// What the kernel's counters (or the other side of the invariant) say.
    pub expected: u64,
    /// What our counters say.
    pub seen: u64,
}

impl Invariant {
    /// Both sides agree.
    pub fn holds(&self) -> bool {
        self.expected == self.seen
    }
}

/// The kernel's totals of the MP_TCPRST options sent and received (`MPTcpExt` names).
pub const MPRST_TX: &str = "MPRstTx";
/// See [`MPRST_TX`].
pub const MPRST_RX: &str = "MPRstRx";

/// Every kernel counter the invariants read, by `MPTcpExt` name: the totals, then each
/// counter's twin. The shim must know each of them, whether the running kernel has it or not.
pub fn kernel_counters() -> impl Iterator<Item = &'static str> {
    [MPRST_TX, MPRST_RX]
        .into_iter()
        .chain(COUNTERS.iter().filter_map(|i| i.kernel))
}

/// Evaluates every invariant on the counters of one network namespace (`ours`, read by counter)
/// and the kernel's MIB of that namespace (`kernel`, read by `MPTcpExt` name: `None` for a
/// counter the running kernel does not have).
///
/// The invariants (Documentation/design.rst):
/// - no reset is `Unattributed`;
/// - `Rx*` sum = `MPRstRx`;
/// - `Tx*` sum = `MPRstTx` + `TxStateless`;
/// - cause sum = `Tx*` sum + `MD5SigReset` (the only cause whose RST carries no MP_TCPRST);
/// - every counter of the table that names a kernel counter equals it, where the kernel has it
///   (6.12 has seven of them, 7.3 all).
pub fn invariants<'a>(
    ours: impl Fn(Counter) -> u64 + 'a,
    kernel: impl Fn(&str) -> Option<u64> + 'a,
) -> impl Iterator<Item = Invariant> + 'a {
    let sum = |kind: Kind| -> u64 {
        COUNTERS
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| ours(i.counter))
            .fold(0u64, u64::wrapping_add)
    };
    let kernel0 = |name| kernel(name).unwrap_or(0);
    let tx = sum(Kind::Tx);
    let fixed = [
        ("Unattributed", "0", 0, ours(Counter::Unattributed)),
        ("Rx*", MPRST_RX, kernel0(MPRST_RX), sum(Kind::Rx)),
        (
            "Tx*",
            "MPRstTx + TxStateless",
            kernel0(MPRST_TX).wrapping_add(ours(Counter::TxStateless)),
            tx,
        ),
        (
            "causes",
            "Tx* + MD5SigReset",
            tx.wrapping_add(ours(Counter::MD5SigReset)),
            sum(Kind::Cause),
        ),
    ];
    let twins = COUNTERS.iter().filter_map(move |i| {
        let name = i.kernel?;
        Some((i.name, name, kernel(name)?, ours(i.counter)))
    });
    fixed
        .into_iter()
        .chain(twins)
        .map(|(ours, kernel, expected, seen)| Invariant {
            ours,
            kernel,
            expected,
            seen,
        })
}

/// The self-check: calls `report` for every broken invariant (see [`invariants`]) and returns
/// how many there were.
pub fn self_check(
    ours: impl Fn(Counter) -> u64,
    kernel: impl Fn(&str) -> Option<u64>,
    mut report: impl FnMut(Invariant),
) -> u32 {
    let mut broken = 0;
    for inv in invariants(ours, kernel).filter(|i| !i.holds()) {
        broken += 1;
        report(inv);
    }
    broken
}

/// Bytes [`render_table`] gathers before each call of its `out`.
pub const TABLE_CHUNK: usize = 256;

/// The table in the two-line format of `/proc/net/netstat` that `nstat` reads, values from
/// `value`: handed to `out` in pieces of at most [`TABLE_CHUNK`] bytes, so that a `seq_file`
/// is written a few times per read rather than twice per counter.  Values in decimal, without
/// `core::fmt`: a read of `/proc/net/netstat` prints the table, and most values are 0.
pub fn render_table(value: impl Fn(Counter) -> u64, mut out: impl FnMut(&[u8])) {
    let mut buf = [0u8; TABLE_CHUNK];
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        if len + bytes.len() > buf.len() {
            out(&buf[..len]);
            len = 0;
        }
        buf[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
        if len == buf.len() {
            out(&buf[..len]);
            len = 0;
        }
    };
    push(PREFIX.as_bytes());
    push(b":");
    for info in COUNTERS {
        push(b" ");
        push(info.name.as_bytes());
    }
    push(b"\n");
    push(PREFIX.as_bytes());
    push(b":");
    let mut digits = [0u8; 21];
    for info in COUNTERS {
        let mut v = value(info.counter);
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        i -= 1;
        digits[i] = b' ';
        push(&digits[i..]);
    }
    push(b"\n");
    out(&buf[..len]);
}

#[cfg(MODULE)]
mod edge;

#[cfg(MODULE)]
kernel::prelude::module! {
    type: MptcpRstExt,
    name: "mptcp_rst_ext",
    description: "Per-cause MPTCP reset counters (MPTcpRstExt*) per network namespace",
    license: "GPL",
}

/// The loaded module: owns every registration with the kernel.
#[cfg(MODULE)]
struct MptcpRstExt {
    _registration: edge::Registration,
}

#[cfg(MODULE)]
impl kernel::Module for MptcpRstExt {
    fn init(_module: &'static kernel::ThisModule) -> kernel::error::Result<Self> {
        let registration = edge::Registration::new(COUNTERS.len())?;
        kernel::pr_info!("loaded, {} counters\n", COUNTERS.len());
        Ok(MptcpRstExt {
            _registration: registration,
        })
    }
}
