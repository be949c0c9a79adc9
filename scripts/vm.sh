#!/usr/bin/env bash
# Boot a test kernel with virtme-ng, run a command inside, bring back its
# output and exit status, and fail on any kernel splat.
#   scripts/vm.sh KDIR OUTDIR [--timeout SECONDS] [--expect-warn FILE:LINE]...
#                 [--icount] -- COMMAND [ARGS...]
# OUTDIR receives console.log (kernel console), guest.log (the command's
# output), rc (its exit status), kmemleak.txt (debug kernels), splats.txt
# and, if there are any, console.decoded.log (scripts/decode_stacktrace.sh);
# console.boot-panic.log if the kernel panicked before the command started.
# --icount: under TCG, QEMU's -icount shift=0,sleep=off: the guest's clock
# advances by one nanosecond per guest instruction (of every vCPU; idle time
# is skipped), so that a guest-side time is an instruction count, whatever
# the host's load.  The command sees RST_EXT_CLOCK=icount then, =host
# otherwise (KVM has no instruction counting).
# --expect-warn: a kernel WARNING at exactly FILE:LINE (and the call trace
# that follows it) is the expected outcome of the test, not a splat: it goes
# to expected-warnings.txt instead.  Anything else still fails the run.
# Exit status: the command's, or 1 if the VM timed out or the kernel splatted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/env.sh
. "$here/env.sh"

kdir=$1 out=$2
shift 2
timeout=1800
expect_warn=
icount=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--expect-warn) expect_warn+=" at $2 |"; shift 2 ;;
	--icount) icount=1; shift ;;
	--) shift; break ;;
	*) echo "vm: unknown option $1" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "vm: no command" >&2; exit 2; }
[ -x "$VNG" ] || { echo "vm: virtme-ng not installed: run scripts/setup.sh" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "vm: qemu-system-x86_64 not found: apt-get install qemu-system-x86" >&2; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{console.log,console.boot-panic.log,console.decoded.log,guest.log,rc,kmemleak.txt,splats.txt,expected-warnings.txt}

# A distribution kernel's KDIR names the image it boots (scripts/distro.sh);
# virtme-ng loads the modules from the unpacked tree beside it.
boot=$kdir
[ -f "$kdir/.rst_ext_boot" ] && boot=$(cat "$kdir/.rst_ext_boot")
vng_args=(--run "$boot" --force-9p --cpus 2 --memory 2G --verbose)

# KVM when it really works here, TCG otherwise (probed once per host boot:
# some hosts expose a /dev/kvm that cannot run a stock guest).
accel_file=$CACHE_DIR/accel.$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
if [ -n "${MPTCP_RST_EXT_ACCEL:-}" ]; then
	accel=$MPTCP_RST_EXT_ACCEL
elif [ -f "$accel_file" ]; then
	accel=$(cat "$accel_file")
else
	accel=tcg
	if [ -w /dev/kvm ]; then
		probe=$(mktemp -d)
		timeout --kill-after=5 60 "$VNG" "${vng_args[@]}" --rwdir="$probe" \
			--exec "touch $probe/ok" >"$probe/log" 2>&1 </dev/null || true
		[ -f "$probe/ok" ] && accel=kvm
		rm -rf "$probe"
	fi
	mkdir -p "$CACHE_DIR"
	echo "$accel" >"$accel_file"
fi
if [ "$accel" = tcg ]; then
	echo "vm: KVM is not usable on this host, running the VM under TCG (slower)" >&2
	vng_args+=(--disable-kvm)
fi
clock=host
if [ -n "$icount" ] && [ "$accel" = tcg ]; then
	vng_args+=(--qemu-opts="-icount shift=0,sleep=off")
	clock=icount
fi

# The guest writes its status and output to $out: with no udevd on the host,
# virtme-ng's own exit code and output channel are not the guest's.
cmd="env RST_EXT_CLOCK=$clock $(printf '%q ' "$@")"
guest="$here/guest-run.sh $(printf %q "$out") $cmd"
# A kernel that panics while it boots, before guest-run.sh has started the
# command (its first step creates guest.log), ran nothing of the test: it is
# booted once more, its console kept in console.boot-panic.log (seen once in
# a CI run: Debian's 7.3.4 under TCG, "Fatal exception in interrupt" 1.8 s
# into the boot).  A panic once the command has started fails the run.
for boot in 1 2; do
	set +e
	timeout --kill-after=30 "$timeout" "$VNG" "${vng_args[@]}" --rwdir="$out" --exec "$guest" \
		>"$out/console.log" 2>&1 </dev/null
	vng_rc=$?
	set -e
	if [ $boot = 2 ] || [ -e "$out/guest.log" ] || ! grep -aq 'Kernel panic' "$out/console.log"; then
		break
	fi
	mv "$out/console.log" "$out/console.boot-panic.log"
	echo "vm: the kernel panicked while booting, before the command started; booting once more:" >&2
	grep -aE '^\[ *[0-9]+\.[0-9]+\].*(RIP:|Kernel panic|BUG:|Oops)' "$out/console.boot-panic.log" | head -5 >&2
done

status=0
if [ $vng_rc = 124 ] || [ $vng_rc = 137 ]; then
	echo "vm: global timeout (${timeout}s) reached" >&2
	status=1
fi
# Kernel splats, as the MPTCP CI looks for them (kernel lines carry a
# timestamp); an expected WARNING and its call trace set apart.
grep -aE '^\[ *[0-9]+\.[0-9]+\].*(Call Trace:|BUG:|WARNING:|UBSAN:|KASAN:|kmemleak:.*suspected|general protection fault|Kernel panic)' \
	"$out/console.log" | awk -v expect="$expect_warn" -v splats="$out/splats.txt" \
	-v expected="$out/expected-warnings.txt" '
	BEGIN { n = split(expect, at, "|"); printf "" >splats }
	/WARNING:/ {
		for (i = 1; i <= n; i++)
			if (at[i] != "" && index($0, at[i])) {
				print >expected
				trace = 1
				next
			}
	}
	/Call Trace:/ && trace { print >expected; trace = 0; next }
	{ trace = 0; print >splats }' || true
if [ -s "$out/expected-warnings.txt" ]; then
	echo "vm: expected kernel warnings (in $out/expected-warnings.txt):" >&2
	grep -a 'WARNING:' "$out/expected-warnings.txt" >&2
fi
if [ -s "$out/splats.txt" ]; then
	echo "vm: the kernel reported problems (from $out/console.log):" >&2
	head -20 "$out/splats.txt" >&2
	# The stacks decoded by the kernel's own script, as the MPTCP CI does.
	decode=$kdir/source/scripts/decode_stacktrace.sh
	[ -x "$decode" ] || decode=$kdir/scripts/decode_stacktrace.sh
	if [ -x "$decode" ] && [ -f "$kdir/vmlinux" ]; then
		"$decode" "$kdir/vmlinux" "$kdir" <"$out/console.log" >"$out/console.decoded.log" 2>&1 &&
			echo "vm: decoded stacks in $out/console.decoded.log" >&2
	fi
	status=1
fi
if [ -s "$out/kmemleak.txt" ]; then
	echo "vm: kmemleak reports leaks ($out/kmemleak.txt):" >&2
	head -20 "$out/kmemleak.txt" >&2
	status=1
fi
if [ ! -f "$out/rc" ]; then
	echo "vm: the guest did not report an exit status (see $out/console.log)" >&2
	exit 1
fi
rc=$(cat "$out/rc")
[ "$rc" = 0 ] || status=$rc
exit "$status"
