// SPDX-License-Identifier: GPL-2.0
//! The attribution table, checked case by case on the host.

use mptcp_rst_ext::{
    attribute_recv, attribute_send, code, invariants, kernel_counters, render_table, self_check,
    Counter, Emitter, Invariant, JoinAck, Kind, Listener, MpJoinOption, Packet, RecvEvidence,
    SendEvidence, Subflow, COUNTERS, MAX_ID_LEN, PREFIX, TABLE_CHUNK, TCP_CLOSE,
};

const TCP_ESTABLISHED: u8 = 1;
const TCP_SYN_SENT: u8 = 2;
const TCP_LISTEN: u8 = 10;

/// A reset of the listener in reply to a SYN.
fn syn(code: u8, packet: Packet, listener: Listener) -> SendEvidence {
    SendEvidence {
        emitter: Emitter::Stateless,
        trace_code: Some(code),
        reset_reason: Some(code),
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
        reset_reason: Some(code),
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
        reset_reason: Some(code),
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
    synack_hmac_failed: false,
    map_valid: false,
};

/// An established subflow of an established connection.
const ESTABLISHED: Subflow = Subflow {
    request_join: false,
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
    synack_hmac_failed: false,
    map_valid: false,
};

/// A joined subflow of an established connection, its join not yet confirmed.
const UNCONFIRMED_JOIN: Subflow = Subflow {
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
        assert_eq!(Counter::tx(c), tx[c as usize]);
        assert_eq!(Counter::rx(c), rx[c as usize]);
    }
    // 4 bits on the wire: 7..15 are undefined, and a peer may send them all the same. Each
    // received one is counted (the kernel's MPRstRx counts it), in RxOther.
    for c in 7..16 {
        assert_eq!(Counter::tx(c), Counter::TxOther);
        let ev = RecvEvidence { code: c };
        assert_eq!(
            attribute_recv(&ev).counters().collect::<Vec<_>>(),
            [Counter::RxOther],
            "code {c}"
        );
    }
}

#[test]
fn received_codes() {
    for (c, want) in [
        (code::EUNSPEC, Counter::RxUnspec),
        (code::EPROHIBIT, Counter::RxProhibit),
        (code::EMIDDLEBOX, Counter::RxMiddlebox),
        (9, Counter::RxOther),
        (15, Counter::RxOther),
    ] {
        let ev = RecvEvidence { code: c };
        assert_eq!(attribute_recv(&ev).counters().collect::<Vec<_>>(), [want]);
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
            "EMPTCP SYN without MP_JOIN: no site sends that",
            syn(code::EMPTCP, Packet::default(), found),
            &[Unattributed, TxMptcp, TxStateless],
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
            "C2 SYN/ACK with a bad HMAC (the kernel's counter moved)",
            subflow_reset(
                code::EMPTCP,
                Subflow {
                    synack_hmac_failed: true,
                    ..JOINING
                },
            ),
            &[MPJoinSynAckHMacFail, TxMptcp],
        ),
        (
            "C2' ... on a connection that closed meanwhile: still the HMAC (checked first)",
            subflow_reset(
                code::EMPTCP,
                Subflow {
                    synack_hmac_failed: true,
                    conn_fully_established: false,
                    ..JOINING
                },
            ),
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
                    ..Default::default()
                },
            ),
            &[FallbackFailedReset, TxUnspec],
        ),
        (
            "C7 first packet without MP_CAPABLE, fallback impossible (mp_capable cleared first)",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    ..Default::default()
                },
            ),
            &[FallbackFailedReset, TxUnspec],
        ),
        (
            "C7 the same on the server, which did not request MP_CAPABLE itself",
            subflow_reset(code::EUNSPEC, Subflow::default()),
            &[FallbackFailedReset, TxUnspec],
        ),
        (
            "an MP_CAPABLE subflow not yet fully established is reset for no known reason",
            subflow_reset(
                code::EUNSPEC,
                Subflow {
                    mp_capable: true,
                    ..Default::default()
                },
            ),
            &[Unattributed, TxUnspec],
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
                        map_valid: true,
                        ..ESTABLISHED
                    },
                )
            },
            &[DataCsumReset, TxMiddlebox],
        ),
        (
            "D3 data without a DSS mapping (7.3: EMIDDLEBOX, no MP_FAIL)",
            SendEvidence {
                sk_state: TCP_CLOSE,
                ..subflow_reset(code::EMIDDLEBOX, ESTABLISHED)
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
                reset_reason: Some(code::ERESOURCE),
                subflow: ESTABLISHED,
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[TcpAbortReset, TxResource],
        ),
        (
            "fallback: no MP_TCPRST, nothing counted",
            SendEvidence {
                trace_code: None,
                fallback: true,
                sk_state: TCP_SYN_SENT,
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[],
        ),
        (
            "undefined code on the wire: TxOther, so that the causes still sum to Tx*",
            SendEvidence {
                trace_code: None,
                reset_reason: Some(9),
                ..subflow_reset(code::EUNSPEC, ESTABLISHED)
            },
            &[TcpAbortReset, TxOther],
        ),
    ];
    for (what, ev, want) in cases {
        assert_eq!(counted(ev), *want, "{what}");
    }
}

