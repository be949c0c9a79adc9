#!/usr/bin/env bash
# Stop with the reason when KDIR cannot build this module; else print the
# kernel's make variables that name the toolchain KDIR's kernel was built
# with, as found on this machine (e.g. "LLVM=-19 RUSTC=/usr/bin/rustc
# BINDGEN=/usr/bin/bindgen"): the top-level Makefile passes them to kbuild.
#   scripts/check-kdir.sh KDIR [VAR...]
# A VAR named (LLVM, RUSTC, BINDGEN) is given by the caller: not looked for.
# The kernel's .config says what built it (CONFIG_CLANG_VERSION,
# CONFIG_RUSTC_VERSION_TEXT, CONFIG_BINDGEN_VERSION_TEXT).
set -eu
kdir=$1
shift
given=" $* "
conf=$kdir/include/config/auto.conf
die() { echo "mptcp_rst_ext: $*" >&2; exit 1; }
[ -d "$kdir" ] || die "KDIR=$kdir does not exist: point KDIR at a Rust-enabled kernel build tree (or run: make test-kernel)"
[ -f "$conf" ] || die "KDIR=$kdir is not a configured kernel build tree (no include/config/auto.conf)"
grep -qx 'CONFIG_RUST=y' "$conf" || die "the kernel in KDIR=$kdir has no CONFIG_RUST=y: Rust modules need a Rust-enabled kernel (make test-kernel builds one)"
grep -qx 'CONFIG_MPTCP=y' "$conf" || die "the kernel in KDIR=$kdir has no CONFIG_MPTCP=y"
[ -f "$kdir/rust/kernel.o" ] || [ -f "$kdir/rust/libkernel.rmeta" ] ||
	die "KDIR=$kdir has CONFIG_RUST=y but no built rust/ (run 'make' in the kernel tree first)"

# conf_value NAME: the value of CONFIG_NAME, quotes removed.
conf_value() { sed -n "s/^CONFIG_$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$conf"; }
# first_with_version WANT CMD...: the first CMD whose --version prints WANT.
first_with_version() {
	local want=$1 c
	shift
	for c in "$@"; do
		[ -x "$c" ] && [ "$("$c" --version 2>/dev/null | head -1)" = "$want" ] && { echo "$c"; return 0; }
	done
	return 1
}
vars=()

# clang: LLVM=1 if `clang` is the kernel's major version, else LLVM=-N for
# Debian's suffixed clang-N.
if [[ $given != *" LLVM "* ]] && grep -qx 'CONFIG_CC_IS_CLANG=y' "$conf"; then
	major=$(($(conf_value CLANG_VERSION) / 10000))
	if command -v clang >/dev/null && [[ $(clang --version | head -1) == *" version $major."* ]]; then
		vars+=(LLVM=1)
	elif command -v "clang-$major" >/dev/null; then
		vars+=("LLVM=-$major")
	else
		die "the kernel in KDIR=$kdir was built with clang $major: install clang-$major lld-$major llvm-$major (or give LLVM=...)"
	fi
fi

# gcc: kbuild's default CC, for a GCC-built kernel (bindgen still needs libclang).
if grep -qx 'CONFIG_CC_IS_GCC=y' "$conf" && ! command -v gcc >/dev/null; then
	die "the kernel in KDIR=$kdir was built with gcc $(($(conf_value GCC_VERSION) / 10000)): install gcc"
fi

# rustc: exactly the kernel's (its crates load in no other version).
if [[ $given != *" RUSTC "* ]]; then
	want=$(conf_value RUSTC_VERSION_TEXT)
	mapfile -t cands < <(type -ap rustc || :; echo /usr/bin/rustc)
	rustc=$(first_with_version "$want" "${cands[@]}") || {
		found=$(for c in "${cands[@]}"; do
			[ -x "$c" ] && echo "$(readlink -f "$c") is '$("$c" --version 2>/dev/null | head -1)'"
		done | sort -u | paste -sd';' | sed 's/;/; /g')
		die "the kernel in KDIR=$kdir was built with '$want', but ${found:-no rustc is installed}: a Rust module must be built by the kernel's rustc: install it (Debian 12: rustc-web rust-web-src; Debian 13: rustc rust-src) or give RUSTC=..."
	}
	[ "$rustc" = "$(type -P rustc)" ] || vars+=("RUSTC=$rustc")
fi

# bindgen (it generates the shim's bindings): the kernel's version if found,
# else the first one found (the shim's header needs nothing recent).
if [[ $given != *" BINDGEN "* ]]; then
	want=$(conf_value BINDGEN_VERSION_TEXT)
	here=$(cd "$(dirname "$0")" && pwd)
	project=$(
		# shellcheck source=scripts/env.sh
		. "$here/env.sh" 2>/dev/null && echo "$BINDGEN"
	) || project=
	mapfile -t cands < <(type -ap bindgen || :; printf "%s\n" "${HOME:-/root}/.cargo/bin/bindgen" "$project")
	bindgen=$(first_with_version "$want" "${cands[@]}") || {
		for c in "${cands[@]}"; do
			[ -x "$c" ] && { bindgen=$c; break; }
		done
		[ -n "${bindgen:-}" ] || die "no bindgen found (the kernel was built with '$want'): cargo install bindgen-cli (or give BINDGEN=...)"
		echo "mptcp_rst_ext: the kernel was built with '$want', using $bindgen ($("$bindgen" --version 2>&1 | head -1))" >&2
	}
	[ "$bindgen" = "$(type -P bindgen)" ] || vars+=("BINDGEN=$bindgen")
fi
echo "${vars[*]}"
