#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-migrate.sh: the in-VM part of the QEMU live-migration test (runs in the
# test VM booted with run.sh -H; QEMU 10 and python3 run from the host root
# through `chroot /host`; TCG only).  For each scope it loads the modules,
# creates two sample vGPU instances, boots the guest payload (vgpu-guest.elf)
# on a source QEMU, starts a destination QEMU with -incoming, live-migrates
# over QMP while the payload's workload runs, and checks on the destination
# serial log that the guest's own checks keep passing, frames stay
# consecutive and fences continue.  Prints TAP (`ok N - ...`) and one
# `QEMU-RESULT scope=... key=value...` line per migration.
#
# Environment:
#   SCOPES   "fine stock" (default): fine = patched modules + fine-grained
#            vGPU, stock = Debian's modules + stock-built vGPU (baseline
#            pinning, every pinned page dirty every round)
#   MEMS     guest RAM sizes in MiB (default 128); one migration each
#   ERRORS   1: also the error paths (other destination type, destination
#            killed mid-migration, removing an assigned vGPU)
#   PAYLOAD  payload path as seen in the chroot (default /tmp/tests/vgpu-guest.elf)
#   QMPPY    qmp.py path as seen in the chroot (default /tmp/tests/qmp.py)
#   TYPE     vGPU type (default large: 4096 GTT pages pinned)
#   GUEST_ARGS  payload command line (default "pages=2 sweep=64 every=10 pace=5";
#            with a workload file "sweep=64 every=10": the pace is the
#            workload's frame period)
#   WORKLOAD a workload file instead of the payload's built-in workload: a
#            name from /tests/workloads (render, compute, ...) or a .wl path;
#            packed by /tests/wl-pack [-s SCALE] into /tmp/qm and given to both
#            QEMUs as a multiboot module (-initrd)
#   SCALE    wl-pack scale divisor for WORKLOAD (default: the workload's)
#   T_BEFORE, T_AFTER  seconds allowed to reach frame BEFORE on the source
#            (boot included) and AFTER more frames on the destination
#            (default 180 and 120; with a workload file 420 and 300: its
#            frames are heavier)
#   WLP      an already packed workload, path as seen in the chroot (e2e.sh
#            packs on the host and passes this); WORKLOAD is then its label
#   BEFORE   frame the source reaches before migrating (default 100)
#   MIG_TIMEOUT  seconds the migration may take (default 150)
#   TSCALE   multiply every wait and QMP timeout (default 1; the debug
#            kernel's KASAN + lockdep make the nested QEMU several times
#            slower)
#   AFTER    frames the destination must run after migration (default 100;
#            raised to a full sweep of the payload's data pages, so that
#            every page is verified on the destination)
#   KEEP_QEMU  pids of QEMUs that are not this test's (vm-passthrough.sh)
#   QEMU_ROOT  the root QEMU runs in (default /host, the host's QEMU 10;
#            tests/qemu/vm-modern.sh: a trixie root with QEMU 11)
#   VFIO_OPTS  the vfio-pci options after sysfsdev= (default
#            enable-migration=on); QEMU_OPTS more QEMU options
#   TRACE    QEMU trace events, comma separated, into NAME.trace (default
#            vfio_get_dirty_bitmap)
SCOPES=${SCOPES:-fine stock}
MEMS=${MEMS:-128}
ERRORS=${ERRORS:-0}
PAYLOAD=${PAYLOAD:-/tmp/tests/vgpu-guest.elf}
QMPPY=${QMPPY:-/tmp/tests/qmp.py}
TYPE=${TYPE:-large}
WORKLOAD=${WORKLOAD:-}
SCALE=${SCALE:-}
WLP=${WLP:-}
if [ -n "$WORKLOAD$WLP" ]; then
	GUEST_ARGS=${GUEST_ARGS:-sweep=64 every=10}
	T_BEFORE=${T_BEFORE:-420} T_AFTER=${T_AFTER:-300}
