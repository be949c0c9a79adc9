#!/usr/bin/env bash
# make check: set-up, test kernel(s), module, every test.
#   scripts/check.sh [KERNEL...] [VARIANT...]
#       every KERNEL (of RST_EXT_KERNELS, default the first) with every
#       VARIANT (normal, debug, gcc; default normal)
# Results go to out/: per test kernel (out/<kernel>-<variant>/) TAP files and
# VM logs, summary.txt.  The last line is the TAP totals: "N passed, N
# failed, N skipped".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

kernels=() variants=()
for a in "$@"; do
	case $(rst_ext_arg_kind "$a") in
	variant) variants+=("$a") ;;
	kernel) kernels+=("$a") ;;
	*)
		echo "check: unknown argument '$a' (kernels: $(rst_ext_kernels); variants: $RST_EXT_VARIANTS)" >&2
		exit 2
		;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=("$RST_EXT_DEFAULT_KERNEL")
[ ${#variants[@]} -gt 0 ] || variants=(normal)
# The selftests, each run in its own VM boot; the reliability one at its CI
# size (STRESS_CI=1; make stress runs the full size).  CHECK_TESTS names
# some of them (e.g. "mptcp_rst_ext.sh mptcp_rst_ext_causes.sh").
# CHECK_TESTS_<KERNEL> and UPSTREAM_SUBSET_<KERNEL> (the kernel's dots and
# dashes as underscores: CHECK_TESTS_7_3, CHECK_TESTS_debian_7_3) choose for one
# kernel (.ci/run does).
# CHECK_ONLY=REGEX runs only the causes cases whose name matches (the
# selftests' RST_EXT_ONLY), e.g. CHECK_TESTS=mptcp_rst_ext_causes.sh
# CHECK_ONLY=failslab UPSTREAM_SUBSET=none.
all_tests=(mptcp_rst_ext.sh mptcp_rst_ext_causes.sh mptcp_rst_ext_stress.sh)
# kernel_setting NAME KERNEL: NAME_<KERNEL> if set, else NAME
kernel_setting() {
	local v=${1}_${2//[.-]/_}
	echo "${!v:-${!1:-}}"
}
# kernel_tests[KERNEL]: the files to run on KERNEL, checked once here.
declare -A kernel_tests=()
for kernel in "${kernels[@]}"; do
	read -ra tests <<<"$(kernel_setting CHECK_TESTS "$kernel")"
	for t in "${tests[@]}"; do
		[[ " ${all_tests[*]} " == *" $t "* ]] || { echo "check: unknown test '$t' (tests: ${all_tests[*]})" >&2; exit 2; }
	done
	kernel_tests[$kernel]=${tests[*]:-${all_tests[*]}}
done

out=$repo/out
mkdir -p "$out"
summary=$out/summary.txt
: >"$summary"
rm -f "$out/totals.txt"
passed=0 failed=0 skipped=0

# result ok|fail|skip|todo NAME [DETAIL]: todo is a known problem of the
# kernel a test shows (TAP "not ok ... # TODO"), counted with the skipped.
result() {
	local line
	case $1 in
	ok) passed=$((passed + 1)); line="ok - $2" ;;
	skip) skipped=$((skipped + 1)); line="ok - $2 # SKIP ${3:-}" ;;
	todo) skipped=$((skipped + 1)); line="not ok - $2 # TODO ${3:-}" ;;
	*) failed=$((failed + 1)); line="not ok - $2${3:+ # $3}" ;;
	esac
	echo "$line" | tee -a "$summary"
}

# timed NAME CMD...: runs CMD, records its wall time (on fd 3: the terminal,
# whatever CMD's output is redirected to).
exec 3>&2
timed() {
	local name=$1 start=$SECONDS rc
	shift
	"$@"
	rc=$?
	echo "time: $name $((SECONDS - start)) s" | tee -a "$out/timings.txt" >&3
	return $rc
}

