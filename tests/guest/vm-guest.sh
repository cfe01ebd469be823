#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-guest.sh: the in-VM part of `make guest-test` (runs in the test VM
# booted with run.sh -H; QEMU runs from the host root through chroot).
# Loads the modules, creates a sample vGPU, boots the nested Linux guest
# (BUILD/guest-os, tests/guest/mkguest.sh) on it and relays what the guest
# prints on its second serial port.  TAP on stdout.
#
# Environment:
#   GUEST_OS  the guest's files, path as the chroot sees it
#   SCRIPT    the guest's script: check (default: svgpu_check and the
#             canned workloads), igt (the igt-gpu-tools list, igt-tests),
#             all (both), mig (guest-mig.sh: the guest is migrated to a
#             second vGPU while svgpu-wsim and kms_writeback run in it)
#   MODS      module set for mig: patched (default) or stock
#   FRAMES    svgpu-wsim frames for mig (default 2000)
#   TYPE      vGPU type (default 256m)
#   MEM       guest RAM in MiB (default 512)
#   T_GUEST   seconds the guest may take, boot included (default 1500)
#   REFRESH   refresh rate of the guest driver's modes in Hz (default 10)
GUEST_OS=${GUEST_OS:?}
SCRIPT=${SCRIPT:-check}
TYPE=${TYPE:-256m}
MEM=${MEM:-512}
T_GUEST=${T_GUEST:-1500}
MODS=${MODS:-patched}
QMPPY=$(dirname "${0#/host}")/../qemu/qmp.py
# tap, note, qmp, qemu_stop, mdev_remove from the QEMU migration test
VM_MIGRATE_HELPERS=1 . "$(dirname "$0")/../qemu/vm-migrate.sh"
W=/tmp/gq
U1=5a1b0000-0000-4000-8000-000000000011
U2=5a1b0000-0000-4000-8000-000000000012
APPEND="console=ttyS0 loglevel=4 rdinit=/init panic=-1 oops=panic nokaslr cryptomgr.notests no_timer_check tsc=reliable mitigations=off"
mkdir -p $W

# guest_start NAME UUID [QEMU options...]: console NAME.console, the
# guest's output NAME.out, QMP NAME.qmp, pid NAME.pid
guest_start() {
	name=$1 uuid=$2
	shift 2
	rm -f $W/$name.*
	: > $W/$name.out
	chroot /host $QEMU -accel tcg -machine pc -m "$MEM" -nodefaults \
		-display none -no-reboot \
		-kernel "$GUEST_OS/vmlinux" -initrd "$GUEST_OS/initramfs.cpio" \
		-append "$APPEND guest.script=$SCRIPT guest.frames=${FRAMES:-2000} guest.refresh=${REFRESH:-10}" $DISK \
		-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$uuid,enable-migration=on \
		-serial file:$W/$name.console -serial file:$W/$name.out \
		-qmp unix:$W/$name.qmp,server=on,wait=off -pidfile $W/$name.pid \
		"$@" > $W/$name.err 2>&1 &
	relay $name
}

# relay NAME: the guest's progress lines as they come, so that a run
# stopped by its limit still shows how far it got (the results follow at
# the end); relay_stop ends them
CR=$(printf '\r')
relays=
relay() {
	tail -f $W/$1.out 2>/dev/null | while IFS= read -r l; do
		case $l in *"$CR") l=${l%?} ;; esac
		case $l in GUEST*|IGT-END*|wsim:*|*"Subtest "*": "*)
			echo "# live $1: $l" ;;
		esac
	done &
	relays="$relays $!"
}
relay_stop() {
	[ -z "$relays" ] || kill $relays 2>/dev/null
	relays=
}

# wait_out NAME REGEX SECONDS: a line of the guest's output matches
wait_out() {
	end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le $end ]; do
		grep -aqE "$2" $W/$1.out 2>/dev/null && return 0
		pid=$(cat $W/$1.pid 2>/dev/null)
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
		sleep 1
	done
	grep -aqE "$2" $W/$1.out 2>/dev/null
}

DISK=
[ -e "/host$GUEST_OS/root.img" ] &&
	DISK="-drive file=$GUEST_OS/root.img,format=raw,if=virtio,readonly=on"
if [ ! -e /host$QEMU ] || [ ! -e "/host$GUEST_OS/vmlinux" ]; then
	echo "1..0 # SKIP no host root (run.sh -H) or no guest (mkguest.sh)"
	exit 0
fi

# report FILE LABEL: the guest's own TAP lines and its igt results in
# FILE (what one guest printed) as TAP here
report() {
	f=$1 l=$2
	tr -d '\r' < $f | sed -e 's/^ok /# guest: ok /' -e 's/^not ok /# guest: NOT OK /'
	if grep -aq '^ok \|^not ok ' $f; then
		[ "$(grep -ac '^not ok ' $f)" = 0 ]
		tap $? "${l}guest tests: $(grep -ac '^ok ' $f) passed, $(grep -ac '^not ok ' $f) failed"
	fi
	# igt: a test passes when its subtests passed or skipped (exit 0 or 77)
	for t in $(grep -a '^IGT-END ' $f | cut -d' ' -f2); do
		rc=$(grep -a "^IGT-END $t " $f | tail -1 | sed 's/.*rc=\([0-9]*\).*/\1/')
		res=$(grep -aoE "^IGT $t: (Subtest [^:]*: )?(SUCCESS|SKIP|FAIL|CRASH)" $f |
		      grep -aoE '(SUCCESS|SKIP|FAIL|CRASH)$' | sort | uniq -c | tr '\n' ' ')
		[ "$rc" = 0 ] || [ "$rc" = 77 ]
		tap $? "${l}igt $t: exit $rc ($res)"
	done
}