else
	GUEST_ARGS=${GUEST_ARGS:-pages=2 sweep=64 every=10 pace=5}
	T_BEFORE=${T_BEFORE:-180} T_AFTER=${T_AFTER:-120}
fi
AFTER=${AFTER:-100}
TSCALE=${TSCALE:-1}
export TSCALE
BEFORE=${BEFORE:-100}
# precopy not converged after CONVERGE_AFTER s and its first pass over RAM
# (stock: every pinned page is dirty in every round): raise QEMU's
# downtime-limit to CONVERGE_MS (qmp.py --converge-after)
CONVERGE_AFTER=${CONVERGE_AFTER:-20}
CONVERGE_MS=${CONVERGE_MS:-10000}
MIG_TIMEOUT=${MIG_TIMEOUT:-150}
EVERY=$(echo " $GUEST_ARGS" | sed -n 's/.* every=\([0-9]*\).*/\1/p')
EVERY=${EVERY:-1}
W=/tmp/qm
PORT=4444
T=/sys/class/mdev_bus/sample_vgpu/mdev_supported_types
U1=5a1b0000-0000-4000-8000-000000000001
U2=5a1b0000-0000-4000-8000-000000000002
U3=5a1b0000-0000-4000-8000-000000000003
QEMU=/usr/bin/qemu-system-x86_64
KEEP_QEMU=${KEEP_QEMU:-}
QEMU_ROOT=${QEMU_ROOT:-/host}
VFIO_OPTS=${VFIO_OPTS-enable-migration=on}
QEMU_OPTS=${QEMU_OPTS:-}
TRACE=${TRACE:-vfio_get_dirty_bitmap}
n=0
fails=0
mkdir -p $W
# QEMU migrates over TCP on the loopback interface
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

# XFAIL (an ERE, empty by default): a failing check whose description
# matches it is a known outcome, "not ok ... # TODO XFAIL_WHY", not
# counted in fails (vm-modern.sh's path without a dirty tracker)
tap() {	# STATUS(0 ok) DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	elif [ -n "${XFAIL:-}" ] && echo "$2" | grep -qE "$XFAIL"; then
		echo "not ok $n - $2 # TODO ${XFAIL_WHY:-known outcome}"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
note() { echo "# $*"; }
qmp() { chroot /host /usr/bin/python3 "$QMPPY" "$@"; }

mdev_create() {	# UUID TYPE
	echo "$1" > "$T/sample_vgpu-$2/create"
}
mdev_remove() {	# UUID
	[ -e /sys/bus/mdev/devices/$1 ] && echo 1 > /sys/bus/mdev/devices/$1/remove
	return 0
}

# qemu_start NAME UUID MEM [QEMU options...]: in the background; pid in
# $W/NAME.pid (written by QEMU), serial in $W/NAME.serial, QMP at
# $W/NAME.qmp, the TRACE events in $W/NAME.trace, stderr NAME.err
qemu_start() {
	name=$1 uuid=$2 mem=$3
	shift 3
	rm -f $W/$name.pid $W/$name.serial $W/$name.qmp $W/$name.trace
	: > $W/$name.serial
	chroot "$QEMU_ROOT" $QEMU -accel tcg -machine pc -m "$mem" -nodefaults \
		-display none -no-reboot $QEMU_OPTS \
		-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$uuid${VFIO_OPTS:+,$VFIO_OPTS} \
		-kernel "$PAYLOAD" -append "$GUEST_ARGS" \
		${WLP:+-initrd} ${WLP:+"$WLP"} \
		-serial file:$W/$name.serial \
		-qmp unix:$W/$name.qmp,server=on,wait=off -pidfile $W/$name.pid \
		-msg timestamp=on $(echo "$TRACE" | tr ',' '\n' |
			sed "s|.*|-trace enable=&,file=$W/$name.trace|") \
		"$@" > $W/$name.err 2>&1 &
}

qemu_pid() { cat $W/$1.pid 2>/dev/null; }

# qemu_stop NAME: by the pid in its pidfile; SIGTERM, then SIGKILL
qemu_stop() {
	pid=$(qemu_pid $1)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	rm -f $W/$1.pid
}

stop_all() {
	for q in src dst dst2; do qemu_stop $q; done
	wait 2>/dev/null
}

# wait_line FILE REGEX SECONDS: until a line near the end matches (wall
# clock bound); fails at once on a FAIL line (the payload halts after it)
wait_line() {
	end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le $end ]; do
		tail -c 2048 "$1" 2>/dev/null > $W/tail
		grep -aq "^FAIL" $W/tail && return 2
		grep -aqE "$2" $W/tail && return 0
		sleep 0.5
	done
	return 1
}