/// The codes a tracepoint or the wire can carry: none, each defined one, and an undefined one.
const CODES: [Option<u8>; 9] = [
    None,
    Some(0),
    Some(1),
    Some(2),
    Some(3),
    Some(4),
    Some(5),
    Some(6),
    Some(9),
];

/// Every stateless evidence: each field its own dimension, exhaustively.
fn stateless_sweep() -> impl Iterator<Item = SendEvidence> {
    let join_acks = (0u32..17).map(|j| {
        (j < 16).then_some(JoinAck {
            had_msk: j & 1 != 0,
            msk_kept: j & 2 != 0,
            hmac_failed: j & 4 != 0,
            port_mismatch: j & 8 != 0,
        })
    });
    join_acks.flat_map(|join_ack| {
        (0u32..(CODES.len() as u32 * 2 * 32)).map(move |bits| {
            let b = |i: u32| bits & (1 << i) != 0;
            let trace_code = CODES[(bits >> 6) as usize];
            SendEvidence {
                emitter: Emitter::Stateless,
                trace_code,
                reset_reason: if b(5) { None } else { trace_code },
                packet: Packet {
                    syn: b(0),
                    mpj_syn: b(1),
                    mpj_ack: b(2),
                },
                listener: Listener {
                    md5: b(3),
                    token_found: b(4),
                },
                join_ack,
                ..Default::default()
            }
        })
    })
}

/// Every active evidence: each field its own dimension, exhaustively.
fn active_sweep() -> impl Iterator<Item = SendEvidence> {
    const FLAGS: u32 = 14;
    (0u32..(CODES.len() as u32) << (FLAGS + 3)).map(|bits| {
        let b = |i: u32| bits & (1 << i) != 0;
        let trace_code = CODES[(bits >> (FLAGS + 3)) as usize];
        SendEvidence {
            emitter: Emitter::Active,
            trace_code,
            reset_reason: if b(FLAGS) { None } else { trace_code },
            sk_state: if b(FLAGS + 1) {
                TCP_CLOSE
            } else {
                TCP_ESTABLISHED
            },
            fallback: b(FLAGS + 2),
            subflow: Subflow {
                request_join: b(0),
                mp_join: b(1),
                mp_capable: b(2),
                fully_established: b(3),
                synack_mpj: b(4),
                resetting: b(5),
                send_fastclose: b(6),
                mp_fail_pending: b(7),
                conn_fully_established: b(8),
                conn_rcv_fastclose: b(9),
                dss_corruption: b(10),
                fallback_failed: b(11),
                map_valid: b(12),
                synack_hmac_failed: b(13),
            },
            ..Default::default()
        }
    })
}

