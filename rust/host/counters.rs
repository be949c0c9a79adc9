// SPDX-License-Identifier: GPL-2.0
//! Prints the module's counter table, one `Name<TAB>meaning<TAB>kind` line per counter, in table
//! order.
//! The selftests and the documentation take the counter names from here.

fn main() {
    for info in mptcp_rst_ext::COUNTERS {
        let kind = info.counter.kind().name();
        println!("{}\t{}\t{kind}", info.name, info.doc.trim());
    }
}