# wait_frame FILE N SECONDS: until the payload reports frame >= N
wait_frame() {
	end=$(( $(date +%s) + $3 * TSCALE ))
	while [ "$(date +%s)" -le $end ]; do
		tail -c 2048 "$1" 2>/dev/null > $W/tail
		grep -aq "^FAIL" $W/tail && return 2
		f=$(grep -a -o '^frame [0-9]* ok' $W/tail | tail -1 | cut -d' ' -f2)
		[ -n "$f" ] && [ "$f" -ge "$2" ] && return 0
		sleep 0.5
	done
	return 1
}

last_frame() { tail -c 2048 "$1" | grep -a -o '^frame [0-9]* ok' | tail -1 | cut -d' ' -f2; }

# frames_consecutive FILE...: frame numbers across the files go up by 1
frames_consecutive() {
	cat "$@" | tr -d '\r' | grep -a -o '^frame [0-9]* ok' | cut -d' ' -f2 |
		awk -v e="${EVERY:-10}" 'NR > 1 && $1 != prev + e { bad = 1; print "# gap: " prev " -> " $1 }
		     { prev = $1 } END { exit bad }'
}

# after_frames SERIAL: AFTER, or more if a full sweep of the payload's data
# pages (its start line) at GUEST_ARGS' sweep= takes more frames
after_frames() {
	dp=$(grep -a -m1 -o 'data_pages [0-9]*' "$1" | cut -d' ' -f2)
	sw=$(echo " $GUEST_ARGS" | sed -n 's/.* sweep=\([0-9]*\).*/\1/p')
	full=$(( (${dp:-0} + ${sw:-64} - 1) / ${sw:-64} + EVERY ))
	echo $(( full > AFTER ? full : AFTER ))
}

# bitmap_rounds TRACE: dirty pages reported per sync, comma separated (a
# sync queries the mapped sections in IOVA order: a lower IOVA starts one)
bitmap_rounds() {
	sed -n 's/.*iova=\(0x[0-9a-f]*\).*dirty_pages=\([0-9]*\).*/\1 \2/p' "$1" 2>/dev/null |
		while read -r iova d; do echo "$((iova)) $d"; done |
		awk 'NR > 1 && $1 <= prev { printf "%s%d", sep, s; sep = ","; s = 0 }
		     { s += $2; prev = $1 } END { if (NR) printf "%s%d", sep, s }'
}

bitmap_stats() {	# TRACE: "syncs pages" from vfio_get_dirty_bitmap lines
	grep -a -o 'dirty_pages=[0-9]*' "$1" 2>/dev/null |
		awk -F= '{ n++; s += $2 } END { printf "%d %d", n, s }'
}

