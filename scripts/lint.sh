#!/usr/bin/env bash
# make lint: the static checks the upstream MPTCP CI runs, on the tracked
# files; each must have no finding.
#   scripts/lint.sh [KERNEL] [normal|debug|gcc] [CHECK...]
# CHECKs (default: all, in this order):
#  * checkpatch  the test kernel's scripts/checkpatch.pl --strict, C files
#  * sparse      the C shim built with C=2 CHECK=sparse against the test kernel
#  * shellcheck  every shell script, at severity warning
#  * clippy      the module built with CLIPPY=1 (scripts/module.sh), no warning
#  * rustfmt     make fmt-check
# checkpatch, sparse and clippy need the test kernel (default: the first of
# RST_EXT_KERNELS, normal): scripts/kernel.sh builds it or finds it in the
# cache.  Each check prints its findings, then one line
# "lint: NAME: N findings"; the exit status is 1 if any check found one.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"
rst_ext_parse_target normal "$@"

log() { echo "lint: $*" >&2; }
die() { echo "lint: error: $*" >&2; exit 2; }

all_checks=(checkpatch sparse shellcheck clippy rustfmt)
checks=("${rest[@]}")
[ ${#checks[@]} -gt 0 ] || checks=("${all_checks[@]}")
for c in "${checks[@]}"; do
	[[ " ${all_checks[*]} " == *" $c "* ]] || die "unknown check '$c' (checks: ${all_checks[*]})"
done

# The tracked files, as git has them in the checkout (the sources scripts/
# module.sh copies are the same files).
cd "$repo" || die "cannot cd to $repo"
mapfile -t c_files < <(git ls-files '*.c' '*.h')
# Shell: *.sh and every other file with a sh or bash shebang.
sh_files=()
while IFS= read -r f; do
	case $f in
	*.sh) sh_files+=("$f") ;;
	*) head -n 1 "$f" | grep -qE '^#! *(/usr/bin/env +)?(/bin/|/usr/bin/)?(ba)?sh( |$)' && sh_files+=("$f") ;;
	esac
done < <(git ls-files)

kdir=
need_kdir() {
	[ -z "$kdir" ] || return 0
	rst_ext_distro_field "$kernel" >/dev/null &&
		die "$kernel is a distribution's kernel: lint needs a kernel built here (scripts/kernel.sh)"
	kdir=$("$here/kernel.sh" "$kernel" "$variant") || die "no $target test kernel"
}

# finish NAME COUNT [RC]: the check's line; its findings count against the
# exit status, and so does a tool that failed (RC not 0) with none counted.
status=0
finish() {
	local n=$2
	[ "${3:-0}" = 0 ] || [ "$n" != 0 ] || n=1
	echo "lint: $1: $n findings"
	[ "$n" = 0 ] || status=1
}

# checkpatch's findings of these types are not for this module; they are
# dropped for every file here, and every other type counts:
#   LINUX_VERSION_CODE   an out-of-tree module that builds against 6.12 and
#                        7.3 has to test the version (in-tree code need not)
#   CONSTANT_COMPARISON  LINUX_VERSION_CODE >= KERNEL_VERSION(...), the
#                        kernel's own idiom, reads to it as a constant on the
#                        left
#   OPEN_ENDED_LINE, PARENTHESIS_ALIGNMENT
#                        the TRACE_EVENT() layout of Documentation/trace/ and
#                        of every include/trace/events/ header (mptcp.h too):
#                        TP_STRUCT__entry( and TP_fast_assign( end their line,
#                        and the blocks are indented by a tab
checkpatch_ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON,OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT
lint_checkpatch() {
	local cp out rc
	need_kdir
	# A build tree made with O= has the source under source/.
	cp=$kdir/scripts/checkpatch.pl
	[ -f "$cp" ] || cp=$kdir/source/scripts/checkpatch.pl
	[ -f "$cp" ] || die "no scripts/checkpatch.pl in $kdir or its source/"
	out=$(perl "$cp" --strict --no-tree --terse --show-types --no-summary \
		--ignore "$checkpatch_ignore" -f "${c_files[@]}" 2>&1)
	rc=$?
	# Its cache of the kernel's CamelCase names, written where it runs.
	rm -f .checkpatch-camelcase.*
	[ -z "$out" ] || echo "$out"
	finish "checkpatch --strict (${#c_files[@]} files)" "$(grep -cE ': (ERROR|WARNING|CHECK):' <<<"$out")" "$rc"
}

