// SPDX-License-Identifier: GPL-2.0
//! The attribution table, checked case by case on the host.

use mptcp_rst_ext::{
    attribute_recv, attribute_send, code, self_check, Counter, Emitter, JoinAck, KernelMib, Kind,
    Listener, Mismatch, Packet, RecvEvidence, SendEvidence, Subflow, COUNTERS, MAX_ID_LEN, PREFIX,
    TCP_CLOSE,
};

const TCP_ESTABLISHED: u8 = 1;
const TCP_SYN_SENT: u8 = 2;
const TCP_LISTEN: u8 = 10;

/// A reset of the listener in reply to a SYN.
fn syn(code: u8, packet: Packet, listener: Listener) -> SendEvidence {
    SendEvidence {
        emitter: Emitter::Stateless,
        trace_code: Some(code),
        wire_code: (!listener.md5).then_some(code),
        sk_state: TCP_LISTEN,
        packet: Packet {
            syn: true,
            ..packet
        },
        listener,
        ..Default::default()
    }
}

/// A reset of the listener in reply to the third ACK of a join.
fn third_ack(code: u8, mpj_ack: bool, join_ack: Option<JoinAck>) -> SendEvidence {
    SendEvidence {
        emitter: Emitter::Stateless,
        trace_code: Some(code),
        wire_code: Some(code),
        sk_state: TCP_LISTEN,
        packet: Packet {
            mpj_ack,
            ..Default::default()
        },
        join_ack,
        ..Default::default()
    }
}

/// A reset sent on a subflow through `mptcp_subflow_reset()`, reason `code`.
fn subflow_reset(code: u8, subflow: Subflow) -> SendEvidence {
    SendEvidence {
        emitter: Emitter::Active,
        trace_code: Some(code),
        wire_code: Some(code),
        sk_state: TCP_ESTABLISHED,
        subflow: Subflow {
            resetting: true,
            ..subflow
        },
        ..Default::default()
    }
}

/// A subflow whose join we started, at the SYN/ACK.
const JOINING: Subflow = Subflow {
    request_join: true,
    request_mptcp: false,
    mp_join: false,
    mp_capable: false,
    fully_established: false,
    synack_mpj: true,
    resetting: false,
    send_fastclose: false,
    mp_fail_pending: false,
    conn_fully_established: true,
    conn_rcv_fastclose: false,
    dss_corruption: false,
    fallback_failed: false,
};

/// An established subflow of an established connection.
const ESTABLISHED: Subflow = Subflow {
    request_join: false,
    request_mptcp: true,
    mp_join: false,
    mp_capable: true,
    fully_established: true,
    synack_mpj: false,
    resetting: false,
    send_fastclose: false,
    mp_fail_pending: false,
    conn_fully_established: true,
    conn_rcv_fastclose: false,
    dss_corruption: false,
    fallback_failed: false,
};

/// A joined subflow of an established connection, its join not yet confirmed.
const UNCONFIRMED_JOIN: Subflow = Subflow {
    request_mptcp: false,
    mp_join: true,
    mp_capable: false,
    fully_established: false,
    ..ESTABLISHED
};

const JOIN_OK: JoinAck = JoinAck {
    had_msk: true,
    msk_kept: true,
    hmac_failed: false,
    port_mismatch: false,
};

fn counted(ev: &SendEvidence) -> Vec<Counter> {
    attribute_send(ev).counters().collect()
}

#[test]
fn table_is_in_enum_order_with_unique_names() {
    for (i, info) in COUNTERS.iter().enumerate() {
        assert_eq!(info.counter.index(), i, "{}", info.name);
        assert!(!info.doc.trim().is_empty(), "{} has no meaning", info.name);
        assert!(
            info.name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{} is not an nstat name",
            info.name
        );
        assert!(
            PREFIX.len() + info.name.len() <= MAX_ID_LEN,
            "{PREFIX}{} is too long for nstat",
            info.name
        );
    }
    let mut names: Vec<_> = COUNTERS.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), COUNTERS.len());
}