# migrate_one SCOPE MEM: one live migration under load, all checks
migrate_one() {
	scope=$1 mem=$2
	tag="$scope ${mem}M${WLNAME:+ $WLNAME}"
	mdev_create $U1 $TYPE && mdev_create $U2 $TYPE
	tap $? "$tag: two $TYPE vGPU instances created"
	t0=$(date +%s)
	el() { echo "$(( $(date +%s) - t0 ))s"; }
	qemu_start src $U1 $mem
	qemu_start dst $U2 $mem -incoming tcp:127.0.0.1:$PORT
	wait_frame $W/src.serial $BEFORE $T_BEFORE
	rc=$?
	tap $rc "$tag: guest payload runs on the source (frame $BEFORE)"
	if [ $rc != 0 ]; then
		tail -5 $W/src.serial $W/src.err | sed 's/^/# /'
		stop_all; mdev_remove $U1; mdev_remove $U2
		return
	fi
	before=$(last_frame $W/src.serial)
	note "$tag: $(grep -a '^vgpu-guest' $W/src.serial | tr -d '\r')"
	[ -n "$WLP" ] && note "$tag: $(grep -a -m1 '^workload' $W/src.serial | tr -d '\r')"
	note "$tag: migrating at frame $before ($(el))"
	qmp $W/dst.qmp wait-connect 60
	qmp $W/src.qmp migrate tcp:127.0.0.1:$PORT --timeout $MIG_TIMEOUT \
		--counter /sys/bus/mdev/devices/$U1/vendor/dirty_pages \
		--converge-after $CONVERGE_AFTER --converge-downtime $CONVERGE_MS \
		> $W/mig.out 2>&1
	rc=$?
	sed 's/^/# /' $W/mig.out | grep -v RESULT
	tap $rc "$tag: live migration completed"
	if [ $rc != 0 ]; then
		tail -5 $W/src.err $W/dst.err | sed 's/^/# /'
		stop_all; mdev_remove $U1; mdev_remove $U2
		return
	fi
	dststat=$(qmp $W/dst.qmp status 2>&1)
	srcstat=$(qmp $W/src.qmp status 2>&1)
	[ "$dststat" = running ] && [ "$srcstat" = postmigrate ]
	tap $? "$tag: destination running, source postmigrate ($dststat/$srcstat)"
	# the workload continues on the destination, all guest checks passing
	first=$(grep -a -m1 -o '^frame [0-9]* ok' $W/dst.serial | cut -d' ' -f2)
	want=$((${first:-0} + $(after_frames $W/src.serial)))
	wait_frame $W/dst.serial $want $T_AFTER
	rc=$?
	[ $rc != 0 ] && tail -3 $W/dst.serial | sed 's/^/# dst serial: /'
	tap $rc "$tag: destination guest passes its checks to frame $want, every data page verified ($(el))"
	grep -aq '^FAIL' $W/src.serial $W/dst.serial
	[ $? != 0 ]
	tap $? "$tag: no FAIL line on source or destination"
	frames_consecutive $W/src.serial $W/dst.serial
	tap $? "$tag: frames and fence seqnos consecutive across the migration"
	irq_s=$(grep -a -o 'irqs [0-9]*' $W/dst.serial | head -1 | cut -d' ' -f2)
	irq_e=$(grep -a -o 'irqs [0-9]*' $W/dst.serial | tail -1 | cut -d' ' -f2)
	[ -n "$irq_s" ] && [ "$irq_e" -gt "$irq_s" ]
	tap $? "$tag: MSIs delivered on the destination ($irq_s -> $irq_e)"
	set -- $(bitmap_stats $W/src.trace)
	bsyncs=${1:-0} bpages=${2:-0}
	sum=$(grep '^SUMMARY' $W/mig.out | cut -d' ' -f2-)
	pinned=$(cat /sys/bus/mdev/devices/$U1/vendor/pages_pinned 2>/dev/null)
	devdirty=$(cat /sys/bus/mdev/devices/$U1/vendor/dirty_pages 2>/dev/null)
	# the pages the vGPU wrote while it migrated (qmp.py --counter)
	c0=$(echo " $sum" | sed -n 's/.* counter_before=\([0-9]*\).*/\1/p')
	c1=$(echo " $sum" | sed -n 's/.* counter_after=\([0-9]*\).*/\1/p')
	# result_extra: more key=value pairs from a caller that sourced this
	extra=
	type result_extra > /dev/null 2>&1 && extra=" $(result_extra)"
	echo "QEMU-RESULT scope=$scope mem=$mem workload=${WLNAME:-builtin} $sum bitmap_queries=$bsyncs bitmap_pages=$bpages bitmap_rounds=$(bitmap_rounds $W/src.trace) type=$TYPE pinned=$pinned dev_written_pages=$devdirty dev_written_mig=$((${c1:-0} - ${c0:-0}))$extra"
	stop_all
	[ -n "${KEEP_LOGS:-}" ] && cp $W/src.* $W/dst.* "$KEEP_LOGS/" 2>/dev/null
	left=$(for p in $(pidof qemu-system-x86_64); do
		case " $KEEP_QEMU " in *" $p "*) ;; *) echo "$p" ;; esac
	done)
	[ -z "$left" ]
	tap $? "$tag: QEMUs stopped by pidfile, none left"
	mdev_remove $U1 && mdev_remove $U2
	[ ! -e /sys/bus/mdev/devices/$U1 ] && [ ! -e /sys/bus/mdev/devices/$U2 ]
	tap $? "$tag: vGPU instances removed ($(( $(date +%s) - t0 ))s)"
}