#[test]
fn every_mptcp_reset_moves_exactly_one_cause() {
    let mut reached = vec![false; COUNTERS.len()];
    let mut cases = 0u32;
    for ev in stateless_sweep().chain(active_sweep()) {
        cases += 1;
        let got = attribute_send(&ev);
        let causes: Vec<Counter> = got.counters().filter(|c| c.kind() == Kind::Cause).collect();
        // A listener's reset with a TCP reason, or a subflow's after fallback, is plain TCP.
        let mptcp = match ev.emitter {
            Emitter::Stateless => ev.trace_code.is_some(),
            Emitter::Active => !ev.fallback,
        };
        assert_eq!(ev.is_mptcp(), mptcp, "{ev:?}");
        assert_eq!(causes.len(), usize::from(mptcp), "{ev:?} -> {got:?}");
        if !mptcp {
            assert_eq!(got, Default::default(), "{ev:?}");
        }
        for c in got.counters() {
            reached[c.index()] = true;
        }
        // TxStateless is the listener's share of the Tx* counters.
        let stateless = got.counters().any(|c| c == Counter::TxStateless);
        let tx = got.counters().any(|c| c.kind() == Kind::Tx);
        assert_eq!(
            stateless,
            tx && ev.emitter == Emitter::Stateless,
            "{ev:?} -> {got:?}"
        );
        // The code counted is the wire's, whatever the cause: the one the kernel prepared,
        // unless a TCP-MD5 signature took the listener's option space, or the connection fell
        // back.
        let wire = match ev.emitter {
            Emitter::Stateless if ev.listener.md5 => None,
            Emitter::Active if ev.fallback => None,
            _ => ev.reset_reason,
        };
        assert_eq!(ev.wire_code(), wire, "{ev:?}");
        // The T flag goes with the option, or not at all.
        for transient in [false, true] {
            let ev = SendEvidence {
                reset_transient: transient,
                ..ev
            };
            assert_eq!(ev.wire_transient(), transient && wire.is_some(), "{ev:?}");
        }
        assert_eq!(got.code, wire.map(Counter::tx).filter(|_| mptcp), "{ev:?}");
    }
    assert_eq!(cases, 9 * 2 * 32 * 17 + (9 << 17));
    // Every cause and every Tx code is reached by some evidence.
    for info in COUNTERS {
        if matches!(info.kind, Kind::Cause | Kind::Tx | Kind::TxStateless) {
            assert!(reached[info.counter.index()], "{} never reached", info.name);
        }
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
    assert_eq!(kinds.iter().filter(|k| **k == Kind::Tx).count(), 8);
    assert_eq!(kinds.iter().filter(|k| **k == Kind::Rx).count(), 8);
    assert_eq!(Counter::Unattributed.kind(), Kind::Cause);
    // The names the selftests and the docs read in the third column of `counters`.
    let names: Vec<&str> = groups.iter().map(|k| k.name()).collect();
    assert_eq!(names, ["cause", "tx", "tx-stateless", "rx", "selfcheck"]);
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

/// A kernel MIB as the self-check reads it: the named counters, every other one of `names` at
/// 0, and none outside `names` (a kernel without them).
fn kernel_mib<'a>(
    names: &'a [&'a str],
    values: &'a [(&'a str, u64)],
) -> impl Fn(&str) -> Option<u64> + 'a {
    move |name| {
        names.contains(&name).then(|| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(0, |(_, v)| *v)
        })
    }
}

/// The kernel counters of 6.12 the self-check reads.
const MIB_6_12: &[&str] = &[
    "MPRstTx",
    "MPRstRx",
    "MPJoinNoTokenFound",
    "MPJoinSynAckHMacFailure",
    "MPJoinAckHMacFailure",
    "MPCapableEndpAttempt",
    "MismatchPortSynRx",
    "MismatchPortAckRx",
    "DSSCorruptionReset",
];

/// The per-site reset counters 7.3 has besides those.
const MIB_7_3_SITES: &[&str] = &[
    "MD5SigReset",
    "MPJoinNoIdFound",
    "MPJoinSynAckNoMPJoin",
    "MPJoinAckNoMPJoin",
    "MPJoinAckNoCtx",
    "MPJoinRejected",
    "MPJoinNotEstablished",
    "DssReset",
];