#[test]
fn code_counters_follow_rfc8684() {
    let tx = [
        Counter::TxUnspec,
        Counter::TxMptcp,
        Counter::TxResource,
        Counter::TxProhibit,
        Counter::TxWq2Big,
        Counter::TxBadPerf,
        Counter::TxMiddlebox,
    ];
    let rx = [
        Counter::RxUnspec,
        Counter::RxMptcp,
        Counter::RxResource,
        Counter::RxProhibit,
        Counter::RxWq2Big,
        Counter::RxBadPerf,
        Counter::RxMiddlebox,
    ];
    for c in 0..7u8 {
        assert_eq!(Counter::tx(c), Some(tx[c as usize]));
        assert_eq!(Counter::rx(c), Some(rx[c as usize]));
    }
    // 4 bits on the wire: 7..15 are undefined and not counted.
    for c in 7..16 {
        assert_eq!(Counter::tx(c), None);
        let ev = RecvEvidence {
            code: c,
            transient: false,
        };
        assert_eq!(attribute_recv(&ev).counters().count(), 0, "code {c}");
    }
}

#[test]
fn received_codes() {
    for (c, want) in [
        (code::EUNSPEC, Counter::RxUnspec),
        (code::EPROHIBIT, Counter::RxProhibit),
        (code::EMIDDLEBOX, Counter::RxMiddlebox),
    ] {
        for transient in [false, true] {
            let ev = RecvEvidence { code: c, transient };
            assert_eq!(attribute_recv(&ev).counters().collect::<Vec<_>>(), [want]);
        }
    }
}

