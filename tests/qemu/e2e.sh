#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e.sh [-m MiB[,MiB...]] [-s "fine stock"] [-e] [-p] [-t SECS] [-w WORKLOAD]
#        [-S SCALE] [-- GUEST ARGS]
#
# End-to-end QEMU live migration of a sample vGPU, run on the host: builds
# the guest payload (tools/guest), boots the test VM (scripts/vm/run.sh -H,
# TCG), and inside it runs tests/qemu/vm-migrate.sh: per scope (patched
# modules + fine-grained vGPU, stock modules + baseline vGPU) two vGPU
# instances, a source QEMU running the payload's workload, a destination
# QEMU with -incoming, QMP migrate while it runs, checks on the destination.
# Prints the TAP lines, then a table of QEMU's own figures (query-migrate,
# and the VFIO bitmap counts from the vfio_get_dirty_bitmap trace) stock vs
# fine-grained.  -e adds the error paths.  Results: build/qemu/results.txt.
# -w (or WORKLOAD=) runs a workload file (a name from tools/workloads or a
# .wl path) in the payload instead of its built-in workload: packed here by
# wl-pack with -S (or SCALE=) as divisor (default the workload's scale),
# passed to QEMU with -initrd.
# -p: the same on a host that passes a device through (the test VM of
# scripts/vm/passthrough.sh, tests/qemu/vm-passthrough.sh; first -m only;
# results in build/qemu-pt).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
MEMS=128 SCOPES="fine stock" ERRORS=0 TIMEOUT= VMMEM=4G PT=
WORKLOAD=${WORKLOAD:-} SCALE=${SCALE:-}
while [ $# -gt 0 ]; do
	case "$1" in
	-m) MEMS=${2//,/ }; shift 2 ;;
	-s) SCOPES=$2; shift 2 ;;
	-e) ERRORS=1; shift ;;
	-p) PT=1; shift ;;
	-t) TIMEOUT=$2; shift 2 ;;
	-w) WORKLOAD=$2; shift 2 ;;
	-S) SCALE=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [-m MiB,...] [-s 'fine stock'] [-e] [-p] [-t SECS] [-w WORKLOAD] [-S SCALE] [-- GUEST ARGS]" >&2; exit 2 ;;
	esac
done
out=$BUILD/qemu
VMRUN=$TOP/scripts/vm/run.sh INNER=vm-migrate.sh
if [ -n "$PT" ]; then
	out=$BUILD/qemu-pt
	VMRUN=$TOP/scripts/vm/passthrough.sh INNER=vm-passthrough.sh
fi
mkdir -p "$out"
make -s -C "$TOP/tools/guest" BUILD="$BUILD" TOP="$TOP" || exit 1
WLP=
if [ -n "$WORKLOAD" ]; then
	case $WORKLOAD in
	*/*|*.wl) wlsrc=$(realpath "$WORKLOAD") ;;
	*) wlsrc=$TOP/tools/workloads/$WORKLOAD.wl ;;
	esac
	WORKLOAD=$(basename "$wlsrc" .wl)
	WLP=$out/$WORKLOAD${SCALE:+-s$SCALE}.wlp
	make -s -C "$TOP/tools" BUILD="$BUILD" TOP="$TOP" "$BUILD/host/wl-pack" || exit 1
	"$BUILD/host/wl-pack" ${SCALE:+-s "$SCALE"} -o "$WLP" "$wlsrc" || exit 1
	GARGS=${*:-sweep=64 every=10}
	# workload frames are heavier: about 10 minutes per migration
	set -- $SCOPES
	nscopes=$#
	set -- $MEMS
	TIMEOUT=${TIMEOUT:-$((300 + 600 * nscopes * $#))}
else
	GARGS=${*:-pages=2 sweep=64 every=10 pace=5}
	TIMEOUT=${TIMEOUT:-900}
fi
[ -s "$BUILD/vm/initramfs.cpio" ] || { echo "run make first" >&2; exit 1; }

"$VMRUN" -H -m "$VMMEM" -t "$TIMEOUT" -l "$out/vm" -- \
	"SCOPES='$SCOPES' MEMS='$MEMS' MEM='${MEMS%% *}' ERRORS=$ERRORS GUEST_ARGS='$GARGS'" \
	"WORKLOAD='$WORKLOAD' SCALE='$SCALE' WLP='$WLP'" \
	"PAYLOAD=$BUILD/guest/vgpu-guest.elf QMPPY=$TOP/tests/qemu/qmp.py" \
	"sh /host$TOP/tests/qemu/$INNER" 2>&1 | tee "$out/log.txt"
rc=${PIPESTATUS[0]}
grep '^QEMU-RESULT' "$out/log.txt" > "$out/results.txt"
"$TOP/tests/qemu/table.sh" "$out/results.txt" | tee "$out/table.txt"
pass=$(grep -cE '^ok [0-9]+' "$out/log.txt")
fail=$(grep -cE '^not ok [0-9]+' "$out/log.txt")
echo "$pass passed, $fail failed (vm exit $rc; logs in $out)"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
