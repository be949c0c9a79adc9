// SPDX-License-Identifier: GPL-2.0

//! mptcp_rst_ext: per-cause MPTCP reset counters for Linux 6.12, without patching the kernel.
//!
//! This file is the whole policy of the module: the counter table (one line per counter, the
//! single truth for its name, order and meaning, like `net/mptcp/mib.c`) and the pure function
//! that attributes a reset to counters. It is plain safe Rust, also built on the host by
//! `rust/host` for `cargo test`. Everything that touches the kernel is in [`sys`], built only
//! into the module (`--cfg MODULE`).

/// Declares the counter table: the [`Counter`] enum and [`COUNTERS`], in this order.
macro_rules! counters {
    ($($(#[doc = $doc:literal])+ $name:ident,)+) => {
        /// One counter of the `MPTcpRstExt` table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum Counter {
            $($(#[doc = $doc])+ $name,)+
        }

        /// Every counter, in table order, with its name and meaning.
        pub const COUNTERS: &[CounterInfo] = &[
            $(CounterInfo {
                counter: Counter::$name,
                name: stringify!($name),
                doc: concat!($($doc),+),
            },)+
        ];
    };
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
}

/// The prefix of every counter, as `nstat` shows it (`MPTcpRstExtTxMptcp`).
pub const PREFIX: &str = "MPTcpRstExt";

counters! {
    /// MPTCP resets sent with MP_TCPRST reason 0, MPTCP_RST_EUNSPEC (unspecified error).
    TxUnspec,
    /// MPTCP resets sent with MP_TCPRST reason 1, MPTCP_RST_EMPTCP (MPTCP-specific error).
    TxMptcp,
    /// MPTCP resets sent with MP_TCPRST reason 2, MPTCP_RST_ERESOURCE (lack of resources).
    TxResource,
    /// MPTCP resets sent with MP_TCPRST reason 3, MPTCP_RST_EPROHIBIT (administratively prohibited).
    TxProhibit,
    /// MPTCP resets sent with MP_TCPRST reason 4, MPTCP_RST_EWQ2BIG (too much outstanding data).
    TxWq2Big,
    /// MPTCP resets sent with MP_TCPRST reason 5, MPTCP_RST_EBADPERF (unacceptable performance).
    TxBadPerf,
    /// MPTCP resets sent with MP_TCPRST reason 6, MPTCP_RST_EMIDDLEBOX (middlebox interference).
    TxMiddlebox,
    /// MP_TCPRST received with reason 0, MPTCP_RST_EUNSPEC, on a subflow.
    RxUnspec,
    /// MP_TCPRST received with reason 1, MPTCP_RST_EMPTCP, on a subflow.
    RxMptcp,
    /// MP_TCPRST received with reason 2, MPTCP_RST_ERESOURCE, on a subflow.
    RxResource,
    /// MP_TCPRST received with reason 3, MPTCP_RST_EPROHIBIT, on a subflow.
    RxProhibit,
    /// MP_TCPRST received with reason 4, MPTCP_RST_EWQ2BIG, on a subflow.
    RxWq2Big,
    /// MP_TCPRST received with reason 5, MPTCP_RST_EBADPERF, on a subflow.
    RxBadPerf,
    /// MP_TCPRST received with reason 6, MPTCP_RST_EMIDDLEBOX, on a subflow.
    RxMiddlebox,
}

impl Counter {
    /// The position of the counter in [`COUNTERS`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The `Tx*` counter of an MP_TCPRST reason code (RFC 8684, 3.6), if the code is defined.
    pub const fn tx(code: u8) -> Option<Counter> {
        Some(match code {
            0 => Counter::TxUnspec,
            1 => Counter::TxMptcp,
            2 => Counter::TxResource,
            3 => Counter::TxProhibit,
            4 => Counter::TxWq2Big,
            5 => Counter::TxBadPerf,
            6 => Counter::TxMiddlebox,
            _ => return None,
        })
    }

    /// The `Rx*` counter of an MP_TCPRST reason code, if the code is defined.
    pub const fn rx(code: u8) -> Option<Counter> {
        Some(match code {
            0 => Counter::RxUnspec,
            1 => Counter::RxMptcp,
            2 => Counter::RxResource,
            3 => Counter::RxProhibit,
            4 => Counter::RxWq2Big,
            5 => Counter::RxBadPerf,
            6 => Counter::RxMiddlebox,
            _ => return None,
        })
    }
}

/// Who sent a reset, as seen at `tcp:tcp_send_reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emitter {
    /// The listener, in reply to an incoming SYN or third ACK (no socket for the subflow yet).
    Stateless,
    /// A subflow socket, through `tcp_send_active_reset()`.
    Active,
}

/// What the module saw of one reset sent by this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendEvidence {
    /// Who sent it.
    pub emitter: Emitter,
    /// The MPTCP reason code given to the tracepoint, `None` when the reason was a TCP one
    /// (e.g. `TCP_ABORT_ON_CLOSE` on a fastclose).
    pub trace_code: Option<u8>,
    /// The reason code of the MP_TCPRST option on the wire, `None` when the RST carries none.
    pub wire_code: Option<u8>,
    /// The TCP state of the socket at the tracepoint.
    pub sk_state: u8,
    /// Active resets: the MPTCP connection fell back to plain TCP.
    pub fallback: bool,
}

/// The counters one reset moves. At most one of each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The `Tx*` counter of the reason code on the wire.
    pub code: Option<Counter>,
}

impl Attribution {
    /// The counters to increment, each once.
    pub fn counters(&self) -> impl Iterator<Item = Counter> {
        self.code.into_iter()
    }
}

/// Attributes a reset sent by this host to counters.
///
/// `Tx*` counts by the code on the wire, so the active part of their sum equals the kernel's
/// `MPTcpExtMPRstTx` (bumped exactly when an MP_TCPRST is written on a subflow RST), while
/// stateless resets, which `MPRstTx` ignores, are counted too.
pub fn attribute_send(ev: &SendEvidence) -> Attribution {
    Attribution {
        code: ev.wire_code.and_then(Counter::tx),
    }
}

/// What the module saw of one MP_TCPRST received on a subflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvEvidence {
    /// The reason code in the option (4 bits on the wire).
    pub code: u8,
    /// The option's T (transient) flag.
    pub transient: bool,
}

/// Attributes a received MP_TCPRST to counters.
///
/// The kernel parses the option, and bumps `MPTcpExtMPRstRx`, only on a subflow that is fully
/// established and did not fall back; the module counts exactly those (`Rx*` sum = `MPRstRx`).
pub fn attribute_recv(ev: &RecvEvidence) -> Attribution {
    Attribution {
        code: Counter::rx(ev.code),
    }
}

#[cfg(MODULE)]
mod sys;

#[cfg(MODULE)]
kernel::prelude::module! {
    type: MptcpRstExt,
    name: "mptcp_rst_ext",
    author: "mptcp_rst_ext developers",
    description: "Per-cause MPTCP reset counters (MPTcpRstExt*) per network namespace",
    license: "GPL",
}

/// The loaded module: owns every registration with the kernel.
#[cfg(MODULE)]
struct MptcpRstExt {
    _registration: sys::Registration,
}

#[cfg(MODULE)]
impl kernel::Module for MptcpRstExt {
    fn init(_module: &'static kernel::ThisModule) -> kernel::error::Result<Self> {
        let registration = sys::Registration::new(COUNTERS.len())?;
        kernel::pr_info!("loaded, {} counters\n", COUNTERS.len());
        Ok(MptcpRstExt {
            _registration: registration,
        })
    }
}