#[test]
fn sites() {
    let mpj_syn = Packet {
        mpj_syn: true,
        ..Default::default()
    };
    let plain = Listener::default();
    let md5 = Listener {
        md5: true,
        ..Default::default()
    };
    let found = Listener {
        token_found: true,
        ..Default::default()
    };
    use Counter::*;
    // (site, evidence, counters moved: cause first, then code)
    let cases: &[(&str, SendEvidence, &[Counter])] = &[
        // --- the listener, SYN
        (
            "S1 MD5 key on the listener: no MP_TCPRST on the wire",
            syn(code::EMPTCP, Packet::default(), md5),
            &[MD5SigReset],
        ),
        (
            "S1 MD5 key, even with MP_JOIN",
            syn(code::EMPTCP, mpj_syn, md5),
            &[MD5SigReset],
        ),
        (
            "S3 token not found",
            syn(code::EMPTCP, mpj_syn, plain),
            &[MPJoinNoTokenReset, TxMptcp, TxStateless],
        ),
        (
            "S3 token found, no local id",
            syn(code::EMPTCP, mpj_syn, found),
            &[MPJoinNoLocalIdReset, TxMptcp, TxStateless],
        ),
        (
            "S2 endpoint attempt",
            syn(code::EPROHIBIT, Packet::default(), plain),
            &[EndpAttemptReset, TxProhibit, TxStateless],
        ),
        (
            "S4 port mismatch on the SYN",
            syn(code::EPROHIBIT, mpj_syn, found),
            &[MismatchPortSynReset, TxProhibit, TxStateless],
        ),
        (
            "SYN reset with an unexpected code",
            syn(code::EMIDDLEBOX, Packet::default(), plain),
            &[Unattributed, TxMiddlebox, TxStateless],
        ),
        // --- the listener, third ACK
        (
            "A1 third ACK without MP_JOIN",
            third_ack(code::EMPTCP, false, Some(JOIN_OK)),
            &[MPJoinAckNoMPJoin, TxMptcp, TxStateless],
        ),
        (
            "A1 without the join call seen",
            third_ack(code::EMPTCP, false, None),
            &[MPJoinAckNoMPJoin, TxMptcp, TxStateless],
        ),
        (
            "A4 bad HMAC (EMPTCP, a6da02d4c00f applied)",
            third_ack(
                code::EMPTCP,
                true,
                Some(JoinAck {
                    hmac_failed: true,
                    ..JOIN_OK
                }),
            ),
            &[MPJoinAckHMacFailure, TxMptcp, TxStateless],
        ),
        (
            "A4 bad HMAC (EPROHIBIT, older kernels)",
            third_ack(
                code::EPROHIBIT,
                true,
                Some(JoinAck {
                    hmac_failed: true,
                    ..JOIN_OK
                }),
            ),
            &[MPJoinAckHMacFailure, TxProhibit, TxStateless],
        ),
        (
            "A2 no subflow context",
            third_ack(code::EMPTCP, true, Some(JOIN_OK)),
            &[MPJoinAckNoCtx, TxMptcp, TxStateless],
        ),
        (
            "A7 connection not fully established",
            third_ack(
                code::EMPTCP,
                true,
                Some(JoinAck {
                    msk_kept: false,
                    ..JOIN_OK
                }),
            ),
            &[MPJoinNotEstablished, TxMptcp, TxStateless],
        ),
        (
            "A3 request without connection",
            third_ack(
                code::EPROHIBIT,
                true,
                Some(JoinAck {
                    had_msk: false,
                    msk_kept: false,
                    ..JOIN_OK
                }),
            ),
            &[MPJoinAckNoMsk, TxProhibit, TxStateless],
        ),
        (
            "A6 port mismatch on the third ACK",
            third_ack(
                code::EPROHIBIT,
                true,
                Some(JoinAck {
                    msk_kept: false,
                    port_mismatch: true,
                    ..JOIN_OK
                }),
            ),
            &[MismatchPortAckReset, TxProhibit, TxStateless],
        ),
        (
            "A5 subflow limit",
            third_ack(code::EPROHIBIT, true, Some(JOIN_OK)),
            &[MPJoinRejected, TxProhibit, TxStateless],
        ),
        (
            "A7 path manager refuses in mptcp_finish_join()",
            third_ack(
                code::EPROHIBIT,
                true,
                Some(JoinAck {
                    msk_kept: false,
                    ..JOIN_OK
                }),
            ),
            &[MPJoinRejected, TxProhibit, TxStateless],
        ),
        (
            "third ACK with MP_JOIN, join call not seen",
            third_ack(code::EMPTCP, true, None),
            &[Unattributed, TxMptcp, TxStateless],
        ),
        // --- the joining client, SYN/ACK
        (
            "C1 SYN/ACK without MP_JOIN",
            subflow_reset(
                code::EMPTCP,
                Subflow {
                    synack_mpj: false,
                    ..JOINING
                },
            ),
            &[MPJoinSynAckNoMPJoin, TxMptcp],
        ),
        (
            "C2 SYN/ACK with a bad HMAC",
            subflow_reset(code::EMPTCP, JOINING),
            &[MPJoinSynAckHMacFail, TxMptcp],
        ),
        (
            "C3 connection no longer fully established",
            subflow_reset(
                code::EMPTCP,
                Subflow {
                    conn_fully_established: false,
                    ..JOINING
                },
            ),
            &[MPJoinNotEstablished, TxMptcp],
        ),
        (
            "C3' connection no longer takes subflows",
            subflow_reset(code::EUNSPEC, JOINING),
            &[MPJoinSynAckFallback, TxUnspec],
        ),
        // --- either side
        (
            "C6 joined subflow reset before the join was confirmed",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    mp_join: true,
                    synack_mpj: true,
                    ..Default::default()
                },
            ),
            &[MPJoinAckUnconfirmed, TxUnspec],
        ),
        (
            "C4 SYN/ACK without MP_CAPABLE, fallback impossible",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    request_mptcp: true,
                    ..Default::default()
                },
            ),
            &[FallbackFailedReset, TxUnspec],
        ),
        (
            "C7 first packet without MP_CAPABLE, fallback impossible",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    mp_capable: true,
                    ..Default::default()
                },
            ),
            &[FallbackFailedReset, TxUnspec],
        ),
        (
            "D2 invalid mapping",
            SendEvidence {
                sk_state: TCP_CLOSE,
                ..subflow_reset(code::EMPTCP, ESTABLISHED)
            },
            &[DssReset, TxMptcp],
        ),
        (
            "D1 checksum failure, MP_FAIL then reset",
            SendEvidence {
                sk_state: TCP_CLOSE,
                ..subflow_reset(
                    code::EMIDDLEBOX,
                    Subflow {
                        mp_join: true,
                        ..ESTABLISHED
                    },
                )
            },
            &[DssReset, TxMiddlebox],
        ),
        (
            "P4 MP_FAIL unanswered",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    mp_fail_pending: true,
                    ..ESTABLISHED
                },
            ),
            &[MPFailTimeoutReset, TxUnspec],
        ),
        (
            "P1 DSS corruption: the kernel's DSSCorruptionReset moved on this CPU",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    dss_corruption: true,
                    ..ESTABLISHED
                },
            ),
            &[DssCorruptionReset, TxUnspec],
        ),
        (
            "P1 DSS corruption on a join not yet confirmed: the MIB is the stronger evidence",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    dss_corruption: true,
                    ..UNCONFIRMED_JOIN
                },
            ),
            &[DssCorruptionReset, TxUnspec],
        ),
        (
            "P2 infinite mapping that cannot fall back: the kernel's FallbackFailed moved",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    fallback_failed: true,
                    ..ESTABLISHED
                },
            ),
            &[FallbackFailedReset, TxUnspec],
        ),
        (
            "P2's evidence is weaker than the subflow's own state",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    fallback_failed: true,
                    ..UNCONFIRMED_JOIN
                },
            ),
            &[MPJoinAckUnconfirmed, TxUnspec],
        ),
        (
            "P3 deferred join failing on an established subflow: no evidence",
            subflow_reset(code::EUNSPEC, ESTABLISHED),
            &[Unattributed, TxUnspec],
        ),
        (
            "P6 fastclose: TCP reason at the tracepoint, EUNSPEC on the wire",
            SendEvidence {
                trace_code: None,
                subflow: Subflow {
                    send_fastclose: true,
                    ..ESTABLISHED
                },
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[FastcloseTxReset, TxUnspec],
        ),
        (
            "P5 peer's fastclose: the other subflows",
            SendEvidence {
                subflow: Subflow {
                    conn_rcv_fastclose: true,
                    ..ESTABLISHED
                },
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[FastcloseRxReset, TxUnspec],
        ),
        (
            "T* TCP abort on a subflow (close with unread data)",
            SendEvidence {
                trace_code: None,
                sk_state: TCP_CLOSE,
                subflow: ESTABLISHED,
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[TcpAbortReset, TxUnspec],
        ),
        (
            "a received code echoed back goes by the wire code",
            SendEvidence {
                trace_code: None,
                wire_code: Some(code::ERESOURCE),
                subflow: ESTABLISHED,
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[TcpAbortReset, TxResource],
        ),
        (
            "fallback: no MP_TCPRST, nothing counted",
            SendEvidence {
                trace_code: None,
                wire_code: None,
                fallback: true,
                sk_state: TCP_SYN_SENT,
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[],
        ),
        (
            "undefined code on the wire",
            SendEvidence {
                trace_code: None,
                wire_code: Some(9),
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[TcpAbortReset],
        ),
    ];
    for (what, ev, want) in cases {
        assert_eq!(counted(ev), *want, "{what}");
    }
}

#[test]
fn every_mptcp_reset_moves_exactly_one_cause() {
    let causes: Vec<Counter> = COUNTERS
        .iter()
        .map(|i| i.counter)
        .filter(|c| c.kind() == Kind::Cause)
        .collect();
    // Sweep the flag space of both emitters.
    for bits in 0u32..(1 << 16) {
        let b = |i: u32| bits & (1 << i) != 0;
        let trace_code = if b(0) {
            None
        } else {
            Some((bits >> 1) as u8 % 8)
        };
        let ev = SendEvidence {
            emitter: if b(4) {
                Emitter::Active
            } else {
                Emitter::Stateless
            },
            trace_code,
            wire_code: trace_code,
            sk_state: if b(5) { TCP_CLOSE } else { TCP_ESTABLISHED },
            fallback: false,
            packet: Packet {
                syn: b(6),
                mpj_syn: b(7),
                mpj_ack: b(8),
            },
            listener: Listener {
                md5: b(9),
                token_found: b(10),
            },
            join_ack: b(11).then_some(JoinAck {
                had_msk: b(12),
                msk_kept: b(13),
                hmac_failed: b(14),
                port_mismatch: b(15),
            }),
            subflow: Subflow {
                request_join: b(7),
                request_mptcp: b(8),
                mp_join: b(9),
                mp_capable: b(10),
                fully_established: b(11),
                synack_mpj: b(12),
                resetting: b(13),
                send_fastclose: b(14),
                mp_fail_pending: b(15),
                conn_fully_established: b(6),
                conn_rcv_fastclose: b(5),
                dss_corruption: b(4),
                fallback_failed: b(3),
            },
        };
        let got = attribute_send(&ev);
        let n = got.counters().filter(|c| causes.contains(c)).count();
        let mptcp = ev.emitter == Emitter::Active || ev.trace_code.is_some();
        assert_eq!(n, usize::from(mptcp), "{ev:?} -> {got:?}");
        // TxStateless is the listener's share of the Tx* counters.
        let stateless = got.counters().any(|c| c == Counter::TxStateless);
        let tx = got.counters().any(|c| c.kind() == Kind::Tx);
        assert_eq!(
            stateless,
            tx && ev.emitter == Emitter::Stateless,
            "{ev:?} -> {got:?}"
        );
    }
}

#[test]
fn kinds_group_the_table() {
    let kinds: Vec<Kind> = COUNTERS.iter().map(|i| i.counter.kind()).collect();
    let mut groups = kinds.clone();
    groups.dedup();
    assert_eq!(
        groups,
        [
            Kind::Cause,
            Kind::Tx,
            Kind::TxStateless,
            Kind::Rx,
            Kind::SelfCheck
        ]
    );
    assert_eq!(kinds.iter().filter(|k| **k == Kind::Tx).count(), 7);
    assert_eq!(kinds.iter().filter(|k| **k == Kind::Rx).count(), 7);
    assert_eq!(Counter::Unattributed.kind(), Kind::Cause);
}

/// The counters a run of `resets` leaves, as the module would count them.
fn tally(resets: &[SendEvidence]) -> Vec<u64> {
    let mut v = vec![0u64; COUNTERS.len()];
    for ev in resets {
        for c in attribute_send(ev).counters() {
            v[c.index()] += 1;
        }
    }
    v
}

#[test]
fn self_check_holds_for_attributed_resets() {
    let found = Listener {
        token_found: true,
        ..Default::default()
    };
    let mpj_syn = Packet {
        mpj_syn: true,
        ..Default::default()
    };
    // Two unknown tokens (stateless), one SYN/ACK HMAC failure and one fastclose (active).
    let hmac = subflow_reset(
        code::EMPTCP,
        Subflow {
            request_join: true,
            synack_mpj: true,
            conn_fully_established: true,
            ..Default::default()
        },
    );
    let fastclose = SendEvidence {
        emitter: Emitter::Active,
        wire_code: Some(code::EUNSPEC),
        subflow: Subflow {
            send_fastclose: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let no_token = syn(code::EMPTCP, mpj_syn, Listener::default());
    let v = tally(&[no_token, no_token, hmac, fastclose]);
    let mib = KernelMib {
        rst_tx: 2,
        join_no_token: 2,
        join_synack_hmac: 1,
        ..Default::default()
    };
    let mut seen = Vec::new();
    assert_eq!(self_check(|c| v[c.index()], &mib, |m| seen.push(m)), 0);
    assert!(seen.is_empty());
    // A kernel before c4a99a921949 counts the SYN/ACK failure as a third-ACK one: still fine.
    let old = KernelMib {
        join_synack_hmac: 0,
        join_ack_hmac: 1,
        ..mib
    };
    assert_eq!(self_check(|c| v[c.index()], &old, |_| ()), 0);
    // A token lookup that found the connection is not a "no token" reset.
    let v2 = tally(&[syn(code::EMPTCP, mpj_syn, found)]);
    let mib2 = KernelMib::default();
    assert_eq!(self_check(|c| v2[c.index()], &mib2, |_| ()), 0);
}

#[test]
fn self_check_reports_each_broken_invariant() {
    let mut v = vec![0u64; COUNTERS.len()];
    v[Counter::Unattributed.index()] = 1;
    v[Counter::TxMptcp.index()] = 1;
    v[Counter::RxUnspec.index()] = 2;
    let mib = KernelMib {
        rst_tx: 1,
        rst_rx: 3,
        mismatch_port_ack: 4,
        ..Default::default()
    };
    let mut seen = Vec::new();
    let n = self_check(|c| v[c.index()], &mib, |m| seen.push(m));
    assert_eq!(
        seen,
        [
            Mismatch {
                what: "Unattributed = 0",
                expected: 0,
                seen: 1
            },
            Mismatch {
                what: "Rx* = MPRstRx",
                expected: 3,
                seen: 2
            },
            Mismatch {
                what: "MismatchPortAckReset = MismatchPortAckRx",
                expected: 4,
                seen: 0
            },
        ]
    );
    assert_eq!(n, 3);
    // A lost increment on either side of "Tx* = MPRstTx + TxStateless" is caught.
    let mib = KernelMib {
        rst_tx: 2,
        rst_rx: 2,
        ..Default::default()
    };
    let mut seen = Vec::new();
    self_check(|c| v[c.index()], &mib, |m| seen.push(m.what));
    assert_eq!(seen, ["Unattributed = 0", "Tx* = MPRstTx + TxStateless"]);
}