# rounds TRACE: the pages each RAM dirty sync got from VFIO, "a/b/c"
rounds() {
	awk '/migration_bitmap_sync_start/ { if (n++) printf "%d/", r; r = 0 }
	     /vfio_get_dirty_bitmap/ { for (i = 1; i <= NF; i++)
		if ($i ~ /^dirty_pages=/) { sub(/dirty_pages=/, "", $i); r += $i } }
	     END { if (n) printf "%d", r }' "$1"
}

vfio-mods $MODS
echo $U1 > $T/sample_vgpu-$TYPE/create
tap $? "a $TYPE vGPU instance created ($MODS modules)"
t0=$(date +%s)
if [ "$SCRIPT" = mig ]; then
	echo $U2 > $T/sample_vgpu-$TYPE/create
	tap $? "a second $TYPE vGPU instance created, the destination's"
	guest_start g $U1 \
		-trace enable=vfio_get_dirty_bitmap,file=$W/g.trace \
		-trace enable=migration_bitmap_sync_start,file=$W/g.trace
	wait_out g '^GUEST MIGRATE-READY' "$T_GUEST"
	tap $? "the guest runs svgpu-wsim and kms_writeback ($(( $(date +%s) - t0 ))s)"
	guest_start d $U2 -incoming tcp:127.0.0.1:4444
	qmp $W/d.qmp wait-connect 60
	t1=$(date +%s)
	qmp $W/g.qmp migrate tcp:127.0.0.1:4444 --timeout 900 > $W/mig.out 2>&1
	tap $? "live migration of the Linux guest completed ($(( $(date +%s) - t1 ))s)"
	grep -a '^status\|^SUMMARY' $W/mig.out | tail -4 | sed 's/^/# /'
	wait_out d '^GUEST-EXIT' "$T_GUEST"
	tap $? "the guest ran to its end on the destination ($(( $(date +%s) - t0 ))s)"
	fs=$(sed -n '/^GUEST MIGRATE-READY/,$p' $W/g.out | grep -ac '^frame [0-9]* ok')
	fd=$(grep -ac '^frame [0-9]* ok' $W/d.out)
	[ "$fs" -gt 0 ] && [ "$fd" -gt 0 ]
	tap $? "svgpu-wsim ran across the migration ($fs progress lines on the source, $fd on the destination)"
	grep -a '^GUEST wsim\|^GUEST kms_writeback\|^FAIL\|^wsim: done' $W/d.out | tr -d '\r' | sed 's/^/# /'
	grep -aq '^GUEST wsim rc=0' $W/d.out
	tap $? "svgpu-wsim: every check passed, to its end on the destination"
	report $W/g.out "before migration: "
	grep -aq '^GUEST phase after' $W/d.out
	tap $? "the igt list ran again on the destination"
	report $W/d.out "after migration: "
	echo "GUEST-MIG-RESULT mods=$MODS mem=$MEM $(grep -a '^SUMMARY' $W/mig.out | cut -d' ' -f2-)" \
	     "rounds=$(rounds $W/g.trace) dev_written_pages=$(cat /sys/bus/mdev/devices/$U1/vendor/dirty_pages 2>/dev/null)"
	grep -aq '^GUEST-EXIT 0' $W/d.out
	tap $? "guest exit status 0 on the destination, no bad line in its kernel log"
	grep -a 'sample_vgpu\|svgpu\|drm' $W/d.console | tr -d '\r' | head -20 | sed 's/^/# console: /'
	qemu_stop g
	qemu_stop d
	mdev_remove $U2 && [ ! -e /sys/bus/mdev/devices/$U2 ]
	tap $? "destination vGPU instance removed"
else
	guest_start g $U1
	wait_out g '^GUEST-EXIT' "$T_GUEST"
	tap $? "the guest ran its tests to the end ($(( $(date +%s) - t0 ))s)"
	grep -a '^GUEST up\|^GUEST drm' $W/g.out | tr -d '\r' | sed 's/^/# /'
	report $W/g.out ""
	grep -aq '^GUEST-EXIT 0' $W/g.out
	tap $? "guest exit status 0, no bad line in its kernel log"
	grep -a 'sample_vgpu\|svgpu\|drm' $W/g.console | tr -d '\r' | head -20 | sed 's/^/# console: /'
	qemu_stop g
fi
mdev_remove $U1 && [ ! -e /sys/bus/mdev/devices/$U1 ]
tap $? "vGPU instance removed"
relay_stop
vfio-mods unload
echo "1..$n"
[ $fails = 0 ]