/// The kernel counters of 7.3 the self-check reads.
fn mib_7_3() -> Vec<&'static str> {
    [MIB_6_12, MIB_7_3_SITES].concat()
}

/// The names of `shim.c`'s kernel MIB table, as the preprocessor leaves them for 6.12 (the
/// `#else` of its version test) or for 7.3 (the `#if`).
fn shim_mib_names(seven_three: bool) -> Vec<String> {
    let shim = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../shim.c")).unwrap();
    let start = shim.find("rst_ext_kernel_mib[] = {").unwrap();
    let table = &shim[start..start + shim[start..].find("};").unwrap()];
    let mut names = Vec::new();
    let mut keep = true;
    for line in table.lines().map(str::trim) {
        if line.starts_with("#if ") {
            keep = seven_three;
        } else if line == "#else" {
            keep = !seven_three;
        } else if line == "#endif" {
            keep = true;
        } else if let Some(rest) = line.strip_prefix("SNMP_MIB_ITEM(\"") {
            if keep {
                names.push(rest[..rest.find('"').unwrap()].to_string());
            }
        }
    }
    names
}

#[test]
fn the_shim_has_a_row_for_every_kernel_counter_on_each_kernel() {
    let mut want: Vec<String> = kernel_counters().map(String::from).collect();
    want.sort();
    // The totals and the twins: kernel counters of 7.3, each once.
    let all = mib_7_3();
    assert!(want.iter().all(|n| all.contains(&n.as_str())), "{want:?}");
    assert!(want.windows(2).all(|w| w[0] != w[1]), "{want:?}");
    assert_eq!(
        want.len(),
        2 + COUNTERS.iter().filter(|i| i.kernel.is_some()).count()
    );
    for seven_three in [false, true] {
        let mut rows = shim_mib_names(seven_three);
        rows.sort();
        assert_eq!(rows, want, "shim.c's table for 7.3: {seven_three}");
    }
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
        reset_reason: Some(code::EUNSPEC),
        subflow: Subflow {
            send_fastclose: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let no_token = syn(code::EMPTCP, mpj_syn, Listener::default());
    let v = tally(&[no_token, no_token, hmac, fastclose]);
    let values = [
        ("MPRstTx", 2),
        ("MPJoinNoTokenFound", 2),
        ("MPJoinSynAckHMacFailure", 1),
    ];
    let mib_7_3 = mib_7_3();
    for names in [MIB_6_12, &mib_7_3] {
        let mut seen = Vec::new();
        let mib = kernel_mib(names, &values);
        assert_eq!(self_check(|c| v[c.index()], mib, |m| seen.push(m)), 0);
        assert!(seen.is_empty());
    }
    // The HMAC failures are compared one to one: a kernel that counts the SYN/ACK's as a third
    // ACK's (before upstream c4a99a921949) is reported.
    let old = [
        ("MPRstTx", 2),
        ("MPJoinNoTokenFound", 2),
        ("MPJoinAckHMacFailure", 1),
    ];
    assert_eq!(
        self_check(|c| v[c.index()], kernel_mib(MIB_6_12, &old), |_| ()),
        2
    );
    // A token lookup that found the connection is not a "no token" reset; on 7.3 it is the
    // kernel's MPJoinNoIdFound.
    let v2 = tally(&[syn(code::EMPTCP, mpj_syn, found)]);
    assert_eq!(
        self_check(|c| v2[c.index()], kernel_mib(MIB_6_12, &[]), |_| ()),
        0
    );
    let mut seen = Vec::new();
    self_check(
        |c| v2[c.index()],
        kernel_mib(&mib_7_3, &[]),
        |m| seen.push((m.ours, m.kernel)),
    );
    assert_eq!(seen, [("MPJoinNoLocalIdReset", "MPJoinNoIdFound")]);
    let one = [("MPJoinNoIdFound", 1)];
    assert_eq!(
        self_check(|c| v2[c.index()], kernel_mib(&mib_7_3, &one), |_| ()),
        0
    );
}

#[test]
fn self_check_holds_for_any_code_a_peer_sends() {
    // The kernel counts every MP_TCPRST it parses in MPRstRx, whatever its 4-bit code: a peer
    // sending the undefined ones must not break the self-check.
    let mut v = vec![0u64; COUNTERS.len()];
    for code in 0..16 {
        for c in attribute_recv(&RecvEvidence { code }).counters() {
            v[c.index()] += 1;
        }
    }
    assert_eq!(v[Counter::RxOther.index()], 9);
    for names in [MIB_6_12, &mib_7_3()] {
        let mut seen = Vec::new();
        let mib = kernel_mib(names, &[("MPRstRx", 16)]);
        assert_eq!(self_check(|c| v[c.index()], mib, |m| seen.push(m)), 0);
        assert!(seen.is_empty(), "{seen:?}");
    }
}

#[test]
fn self_check_compares_every_twin_the_kernel_has() {
    // Every counter that names a kernel counter is compared with it on 7.3, and each is a
    // cause whose kernel counter the 7.3 kernel has.
    let mib_7_3 = mib_7_3();
    for info in COUNTERS.iter().filter(|i| i.kernel.is_some()) {
        let kernel = info.kernel.unwrap();
        assert!(mib_7_3.contains(&kernel), "{kernel}");
        assert_eq!(info.kind, Kind::Cause, "{}", info.name);
        let mut v = vec![0u64; COUNTERS.len()];
        v[info.counter.index()] = 1;
        let mut seen = Vec::new();
        self_check(
            |c| v[c.index()],
            kernel_mib(&mib_7_3, &[]),
            |m| seen.push((m.ours, m.kernel)),
        );
        assert!(
            seen.contains(&(info.name, kernel)),
            "{}: {seen:?}",
            info.name
        );
        // Where the kernel has no such counter, there is nothing to compare.
        let mut seen = Vec::new();
        self_check(
            |c| v[c.index()],
            kernel_mib(&["MPRstTx", "MPRstRx"], &[]),
            |m| seen.push((m.ours, m.kernel)),
        );
        assert!(!seen.iter().any(|(o, _)| *o == info.name), "{}", info.name);
    }
}

#[test]
fn self_check_reports_each_broken_invariant() {
    let mut v = vec![0u64; COUNTERS.len()];
    v[Counter::Unattributed.index()] = 1;
    v[Counter::TxMptcp.index()] = 1;
    v[Counter::RxUnspec.index()] = 2;
    let values = [("MPRstTx", 1), ("MPRstRx", 3), ("MismatchPortAckRx", 4)];
    let mut seen = Vec::new();
    let n = self_check(
        |c| v[c.index()],
        kernel_mib(MIB_6_12, &values),
        |m| seen.push(m),
    );
    assert_eq!(
        seen,
        [
            Invariant {
                ours: "Unattributed",
                kernel: "0",
                expected: 0,
                seen: 1
            },
            Invariant {
                ours: "Rx*",
                kernel: "MPRstRx",
                expected: 3,
                seen: 2
            },
            Invariant {
                ours: "MismatchPortAckReset",
                kernel: "MismatchPortAckRx",
                expected: 4,
                seen: 0
            },
        ]
    );
    assert_eq!(n, 3);
    // A lost increment on either side of "Tx* = MPRstTx + TxStateless" is caught.
    let values = [("MPRstTx", 2), ("MPRstRx", 2)];
    let mut seen = Vec::new();
    self_check(
        |c| v[c.index()],
        kernel_mib(MIB_6_12, &values),
        |m| seen.push(m.ours),
    );
    assert_eq!(seen, ["Unattributed", "Tx*"]);
}

#[test]
fn invariants_list_the_fixed_four_then_the_twins_the_kernel_has() {
    let mut v = vec![0u64; COUNTERS.len()];
    v[Counter::TxMptcp.index()] = 1;
    v[Counter::MPJoinAckNoMPJoin.index()] = 1;
    let names = |mib: &[&str]| -> Vec<(&str, &str, bool)> {
        let mib = kernel_mib(mib, &[("MPRstTx", 1)]);
        invariants(|c| v[c.index()], mib)
            .map(|i| (i.ours, i.kernel, i.holds()))
            .collect()
    };
    let fixed = [
        ("Unattributed", "0", true),
        ("Rx*", "MPRstRx", true),
        ("Tx*", "MPRstTx + TxStateless", true),
        ("causes", "Tx* + MD5SigReset", true),
    ];
    let twins = |mib: &[&str]| -> Vec<(&str, &str, bool)> {
        COUNTERS
            .iter()
            .filter_map(|i| Some((i.name, i.kernel?)))
            .filter(|(_, k)| mib.contains(k))
            // The kernel's MPJoinAckNoMPJoin stayed 0: the one twin that disagrees.
            .map(|(o, k)| (o, k, o != "MPJoinAckNoMPJoin"))
            .collect()
    };
    let mib_7_3 = mib_7_3();
    for mib in [MIB_6_12, &mib_7_3[..]] {
        let want: Vec<_> = fixed.iter().copied().chain(twins(mib)).collect();
        assert_eq!(names(mib), want);
    }
    assert_eq!(twins(MIB_6_12).len(), 7);
    assert_eq!(twins(&mib_7_3).len(), 14);
}

/// One TCP option of the parser's sweep, and what it tells the parser.
#[derive(Clone, Copy)]
enum Opt {
    /// Walked over.
    Other(&'static [u8]),
    /// Ends the walk: end of list, or malformed.
    Stop(&'static [u8]),
    /// MP_JOIN of SYN size; its token is the option's position in the list.
    JoinSyn,
    /// MP_JOIN of third-ACK size.
    JoinAck,
}

const OPTS: &[Opt] = &[
    Opt::Other(&[1]),                                                       // NOP
    Opt::Other(&[2, 4, 5, 0xb4]),                                           // MSS
    Opt::Other(&[4, 2]),                                                    // SACK permitted
    Opt::Other(&[8, 10, 1, 2, 3, 4, 5, 6, 7, 8]),                           // timestamps
    Opt::Other(&[30, 12, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8]), // MP_CAPABLE, not MP_JOIN
    Opt::Other(&[30, 16, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), // MP_JOIN SYN/ACK
    Opt::Other(&[30, 2]),                                      // MPTCP without a subtype
    Opt::Stop(&[0]),                                           // end of list
    Opt::Stop(&[5, 0]),                                        // size below 2
    Opt::Stop(&[5, 1]),
    Opt::Stop(&[5, 255]), // size beyond the options
    Opt::JoinSyn,
    Opt::JoinAck,
];

/// The bytes of an option at position `pos` of a list.
fn opt_bytes(opt: Opt, pos: u8) -> Vec<u8> {
    match opt {
        Opt::Other(b) | Opt::Stop(b) => b.to_vec(),
        Opt::JoinSyn => [&[30, 12, 0x10, 3, 0, 0, 0, pos][..], &[9; 4]].concat(),
        Opt::JoinAck => [&[30, 24, 0x10, 0][..], &[9; 20]].concat(),
    }
}

/// Every list of up to three options, cut at every length: the parser finds exactly the MP_JOINs
/// before the first option that ends the walk, and a cut option ends it.
#[test]
fn mp_join_option_parser() {
    let mut lists = 0;
    for n in 0..=3u32 {
        for i in 0..OPTS.len().pow(n) {
            let opts: Vec<Opt> = (0..n)
                .map(|k| OPTS[i / OPTS.len().pow(k) % OPTS.len()])
                .collect();
            let bytes: Vec<Vec<u8>> = (0u8..).zip(&opts).map(|(p, &o)| opt_bytes(o, p)).collect();
            let all = bytes.concat();
            for cut in 0..=all.len() {
                let mut want = MpJoinOption::default();
                let mut at = 0;
                for (p, (&opt, b)) in (0u32..).zip(opts.iter().zip(&bytes)) {
                    if at + b.len() > cut {
                        break;
                    }
                    at += b.len();
                    match opt {
                        Opt::Other(_) => {}
                        Opt::Stop(_) => break,
                        Opt::JoinSyn => want.syn_token = Some(p),
                        Opt::JoinAck => want.ack = true,
                    }
                }
                assert_eq!(MpJoinOption::parse(&all[..cut]), want, "{:?}", &all[..cut]);
                lists += 1;
            }
        }
    }
    assert!(lists > 50_000, "{lists}");
    // Any bytes at all: no panic, whatever comes out.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 41) as usize;
        let buf: Vec<u8> = (0..len).map(|i| (x >> (i % 8 * 8)) as u8 % 32).collect();
        let _ = MpJoinOption::parse(&buf);
    }
}

/// The table as `/proc/net/netstat` shows it, gathered in chunks: byte for byte what
/// formatting each name and value would print, with values of every width.
#[test]
fn table_rendering() {
    let value = |c: Counter| match c.index() % 4 {
        0 => 0,
        1 => c.index() as u64 * 1_000_003,
        2 => u64::MAX - c.index() as u64,
        _ => 9,
    };
    let mut want = format!("{PREFIX}:");
    for info in COUNTERS {
        want += &format!(" {}", info.name);
    }
    want += &format!("\n{PREFIX}:");
    for info in COUNTERS {
        want += &format!(" {}", value(info.counter));
    }
    want += "\n";
    let mut got = Vec::new();
    let mut chunks = 0;
    render_table(value, |bytes| {
        assert!(bytes.len() <= TABLE_CHUNK);
        got.extend_from_slice(bytes);
        chunks += 1;
    });
    assert_eq!(String::from_utf8(got).unwrap(), want);
    // Each piece but the last is full to within one push (a name or a value, at most 32 bytes).
    assert!(
        chunks <= want.len() / (TABLE_CHUNK - 32) + 1,
        "{chunks} chunks for {} bytes",
        want.len()
    );
}

/// The pieces `render_table` gathers are the table's names (each after its space) and values
/// (each with its space), whole: a piece never spans two calls of `out`, and each call but the
/// last takes as many pieces as fit in [`TABLE_CHUNK`] bytes, a call falling exactly on the
/// chunk's end included. Every value of one width in turn, of every width, so that the pieces
/// fall on the chunk boundaries every way, an exact fill among them.
#[test]
fn table_rendering_packs_whole_pieces() {
    let mut exact_fills = 0;
    for width in 1..=20u32 {
        let v = if width == 1 { 0 } else { 10u64.pow(width - 1) };
        let mut pieces = vec![PREFIX.to_string(), ":".to_string()];
        for info in COUNTERS {
            pieces.push(" ".to_string());
            pieces.push(info.name.to_string());
        }
        pieces.extend(["\n".to_string(), PREFIX.to_string(), ":".to_string()]);
        for _ in COUNTERS {
            pieces.push(format!(" {v}"));
        }
        pieces.push("\n".to_string());
        // Greedy: a piece that does not fit in what is left of the chunk starts the next one.
        let mut want = vec![String::new()];
        for p in &pieces {
            if want.last().unwrap().len() + p.len() > TABLE_CHUNK {
                want.push(String::new());
            }
            *want.last_mut().unwrap() += p;
            if want.last().unwrap().len() == TABLE_CHUNK {
                exact_fills += 1;
                want.push(String::new());
            }
        }
        let mut got = Vec::new();
        render_table(
            |_| v,
            |bytes| got.push(String::from_utf8(bytes.to_vec()).unwrap()),
        );
        assert_eq!(got, want, "values of {width} digits");
    }
    // The sweep has pieces end a chunk exactly (this table: values of 6, 7, 12 and 15 digits,
    // 15 twice); how many times depends on the names, not pinned here.
    assert!(exact_fills > 0, "no piece ends a chunk exactly");
}
