#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# modern.sh [-q "10 11"] [-p PATHS] [-n] [-o DIR] [-t SECS]: `make e2e-modern`
# (docs/modern.rst), run on the host after scripts/modern/build.sh.  Boots
# the test VM on the iommufd kernel (build-iommufd) with the host root and
# runs inside it
#   1. tests/qemu/vm-modern.sh: every dirty-tracking path (iommufd + DMA
#      log, legacy container + DMA log, type1 series, stock type1, stock
#      modules + DMA log, iommufd without DMA logging) with each QEMU
#      (-q: 10 from the host, 11 from the trixie root);
#   2. tests/qemu/vm-libvirt.sh (unless -n): libvirt 12 from the trixie
#      root, the vGPU defined by mdevctl, `virsh migrate --live` between
#      two libvirt instances with their own host identities.
# Prints the TAP lines, then the table (tests/qemu/modern-table.py); the
# results and the table go to DIR (-o, default build/modern) and, with
# -o docs/bench, are what docs/modern.rst quotes.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=${IOMMUFD_DIR:-$TOP/build-iommufd}
ARGS="$*"
QEMUS="10 11" PATHS= LIBVIRT=1 OUT=$TOP/build/modern TIMEOUT=
while [ $# -gt 0 ]; do
	case "$1" in
	-q) QEMUS=$2; shift 2 ;;
	-p) PATHS=$2; shift 2 ;;
	-n) LIBVIRT=0; shift ;;
	-o) OUT=$2; shift 2 ;;
	-t) TIMEOUT=$2; shift 2 ;;
	*) echo "usage: $0 [-q '10 11'] [-p PATHS] [-n] [-o DIR] [-t SECS]" >&2; exit 2 ;;
	esac
done
K=$D/linux/arch/x86/boot/bzImage
B=$D/out
ROOT=$TOP/build/trixie-root
for f in "$K" "$B/vm/initramfs.cpio" "$TOP/build/guest/vgpu-guest.elf" "$ROOT/.extra"; do
	[ -e "$f" ] || { echo "modern: $f missing (make all-iommufd)" >&2; exit 1; }
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
log=$TOP/build/modern-vm
mkdir -p "$log"
set -- $QEMUS
TIMEOUT=${TIMEOUT:-$((600 + 900 * $#))}
Q=/host$TOP/tests/qemu
cmd="VM_MIGRATE=$Q/vm-migrate.sh TROOT=/host$ROOT QEMUS='$QEMUS'"
cmd+=" PAYLOAD=$TOP/build/guest/vgpu-guest.elf QMPPY=$TOP/tests/qemu/qmp.py"
[ -n "$PATHS" ] && cmd+=" PATHS='$PATHS'"
cmd+=" sh $Q/vm-modern.sh; rc=\$?"
[ "$LIBVIRT" = 1 ] && cmd+="; TROOT=/host$ROOT PAYLOAD=$TOP/build/guest/vgpu-guest.elf sh $Q/vm-libvirt.sh || rc=1"
cmd+="; exit \$rc"

# The kernel's boot check that the timer interrupt arrives through the
# IO-APIC (check_timer()) has a deadline TCG can miss on a loaded machine,
# and the boot then panics (seen once at load 15): skip the check, as
# scripts/vm/passthrough.sh does and a KVM guest's kvmclock does.
KERNEL=$K BUILD=$B INITRAMFS=$B/vm/initramfs.cpio \
	APPEND="no_timer_check${APPEND:+ $APPEND}" \
	"$TOP/scripts/vm/run.sh" -H -m 4G -t "$TIMEOUT" -l "$log" -- "$cmd" 2>&1 |
	tee "$log/out.txt"
rc=${PIPESTATUS[0]}
{
	echo "# tests/qemu/modern.sh $ARGS at $(git -C "$TOP" describe --always --dirty)"
	echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(cat "$D/linux/include/config/kernel.release")," \
	     "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	grep -E '^(QEMU|LIBVIRT)-RESULT' "$log/out.txt"
} > "$OUT/modern-results.txt"
"$TOP/tests/qemu/modern-table.py" "$OUT/modern-results.txt" | tee "$OUT/modern-table.txt"
pass=$(grep -cE '^ok [0-9]+' "$log/out.txt")
# "not ok ... # TODO": a path's known outcome (vm-modern.sh), not a failure
fail=$(grep -E '^not ok [0-9]+' "$log/out.txt" | grep -vc '# TODO')
todo=$(grep -cE '^not ok [0-9]+.* # TODO' "$log/out.txt")
echo "$pass passed, $fail failed, $todo known (TODO) (vm exit $rc; logs in $log)"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