# lint CHECK KERNEL VARIANT: scripts/lint.sh's CHECK as one result, "lint:
# NAME: N findings"; its output in out/lint-CHECK.log.
lint() {
	local log=$out/lint-$1.log rc line
	timed "lint-$1" "$here/lint.sh" "$2" "$3" "$1" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^lint: .*: [0-9]+ findings$' "$log" | tail -1)
	if [ $rc = 0 ]; then
		result ok "$line"
	else
		grep -vE '^(lint|kernel): ' "$log" | head -40
		result fail "${line:-lint: $1}" "see out/lint-$1.log"
	fi
}

# count_tap FILE PREFIX: adds a TAP file's test lines to the totals: the
# kselftest runner's line for the file ("ok 1 selftests: COLLECTION: FILE",
# counted as "run_kselftest.sh: COLLECTION: FILE"), and the file's own cases,
# which the runner nests ("# ok 3 - ...").
count_tap() {
	local line
	while IFS= read -r line; do
		line=${line#\# }
		line=${line/ selftests: / - run_kselftest.sh: }
		case $line in
		'not ok '*'# TODO'*) line=${line#not ok [0-9]* - }; result todo "$2: ${line%% # TODO*}" "${line#* # TODO }" ;;
		'not ok '*) result fail "$2: ${line#not ok [0-9]* - }" ;;
		'ok '*'# SKIP'*) line=${line#ok [0-9]* - }; result skip "$2: ${line%% # SKIP*}" "${line#* # SKIP }" ;;
		'ok '*) result ok "$2: ${line#ok [0-9]* - }" ;;
		esac
	done < <(grep -E '^(# )?(not )?ok [0-9]+ ' "$1")
}

# test_times TAP LABEL: each test's time (selftests/lib.sh prints "# time:"
# before each result) into out/test-times.txt.
test_times() {
	awk -v label="$2" '{ sub(/^# /, "") }
		/^# time: / { t = $3; next }
		/^(not )?ok [0-9]+ - / && t != "" {
			sub(/^(not )?ok [0-9]+ - /, "")
			printf "%8.1f s  %s: %s\n", t, label, $0
		}
		{ t = "" }' "$1" >>"$out/test-times.txt"
}

: >"$out/timings.txt"
: >"$out/test-times.txt"
if ! timed setup "$here/setup.sh"; then
	result fail "set-up"
	echo "$passed passed, $failed failed, $skipped skipped" | tee "$out/totals.txt"
	exit 1
fi

# Host side: the attribution's unit tests and their coverage, formatting, the
# docs, the Prometheus rules.
if timed unit-test "$CARGO" test --manifest-path "$repo/rust/host/Cargo.toml" >"$out/unit-test.log" 2>&1; then
	result ok "cargo test: attribution unit tests ($(grep -oE '[0-9]+ passed' "$out/unit-test.log" | awk '{s += $1} END {print s}') passed)"
else
	grep -E 'panicked|FAILED|error' "$out/unit-test.log" | head -20
	result fail "cargo test: attribution unit tests" "see out/unit-test.log"
fi
# The coverage of rust/rst_ext.rs by those tests (make coverage-host): the
# figures only, no threshold; it fails only if the run does.
if timed coverage-host "$here/coverage-host.sh" >"$out/coverage-host.log" 2>&1 &&
	cov=$(sed -n 's/^coverage: rust\/rst_ext\.rs: //p' "$out/coverage-host.log") && [ -n "$cov" ]; then
	result ok "coverage (host): rust/rst_ext.rs $(sed -E 's| [0-9]+/[0-9]+ \(([0-9.]+%)\)| \1|g' <<<"$cov") (out/coverage/rust/index.html)"
else
	tail -n 5 "$out/coverage-host.log"
	result fail "coverage (host): rust/rst_ext.rs" "see out/coverage-host.log"
fi
if make -s -C "$repo" fmt-check >"$out/rustfmt.log" 2>&1; then
	result ok "rustfmt --check"
else
	cat "$out/rustfmt.log"
	result fail "rustfmt --check"
