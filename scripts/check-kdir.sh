#!/usr/bin/env bash
# Stop with the reason when KDIR cannot build this module.
set -eu
kdir=$1
conf=$kdir/include/config/auto.conf
die() { echo "mptcp_rst_ext: $*" >&2; exit 1; }
[ -d "$kdir" ] || die "KDIR=$kdir does not exist: point KDIR at a Rust-enabled kernel build tree (or run: make test-kernel)"
[ -f "$conf" ] || die "KDIR=$kdir is not a configured kernel build tree (no include/config/auto.conf)"
grep -qx 'CONFIG_RUST=y' "$conf" || die "the kernel in KDIR=$kdir has no CONFIG_RUST=y: Rust modules need a Rust-enabled kernel (make test-kernel builds one)"
grep -qx 'CONFIG_MPTCP=y' "$conf" || die "the kernel in KDIR=$kdir has no CONFIG_MPTCP=y"
[ -f "$kdir/rust/kernel.o" ] || [ -f "$kdir/rust/libkernel.rmeta" ] ||
	die "KDIR=$kdir has CONFIG_RUST=y but no built rust/ (run 'make' in the kernel tree first)"
