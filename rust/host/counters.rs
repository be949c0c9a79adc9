// SPDX-License-Identifier: GPL-2.0
//! Prints the module's counter table, one `Name<TAB>meaning<TAB>kind<TAB>kernel` line per
//! counter, in table order; `kernel` is the `MPTcpExt` counter it equals where a kernel has one,
//! else `-`.
//! The selftests and the documentation take the counter names from here.

fn main() {
    for info in mptcp_rst_ext::COUNTERS {
        let kind = info.kind.name();
        let kernel = info.kernel.unwrap_or("-");
        println!("{}\t{}\t{kind}\t{kernel}", info.name, info.doc.trim());
    }
}
