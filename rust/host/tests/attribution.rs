// SPDX-License-Identifier: GPL-2.0
//! The attribution table, checked case by case on the host.

use mptcp_rst_ext::{
    attribute_recv, attribute_send, Counter, Emitter, RecvEvidence, SendEvidence, COUNTERS,
};

const TCP_ESTABLISHED: u8 = 1;
const TCP_CLOSE: u8 = 7;
const TCP_LISTEN: u8 = 10;

fn active(trace_code: Option<u8>, wire_code: Option<u8>, fallback: bool) -> SendEvidence {
    SendEvidence {
        emitter: Emitter::Active,
        trace_code,
        wire_code,
        sk_state: TCP_ESTABLISHED,
        fallback,
    }
}

fn stateless(code: u8, wire: bool) -> SendEvidence {
    SendEvidence {
        emitter: Emitter::Stateless,
        trace_code: Some(code),
        wire_code: wire.then_some(code),
        sk_state: TCP_LISTEN,
        fallback: false,
    }
}

fn counted(ev: SendEvidence) -> Vec<Counter> {
    attribute_send(&ev).counters().collect()
}

#[test]
fn table_is_in_enum_order_with_unique_names() {
    for (i, info) in COUNTERS.iter().enumerate() {
        assert_eq!(info.counter.index(), i, "{}", info.name);
        assert!(!info.doc.is_empty(), "{} has no meaning", info.name);
        assert!(
            info.name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{} is not an nstat name",
            info.name
        );
    }
    let mut names: Vec<_> = COUNTERS.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), COUNTERS.len());
}

#[test]
fn tx_counters_follow_rfc8684_codes() {
    let expected = [
        Counter::TxUnspec,
        Counter::TxMptcp,
        Counter::TxResource,
        Counter::TxProhibit,
        Counter::TxWq2Big,
        Counter::TxBadPerf,
        Counter::TxMiddlebox,
    ];
    for (code, want) in expected.into_iter().enumerate() {
        assert_eq!(Counter::tx(code as u8), Some(want));
    }
    assert_eq!(Counter::tx(7), None);
    assert_eq!(Counter::tx(15), None);
}

#[test]
fn cases() {
    // (what happened, evidence, counters moved)
    let cases: &[(&str, SendEvidence, &[Counter])] = &[
        (
            "fastclose: TCP reason at the tracepoint, EUNSPEC on the wire",
            active(None, Some(0), false),
            &[Counter::TxUnspec],
        ),
        (
            "DSS checksum failure: MP_FAIL + RST EMIDDLEBOX",
            SendEvidence {
                sk_state: TCP_CLOSE,
                ..active(Some(6), Some(6), false)
            },
            &[Counter::TxMiddlebox],
        ),
        (
            "reset on a fallen-back subflow carries no MP_TCPRST",
            active(None, None, true),
            &[],
        ),
        (
            "a received code echoed back goes by the wire code",
            active(Some(0), Some(2), false),
            &[Counter::TxResource],
        ),
        (
            "endpoint attempt: stateless EPROHIBIT",
            stateless(3, true),
            &[Counter::TxProhibit],
        ),
        (
            "token not found: stateless EMPTCP",
            stateless(1, true),
            &[Counter::TxMptcp],
        ),
        (
            "MD5 listener: no MP_TCPRST on the wire",
            stateless(1, false),
            &[],
        ),
        (
            "undefined code on the wire",
            active(None, Some(9), false),
            &[],
        ),
    ];
    for (what, ev, want) in cases {
        assert_eq!(counted(*ev), *want, "{what}");
    }
}

#[test]
fn rx_counters_follow_rfc8684_codes() {
    let expected = [
        Counter::RxUnspec,
        Counter::RxMptcp,
        Counter::RxResource,
        Counter::RxProhibit,
        Counter::RxWq2Big,
        Counter::RxBadPerf,
        Counter::RxMiddlebox,
    ];
    for (code, want) in expected.into_iter().enumerate() {
        let ev = RecvEvidence {
            code: code as u8,
            transient: code % 2 == 0,
        };
        let got: Vec<_> = attribute_recv(&ev).counters().collect();
        assert_eq!(got, [want], "code {code}");
    }
    // 4 bits on the wire: 7..15 are undefined and not counted.
    for code in 7..16 {
        let ev = RecvEvidence {
            code,
            transient: false,
        };
        assert_eq!(attribute_recv(&ev).counters().count(), 0, "code {code}");
    }
}