fi
lint shellcheck "$RST_EXT_DEFAULT_KERNEL" normal
if timed docs "$here/docs.sh" >"$out/docs.log" 2>&1; then
	result ok "make docs: Sphinx, no warning, every counter documented"
else
	cat "$out/docs.log"
	result fail "make docs: Sphinx, no warning, every counter documented" "see out/docs.log"
fi
# The Prometheus rules (make monitoring-test): one result per line of its TAP.
if ! timed monitoring "$here/monitoring.sh" >"$out/monitoring.log" 2>&1 &&
	! grep -q '^not ok ' "$out/monitoring.log"; then
	result fail "make monitoring-test" "see out/monitoring.log"
fi
count_tap "$out/monitoring.log" "monitoring"

# Every test kernel: each kernel with each variant.
for kernel in "${kernels[@]}"; do
for variant in "${variants[@]}"; do
	target=$(rst_ext_target "$kernel" "$variant")
	read -ra tests <<<"${kernel_tests[$kernel]}"
	vout=$out/$target
	mkdir -p "$vout"
	if ! kdir=$(timed "kernel-$target" "$here/kernel.sh" "$kernel" "$variant"); then
		result fail "$target: test kernel builds"
		continue
	fi
	# A distribution's kernel: its headers are what a user builds against
	# (the module's Makefile prepares rust/ from them), in the root of its
	# release (scripts/distro.sh); built kernels: the build tree, here.
	inroot=() ukdir=$kdir
	if rst_ext_distro_field "$kernel" >/dev/null; then
		inroot=("$here/distro.sh" run "$kernel")
		ukdir=$(cat "$kdir/.rst_ext_headers")
		result ok "$target: the distribution's kernel, KDIR prepared from its packages ($ukdir)"
		# The proof that the prepared tree is the kernel's, and that it
		# stops on a tree or tool that is not.
		if ! timed "distro-kdir-test-$target" "${inroot[@]}" "$here/distro-kdir-test.sh" "$ukdir" "$kdir" \
			>"$vout/distro-kdir-test.tap" 2>&1 && ! grep -q '^not ok ' "$vout/distro-kdir-test.tap"; then
			result fail "$target: distro-kdir tests" "see $vout/distro-kdir-test.tap"
		fi
		count_tap "$vout/distro-kdir-test.tap" "$target: distro-kdir"
	else
		result ok "$target: test kernel builds (CONFIG_RUST=y, CONFIG_MPTCP=y)"
		# The checks that need a kernel's tree, on the first one built here.
		if [ -z "${linted:-}" ]; then
			linted=1
			lint checkpatch "$kernel" "$variant"
			lint sparse "$kernel" "$variant"
		fi
	fi
	if timed "clippy-$target" "$here/module.sh" "$kernel" "$variant" CLIPPY=1 >/dev/null; then
		result ok "$target: module builds with CLIPPY=1, no warning"
	else
		result fail "$target: module builds with CLIPPY=1, no warning"
	fi
	if ! ko=$(timed "module-$target" "$here/module.sh" "$kernel" "$variant"); then
		result fail "$target: module builds, no warning"
		continue
	fi
	result ok "$target: module builds, no warning"
	# A distribution kernel's rustc is not this machine's: the build here
	# must stop, naming both.
	if [ ${#inroot[@]} -gt 0 ]; then
		want=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config")
		have=$(/usr/bin/rustc --version)
		if msg=$(make -s -C "$repo" modules KDIR="$kdir" 2>&1); then
			result fail "$target: the build by this machine's rustc stops" "it built"
		elif [[ $msg == *"'$want'"*"'$have'"* ]]; then
			result ok "$target: the build by another rustc ($have) stops, naming both versions"
		else
			echo "$msg" | tail -3
			result fail "$target: the build by this machine's rustc stops, naming both versions"
		fi
	fi
	# make install as Documentation/install.rst shows it, under a root the
	# main selftest loads it from with modprobe.
	root=$vout/root
	rm -rf "$root"
	if timed "install-$target" "${inroot[@]}" make -s -C "$repo" install KDIR="$ukdir" \
		INSTALL_MOD_PATH="$root" >"$vout/install.log" 2>&1 &&
		rel=$("${inroot[@]}" make -s -C "$kdir" kernelrelease) &&
		ls "$root/lib/modules/$rel/updates/mptcp_rst_ext.ko"* >/dev/null 2>&1 &&
		grep -q '^updates/mptcp_rst_ext.ko' "$root/lib/modules/$rel/modules.dep"; then
		# (.ko.xz where the kernel compresses its modules on install)
		result ok "$target: make install INSTALL_MOD_PATH=...: lib/modules/<release>/updates/mptcp_rst_ext.ko, in modules.dep"
	else
		result fail "$target: make install INSTALL_MOD_PATH=..." "see $vout/install.log"
	fi

	# DKMS as install.rst shows it, under a staging root the main selftest
	# loads it from (scripts/dkms.sh); removed after the selftests.
	dkms_root=$vout/dkms
	if timed "dkms-$target" "${inroot[@]}" "$here/dkms.sh" install "$ukdir" "$dkms_root" >"$vout/dkms.log" 2>&1; then
		result ok "$target: dkms add + install under a staging root: $(head -1 "$vout/dkms.log"), lib/modules/<release>/updates/dkms/mptcp_rst_ext.ko"
	else
		tail -5 "$vout/dkms.log"
		result fail "$target: dkms add + install under a staging root" "see $vout/dkms.log"
	fi

	# Our selftests run as a kernel developer runs them: by the kernel's
	# run_kselftest.sh, from a kselftest install tree of the kernel's own
	# net/mptcp tests with our collection added (scripts/kselftest.sh).
	ksft=$vout/kselftest
	if timed "kselftest-$target" "$here/kselftest.sh" install "$kernel" "$variant" "$ksft" >"$vout/kselftest.log" 2>&1 &&
		[ "$(grep -c '^mptcp_rst_ext:' "$ksft/kselftest-list.txt")" = ${#all_tests[@]} ]; then
		result ok "$target: kselftest install tree: net/mptcp and mptcp_rst_ext (${#all_tests[@]} tests) in kselftest-list.txt"
	else
		tail -5 "$vout/kselftest.log"
		result fail "$target: kselftest install tree" "see $vout/kselftest.log"
		continue
	fi

	# Alone on 2 cores under TCG a file takes 2-5 min (normal), 15-60 min
	# (debug: the causes file is the longest); the margin is for a loaded
	# machine.
	vm_timeout=900
	# The reliability tests' CI sizes fit their CI time limit (600 s each,
	# the selftest's default) on the normal kernel; the debug kernel under
	# TCG is 4 to 5 times slower (10 load/unload cycles under traffic took
	# 700 s on 7.3.4).
	stress_limit=${STRESS_TIME_LIMIT:-}
	if [ "$variant" = debug ]; then
		vm_timeout=5400
		stress_limit=${STRESS_TIME_LIMIT:-2400}
	fi
	rst_ext_stress_warn "$kernel"
	for t in "${tests[@]}"; do
		name=${t%.sh}
		expect=()
		[ "$t" = mptcp_rst_ext_stress.sh ] && expect=("${STRESS_EXPECT_WARN[@]}")
		timed "vm-$target-$name" "$here/vm.sh" "$kdir" "$vout/$name" --timeout "$vm_timeout" "${expect[@]}" -- \
			env RST_EXT_KO="$ko" RST_EXT_ROOT="$root" \
			RST_EXT_DKMS_ROOT="$dkms_root" RST_EXT_KDIR="$kdir" RST_EXT_ONLY="${CHECK_ONLY:-}" STRESS_CI=1 STRESS_TIME_LIMIT="$stress_limit" \
			STRESS_WARN_AT="$STRESS_WARN_AT" "$ksft/run_kselftest.sh" -t "mptcp_rst_ext:$t"
		vm_rc=$?
		cp "$vout/$name/guest.log" "$vout/$name.tap" 2>/dev/null || : >"$vout/$name.tap"
		count_tap "$vout/$name.tap" "$target: $t"
		test_times "$vout/$name.tap" "$target: $t"
		grep -qE '^# 1\.\.[0-9]' "$vout/$name.tap" || result fail "$target: $t ran to the end" "no TAP plan"
		if [ -s "$vout/$name/splats.txt" ] || [ -s "$vout/$name/kmemleak.txt" ] || [ ! -f "$vout/$name/rc" ]; then
			result fail "$target: $t: VM run: no call trace, no kmemleak report, no timeout" "see $vout/$name/"
		else
			result ok "$target: $t: VM run: no call trace, no kmemleak report, no timeout (exit $vm_rc)"
		fi
	done
	if "${inroot[@]}" "$here/dkms.sh" remove "$ukdir" "$dkms_root" >>"$vout/dkms.log" 2>&1; then
		result ok "$target: dkms remove --all: nothing left under the staging root"
	else
		tail -5 "$vout/dkms.log"
		result fail "$target: dkms remove --all: nothing left under the staging root" "see $vout/dkms.log"
	fi

	# The kernel's own MPTCP selftests (the reset-related mptcp_join.sh
	# groups) with the module loaded and its self-check on: one TAP line per
	# test, the self-check and rmmod included (make check-upstream runs more).
	# The debug kernel is 3 to 5 times slower under TCG: its subset is the
	# fastclose and MP_FAIL groups (about 20 minutes).  UPSTREAM_SUBSET
	# picks another one; "none" runs none (our selftests alone).
	subset=$(kernel_setting UPSTREAM_SUBSET "$kernel")
	subset=${subset:-$([ "$variant" = debug ] && echo mptcp_join_fastclose,mptcp_join_fail || echo reset)}
	if [ "$subset" = none ]; then
		result skip "$target: upstream selftests" "not run: UPSTREAM_SUBSET=none"
		continue
	fi
	up=$out/$target/upstream/${subset//,/+}
	timed "upstream-$target" "$here/upstream.sh" --subset "$subset" "$kernel" "$variant" >"$vout/upstream.log" 2>&1
	if [ -f "$up/summary.txt" ]; then
		while IFS= read -r line; do
			case $line in
			'not ok 1 test: '*) line=${line#not ok 1 test: }; result fail "$target: upstream: ${line%% #*}" "see $up/" ;;
			*'# SKIP'*) line=${line#ok 1 test: }; result skip "$target: upstream: ${line%% #*}" "${line#* # SKIP }" ;;
			'ok 1 test: '*) result ok "$target: upstream: ${line#ok 1 test: }" ;;
			esac
		done < <(sed -n '/^All tests:/,/^$/p' "$up/summary.txt" | grep -aE '^(not )?ok 1 test: ')
		conclusion=$(cat "$up/conclusion.txt" 2>/dev/null)
		case $conclusion in
		*Critical* | *"Script error"*) result fail "$target: upstream: VM run: no call trace, no kmemleak report, no timeout" "$conclusion" ;;
		*) result ok "$target: upstream: VM run: no call trace, no kmemleak report, no timeout" ;;
		esac
	else
		tail -5 "$vout/upstream.log"
		result fail "$target: upstream selftests ran" "see $vout/upstream.log"
	fi
done
done

# The same results as JUnit XML, for CI pages (the GitHub workflow uploads it).
python3 "$here/junit.py" "$summary" >"$out/junit.xml" || echo "check: out/junit.xml not written" >&2
echo "# summary in out/summary.txt (JUnit: out/junit.xml), timings in out/timings.txt (each test's: out/test-times.txt)"
if [ "$failed" -gt 0 ]; then
	echo "Conclusion: FAILED"
else
	echo "Conclusion: success"
fi
echo "$passed passed, $failed failed, $skipped skipped" | tee "$out/totals.txt"
[ "$failed" = 0 ]