# sparse on the shim (the crate is Rust: clippy's).  Only what it finds in
# our files counts; what it finds in the kernel's own headers is the
# kernel's, printed and not counted.
lint_sparse() {
	local dst f ours theirs
	need_kdir
	command -v sparse >/dev/null || die "sparse not found: apt-get install sparse (or: make setup)"
	dst=$repo/out/$target/lint-sparse
	rm -rf "$dst"
	mkdir -p "$dst/rust"
	cp -p Kbuild VERSION "$dst/"
	for f in "${c_files[@]}"; do
		cp -p "$f" "$dst/rust/"
	done
	# C=2: sparse on every C file of the target, built or not.
	if ! make -C "$kdir" M="$dst" "${KMAKE_FLAGS[@]}" RST_EXT_VERSION=lint C=2 CHECK=sparse \
		rust/shim.o >"$dst/build.log" 2>&1; then
		grep -vE '^make(\[[0-9]+\])?: ' "$dst/build.log" | tail -20
		echo "lint: sparse: the shim does not build, full log: ${dst#"$repo"/}/build.log"
		finish sparse 1
		return
	fi
	# "FILE:LINE:COL: warning|error: ...", then indented context lines.
	ours=$(grep -E "^$dst/[^:]+:[0-9]+:[0-9]+: " "$dst/build.log" | sed "s|^$dst/||")
	theirs=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$dst/build.log" | grep -vE "^$dst/")
	[ -z "$ours" ] || echo "$ours"
	[ -z "$theirs" ] || printf '%s\n' "lint: sparse: in the kernel's headers (not counted):" "$theirs"
	finish "sparse (C=2)" "$(grep -c . <<<"$ours")"
}

# Severity warning: the style level's findings (SC2086 on words meant to
# split, SC2015 on A && B || C) are left to the author.
lint_shellcheck() {
	local out rc
	command -v shellcheck >/dev/null || die "shellcheck not found: apt-get install shellcheck (or: make setup)"
	out=$(shellcheck --external-sources --severity=warning --format=gcc "${sh_files[@]}" 2>&1)
	rc=$?
	[ -z "$out" ] || echo "$out"
	finish "shellcheck -S warning (${#sh_files[@]} files)" "$(grep -cE ':[0-9]+:[0-9]+: ' <<<"$out")" "$rc"
}

lint_clippy() {
	local log=$repo/out/$target/module/build.log rc n
	need_kdir
	"$here/module.sh" "$kernel" "$variant" CLIPPY=1 >/dev/null
	rc=$?
	# (module.sh has printed them.)
	n=$(grep -E '^(warning|error)' "$log" 2>/dev/null | grep -cvE 'warnings? emitted|aborting due')
	finish "clippy ($target)" "${n:-0}" "$rc"
}

lint_rustfmt() {
	local out rc
	out=$(make -s -C "$repo" fmt-check 2>&1)
	rc=$?
	[ -z "$out" ] || echo "$out"
	finish "rustfmt --check" "$(grep -cE '^Diff in ' <<<"$out")" "$rc"
}

for c in "${checks[@]}"; do
	start=$SECONDS
	case $c in
	checkpatch) lint_checkpatch ;;
	sparse) lint_sparse ;;
	shellcheck) lint_shellcheck ;;
	clippy) lint_clippy ;;
	rustfmt) lint_rustfmt ;;
	esac
	log "$c: $((SECONDS - start)) s"
done
exit $status