# error paths, with the patched modules loaded
errors() {
	mem=128
	# 1. destination vGPU of another type: refused, source keeps running
	mdev_create $U1 $TYPE && mdev_create $U3 medium
	qemu_start src $U1 $mem
	qemu_start dst $U3 $mem -incoming tcp:127.0.0.1:$PORT
	wait_frame $W/src.serial $BEFORE 180
	tap $? "type mismatch: source guest runs"
	qmp $W/dst.qmp wait-connect 60
	qmp $W/src.qmp migrate tcp:127.0.0.1:$PORT --timeout 120 > $W/mig.out 2>&1
	rc=$?
	grep -v RESULT $W/mig.out | sed 's/^/# /'
	[ $rc != 0 ]
	tap $? "type mismatch: migration fails"
	sleep 1
	msg=$(grep -a -v warning $W/dst.err | grep -a -i -m3 'error\|fail' | tr '\n' ' ')
	note "destination says: $msg"
	[ -n "$msg" ]
	tap $? "type mismatch: destination QEMU reports an error"
	f=$(last_frame $W/src.serial)
	wait_frame $W/src.serial $((f + 100)) 120
	tap $? "type mismatch: source keeps running, guest checks pass ($(qmp $W/src.qmp status))"
	stop_all
	mdev_remove $U3

	# 2. destination killed mid-migration: source resumes
	mdev_create $U2 $TYPE
	qemu_start dst $U2 $mem -incoming tcp:127.0.0.1:$PORT
	qmp $W/dst.qmp wait-connect 60
	qemu_start src $U1 $mem
	wait_frame $W/src.serial $BEFORE 180
	# slow the migration down so that it is surely in flight; the QMP
	# client kills the destination once RAM is being sent
	qmp $W/src.qmp migrate tcp:127.0.0.1:$PORT --timeout 120 \
		--param max-bandwidth=4194304 \
		--kill-when-active "$(qemu_pid dst)" > $W/mig.out 2>&1
	rc=$?
	grep -v RESULT $W/mig.out | sed 's/^/# /'
	[ $rc != 0 ]
	tap $? "destination killed: migration fails on the source"
	st=$(qmp $W/src.qmp status)
	[ "$st" = running ]
	tap $? "destination killed: source running again ($st)"
	f=$(last_frame $W/src.serial)
	wait_frame $W/src.serial $((f + 100)) 120
	tap $? "destination killed: guest checks keep passing on the source"

	# 3. removing the vGPU the source QEMU holds: the write blocks until
	# QEMU lets go (VFIO core waits for the last close), nothing breaks
	(echo 1 > /sys/bus/mdev/devices/$U1/remove; echo $? > $W/remove.rc) &
	rpid=$!
	sleep 3
	note "remove: writer $(kill -0 $rpid 2>/dev/null && echo waiting || echo "done rc $(cat $W/remove.rc)"), instance $([ -e /sys/bus/mdev/devices/$U1 ] && echo present || echo gone), QEMU $(qmp $W/src.qmp status)"
	[ -e /sys/bus/mdev/devices/$U1 ] || kill -0 $rpid 2>/dev/null
	tap $? "remove while assigned: refused or waits, QEMU keeps the vGPU"
	f=$(last_frame $W/src.serial)
	wait_frame $W/src.serial $((f + 30)) 60
	tap $? "remove while assigned: guest unaffected while it waits"
	qemu_stop src
	i=0
	while kill -0 $rpid 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.2; i=$((i + 1))
	done
	! kill -0 $rpid 2>/dev/null && [ ! -e /sys/bus/mdev/devices/$U1 ]
	tap $? "remove while assigned: completes once QEMU exits"
	stop_all
	mdev_remove $U1; mdev_remove $U2; mdev_remove $U3
	pidof qemu-system-x86_64 > /dev/null
	[ $? != 0 ]
	tap $? "error paths: no QEMU left"
}

