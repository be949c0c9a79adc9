#!/bin/sh
# Runs inside the VM (started by scripts/vm.sh): runs the command, records its
# output and exit status in OUTDIR, and scans kmemleak on debug kernels.
#   guest-run.sh OUTDIR COMMAND [ARGS...]
out=$1
shift
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null
# Through a pipe: the kselftest runner writes to /dev/stdout, which,
# reopened on a file, would write over what is there.
{
	"$@"
	echo $? >"$out/rc.cmd"
} 2>&1 | cat >"$out/guest.log"
rc=$(cat "$out/rc.cmd" 2>/dev/null || echo 1)
rm -f "$out/rc.cmd"
if [ -w /sys/kernel/debug/kmemleak ]; then
	# Objects must be older than 5 s before kmemleak reports them.
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$out/kmemleak.txt"
fi
echo "$rc" >"$out/rc"
sync
