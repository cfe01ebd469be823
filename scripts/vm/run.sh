#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [-t TIMEOUT] [-m MEM] [-l LOGDIR] -- COMMAND...
#
# Boot the Debian 6.12 kernel under QEMU/TCG (never KVM) with the test
# initramfs, run COMMAND inside (sh -c), stream its output, keep the guest
# kernel log in LOGDIR/guest-kernel.log and exit with COMMAND's status.
# Environment: KERNEL (default build/kernel/vmlinuz), INITRAMFS (default
# build/vm/initramfs.cpio), EXTRA_INITRD (cpio archives appended, e.g. a
# debug kernel's modules), APPEND (extra kernel command line), QEMU_EXTRA
# (extra QEMU options), SMP, ICOUNT (N: single-threaded TCG with -icount
# shift=N,sleep=off: guest time counts instructions, so timings do not
# depend on the host's load; see docs/tools.rst), TCG_SINGLE=1
# (single-threaded TCG without icount: q35 with intel-iommu misbehaved
# under thread=multi, docs/passthrough.rst).  -H shares the host's
# root read-only with the guest (mounted at /host; `chroot /host CMD` runs
# host programs, and the VM's /tests is at /tmp/tests there).
# Any WARN, BUG, Oops, KASAN, lockdep or list corruption line in the guest
# kernel log fails the run (exit 125); a hang past TIMEOUT exits 124.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
TIMEOUT=600 MEM=2G LOGDIR=$BUILD/vm/log SMP=${SMP:-2}
KERNEL=${KERNEL:-$BUILD/kernel/vmlinuz}
ACCEL="-accel tcg,thread=multi"
[ "${TCG_SINGLE:-0}" != 1 ] || ACCEL="-accel tcg,thread=single"
# ICOUNT also turns off the crypto self-tests: they run in kthreads for the
# first ~20 s after boot and, on one vCPU, take the CPU whenever a measured
# thread reaches a preemption point (seen: a driver taking a mutex once per
# submission ran its workload at half the frame rate of one that did not).
if [ -n "${ICOUNT:-}" ]; then
	ACCEL="-accel tcg,thread=single -icount shift=$ICOUNT,sleep=off"
	APPEND="${APPEND:-} cryptomgr.notests"
fi
HOSTROOT=${HOSTROOT:-0}
INITRAMFS=${INITRAMFS:-$BUILD/vm/initramfs.cpio}
while [ $# -gt 0 ]; do
	case "$1" in
	-t) TIMEOUT=$2; shift 2 ;;
	-m) MEM=$2; shift 2 ;;
	-l) LOGDIR=$2; shift 2 ;;
	-H) HOSTROOT=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [-t S] [-m MEM] [-l DIR] -- CMD" >&2; exit 2; }
mkdir -p "$LOGDIR"
LOGDIR=$(cd "$LOGDIR" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/c"
printf '%s\n' "$*" > "$work/c/cmd.sh"
(cd "$work/c" && echo cmd.sh | cpio -o -H newc --quiet) > "$work/cmd.cpio"
cat "$INITRAMFS" ${EXTRA_INITRD:-} "$work/cmd.cpio" > "$work/initrd"

if [ "$HOSTROOT" = 1 ]; then
	QEMU_EXTRA="${QEMU_EXTRA:-} -fsdev local,id=hostroot,path=/,security_model=none,readonly=on
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
	APPEND="${APPEND:-} hostroot"
fi
console=$LOGDIR/guest-console.log
out=$LOGDIR/guest-out.log
: > "$console"; : > "$out"
timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 \
	$ACCEL -cpu max -smp "$SMP" -m "$MEM" \
	-nodefaults -display none -no-reboot \
	-kernel "$KERNEL" -initrd "$work/initrd" \
	-append "console=ttyS0 loglevel=5 rdinit=/init panic=-1 oops=panic ${APPEND:-}" \
	-serial "file:$console" -serial "file:$out" ${QEMU_EXTRA:-} \
	>"$LOGDIR/qemu.log" 2>&1 &
qpid=$!
# Stream the command's output (everything before the kernel log dump).
tail -n +1 -f --pid=$qpid "$out" 2>/dev/null | sed -u '/^@@DMESG-BEGIN/,$d'
wait $qpid
qrc=$?

# Guest kernel log: the console (levels <= warning, survives a hang) and
# the full dmesg dumped at the end.
{ cat "$console"; sed -n '/^@@DMESG-BEGIN/,/^@@DMESG-END/p' "$out"; } \
	> "$LOGDIR/guest-kernel.log"
rc=$(sed -n 's/^@@VM-EXIT \([0-9]*\).*/\1/p' "$out" | tail -1)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm: TIMEOUT after ${TIMEOUT}s" >&2; rc=124
elif [ -z "$rc" ]; then
	echo "vm: guest did not finish (qemu exit $qrc); see $LOGDIR" >&2; rc=126
fi
if ! "$TOP/scripts/vm/check-log.sh" "$LOGDIR/guest-kernel.log" "$LOGDIR/bad-lines.log"; then
	echo "vm: bad kernel log lines (see $LOGDIR/guest-kernel.log):" >&2
	head -20 "$LOGDIR/bad-lines.log" >&2
	[ "$rc" = 0 ] && rc=125
fi
exit "$rc"
