#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e.sh [-m MiB[,MiB...]] [-s "fine stock"] [-e] [-P] [-t SECS] [-w WORKLOAD]
#        [-S SCALE] [-p PINNED] [-- GUEST ARGS]
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
# -p PINNED (as scripts/main-job.sh -p: 16M, 256M, 1G, ...; at most 3G, the
# payload's limit) packs the workload (default resident) with that pinned
# working set and sizes the rest to it: the smallest vGPU type whose GTT
# holds it and the payload's ring, guest memory (-m) pinned + 1/16 + 64 MiB,
# the test VM (VMMEM, MiB) twice that + 2 GiB, the payload's sweep so that
# 64 frames verify every page; results in build/qemu-pPINNED.
# -P: on a host that passes a device through (the test VM of
# scripts/vm/passthrough.sh, tests/qemu/vm-passthrough.sh; first -m only;
# results in build/qemu-pt).
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
MEMS= SCOPES="fine stock" ERRORS=0 TIMEOUT= PT= PINNED=
WORKLOAD=${WORKLOAD:-} SCALE=${SCALE:-} VMMEM=${VMMEM:-}
while [ $# -gt 0 ]; do
	case "$1" in
	-m) MEMS=${2//,/ }; shift 2 ;;
	-s) SCOPES=$2; shift 2 ;;
	-e) ERRORS=1; shift ;;
	-P) PT=1; shift ;;
	-p) PINNED=$2; shift 2 ;;
	-t) TIMEOUT=$2; shift 2 ;;
	-w) WORKLOAD=$2; shift 2 ;;
	-S) SCALE=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [-m MiB,...] [-s 'fine stock'] [-e] [-P] [-t SECS] [-w WORKLOAD] [-S SCALE] [-p PINNED] [-- GUEST ARGS]" >&2; exit 2 ;;
	esac
done
out=$BUILD/qemu
VMRUN=$TOP/scripts/vm/run.sh INNER=vm-migrate.sh
TYPE=large VARS=
if [ -n "$PINNED" ]; then
	pbytes=$(numfmt --from=iec "$PINNED") || exit 2
	pmib=$((pbytes >> 20))
	WORKLOAD=${WORKLOAD:-resident}
	out=$BUILD/qemu-p$PINNED
	# the GTT holds the pinned set (its one-page ring included) and the
	# payload's ring and fence page instead of that ring
	need=$((pbytes / 4096 + 4))
	for t in large:4096 256m:65536 1g:262144 4g:1048576; do
		TYPE=${t%:*}
		[ "$need" -le "${t#*:}" ] && break
	done
	MEMS=${MEMS:-$((pmib + pmib / 16 + 64))}
	set -- ${*:-sweep=$(( (pbytes / 4096 + 63) / 64 )) every=10}
	# frames before the migration; after it a full sweep (vm-migrate.sh);
	# waits and the downtime a management layer grants stock grow with
	# the pinned set (stock's stop-copy is all of it)
	VARS="BEFORE=${BEFORE:-30} AFTER=${AFTER:-1}"
	VARS="$VARS T_BEFORE=${T_BEFORE:-$((420 + pmib))} T_AFTER=${T_AFTER:-$((300 + pmib))}"
	# (stock at 1 GiB sends 2 GiB: 270 s at load 5-18, 662 s allowed;
	# docs/bench/qemu-1g-results.txt)
	VARS="$VARS MIG_TIMEOUT=${MIG_TIMEOUT:-$((150 + pmib / 2))}"
	VARS="$VARS CONVERGE_MS=${CONVERGE_MS:-$((10000 + pmib * 50))}"
	# raised not before 20 s + 1 s per 8 MiB, and (qmp.py) not before the
	# first pass over guest RAM has ended: 137 s at 1 GiB, same run
	VARS="$VARS CONVERGE_AFTER=${CONVERGE_AFTER:-$((20 + pmib / 8))}"
fi
MEMS=${MEMS:-128}
if [ -z "$VMMEM" ]; then
	m=$(echo $MEMS | tr ' ' '\n' | sort -n | tail -1)
	VMMEM=$((2 * m + 2048))
	[ $VMMEM -ge 4096 ] || VMMEM=4096
fi
VMMEM=${VMMEM}M
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
	WLP=$out/$WORKLOAD${SCALE:+-s$SCALE}${PINNED:+-p$PINNED}.wlp
	make -s -C "$TOP/tools" BUILD="$BUILD" TOP="$TOP" "$BUILD/host/wl-pack" || exit 1
	"$BUILD/host/wl-pack" ${SCALE:+-s "$SCALE"} ${PINNED:+-p "$PINNED"} \
		-o "$WLP" "$wlsrc" || exit 1
	GARGS=${*:-sweep=64 every=10}
	# workload frames are heavier: about 10 minutes per migration
	set -- $SCOPES
	nscopes=$#
	set -- $MEMS
	TIMEOUT=${TIMEOUT:-$((300 + (600 + 3 * ${pmib:-0}) * nscopes * $#))}
else
	GARGS=${*:-pages=2 sweep=64 every=10 pace=5}
	TIMEOUT=${TIMEOUT:-900}
fi
[ -s "$BUILD/vm/initramfs.cpio" ] || { echo "run make first" >&2; exit 1; }

"$VMRUN" -H -m "$VMMEM" -t "$TIMEOUT" -l "$out/vm" -- \
	"SCOPES='$SCOPES' MEMS='$MEMS' MEM='${MEMS%% *}' ERRORS=$ERRORS GUEST_ARGS='$GARGS'" \
	"TYPE=$TYPE $VARS" \
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