# sourced for the functions above (tests/qemu/vm-passthrough.sh,
# tests/qemu/vm-modern.sh, tests/qemu/vm-libvirt.sh): no more
[ -n "${VM_MIGRATE_HELPERS:-}" ] && return 0
if [ ! -e /host$QEMU ] || [ ! -e "/host/${PAYLOAD#/}" ]; then
	echo "1..0 # SKIP no host root (run.sh -H) or no payload"
	exit 0
fi
# the plan: 10 checks per migration, 11 for the error paths, 1 or 2 for a
# workload file (packed here, visible to QEMU); a migration that fails
# early prints fewer, which the plan then shows
set -- $SCOPES
plan=$#
set -- $MEMS
plan=$((plan * $# * 10))
case " $SCOPES " in
*" fine "*) [ "$ERRORS" = 1 ] && plan=$((plan + 11)) ;;
esac
[ -n "$WLP" ] && plan=$((plan + 1))
[ -z "$WLP" ] && [ -n "$WORKLOAD" ] && plan=$((plan + 2))
echo "1..$plan"
# a workload file: pack it here unless e2e.sh did (WLP)
if [ -z "$WLP" ] && [ -n "$WORKLOAD" ]; then
	case $WORKLOAD in
	*/*|*.wl) wlsrc=$WORKLOAD ;;
	*) wlsrc=/tests/workloads/$WORKLOAD.wl ;;
	esac
	WLP=$W/$(basename "$wlsrc" .wl).wlp
	rm -f "$WLP"
	/tests/wl-pack ${SCALE:+-s "$SCALE"} -o "$WLP" "$wlsrc" 2>&1 | sed 's/^/# /'
	[ -s "$WLP" ]
	tap $? "workload $wlsrc packed (scale ${SCALE:-of the file})"
	[ -s "$WLP" ] || exit 1
fi
WLNAME=
if [ -n "$WLP" ]; then
	WLNAME=${WORKLOAD:-$(basename "$WLP" .wlp)}
	WLNAME=$(basename "$WLNAME" .wl)
	[ -e "/host/${WLP#/}" ]
	tap $? "packed workload $WLP visible to QEMU"
	[ -e "/host/${WLP#/}" ] || exit 1
fi
for scope in $SCOPES; do
	case $scope in
	fine) vfio-mods patched ;;
	stock) vfio-mods stock ;;
	esac
	for mem in $MEMS; do
		migrate_one $scope $mem
	done
	if [ "$ERRORS" = 1 ] && [ $scope = fine ]; then
		errors
	fi
	stop_all
	vfio-mods unload
done
note "qemu migration: $fails failed"
[ $fails = 0 ]
