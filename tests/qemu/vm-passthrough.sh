#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-passthrough.sh: QEMU on a host that passes a real device through
# while it migrates a vGPU guest (the in-VM part of tests/qemu/e2e.sh -P;
# the test VM is scripts/vm/passthrough.sh -H: q35, intel-iommu, an igb).
# Per module set (SCOPES, as vm-migrate.sh; each with its in-tree VFIO
# consumers):
#   1. guest B gets the igb (vfio-pci, host=BDF): QEMU maps B's RAM for the
#      device's DMA through a type1 container behind the IOMMU; B runs its
#      firmware, which enumerates and programs the device.  QEMU refuses to
#      migrate B (the igb has no VFIO migration); B runs on.
#   2. while B runs, guest A with a vGPU live-migrates: every check of
#      vm-migrate.sh's migrate_one (the payload's checks on the destination,
#      consecutive frames, MSIs, QEMUs stopped); B is still running.
#   3. one guest with both the vGPU and the igb: QEMU starts it, refuses
#      `migrate` naming the device that cannot migrate, the guest runs on.
# Prints TAP and QEMU's refusals as "# QEMU says: ..." lines.
VM_MIGRATE_HELPERS=1 . "$(dirname "$0")/vm-migrate.sh"
MEM=${MEM:-128}

BDF=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && BDF=${d##*/}
done

# bind_igb: to vfio-pci, as an administrator would before starting QEMU
bind_igb() {
	echo vfio-pci > /sys/bus/pci/devices/$BDF/driver_override &&
		echo $BDF > /sys/bus/pci/drivers_probe &&
		[ "$(basename "$(readlink /sys/bus/pci/devices/$BDF/driver)")" = vfio-pci ]
}

# pt_start NAME: guest B, firmware only, with the igb; QMP at $W/NAME.qmp.
# Daemonized: not a job of this shell, which vm-migrate.sh's stop_all waits
# for.
pt_start() {
	rm -f $W/$1.pid $W/$1.qmp
	chroot /host $QEMU -accel tcg -machine pc -m "$MEM" -nodefaults \
		-display none -no-reboot -device vfio-pci,host=$BDF \
		-qmp unix:$W/$1.qmp,server=on,wait=off -pidfile $W/$1.pid \
		-daemonize > $W/$1.err 2>&1
}

# refused NAME: `migrate` of guest NAME fails at once; QEMU's words noted
refused() {
	qmp $W/$1.qmp migrate tcp:127.0.0.1:$PORT --timeout 30 > $W/$1.mig 2>&1
	rc=$?
	note "QEMU says: $(grep -a -v '^status\|^RESULT\|^SUMMARY' $W/$1.mig | tr '\n' ' ')"
	[ $rc != 0 ] && grep -aq "$BDF" $W/$1.mig
}

# B running, the igb bound to vfio-pci and opened by B's QEMU
b_runs() {
	[ "$(qmp $W/pt.qmp status 2>&1)" = running ] &&
		[ "$(basename "$(readlink /sys/bus/pci/devices/$BDF/driver)")" = vfio-pci ]
}

one_set() {	# SCOPE
	scope=$1
	pt_start pt
	qmp $W/pt.qmp wait-connect 60
	sleep 2
	b_runs
	rc=$?
	[ $rc = 0 ] || sed 's/^/# B: /' $W/pt.err
	tap $rc "$scope: guest B runs with the igb passed through ($BDF)"
	refused pt
	tap $? "$scope: QEMU refuses to migrate guest B (device without migration)"
	KEEP_QEMU=$(qemu_pid pt)
	migrate_one $scope $MEM
	KEEP_QEMU=
	b_runs
	tap $? "$scope: guest B still running after guest A's migration"
	qemu_stop pt

	mdev_create $U1 $TYPE
	qemu_start src $U1 $MEM -device vfio-pci,host=$BDF
	wait_frame $W/src.serial $BEFORE $T_BEFORE
	tap $? "$scope: one guest with the vGPU and the igb runs its payload"
	refused src
	tap $? "$scope: QEMU refuses to migrate it, naming the igb"
	f=$(last_frame $W/src.serial)
	wait_frame $W/src.serial $((${f:-0} + 30)) 60
	tap $? "$scope: that guest runs on, its checks passing"
	stop_all
	mdev_remove $U1
}

if [ ! -e /host$QEMU ] || [ ! -e "/host/${PAYLOAD#/}" ] || [ -z "$BDF" ]; then
	echo "1..1"
	echo "not ok 1 - QEMU passthrough: no host root, payload or igb"
	exit 1
fi
# the plan: 17 checks per module set (10 of them migrate_one's)
set -- $SCOPES
echo "1..$(($# * 17))"
for scope in $SCOPES; do
	case $scope in
	fine) v=patched ;;
	stock) v=stock ;;
	esac
	vfio-mods $v && vfio-consumers $v && bind_igb
	tap $? "$scope: $v VFIO modules and their consumers loaded, igb on vfio-pci"
	one_set $scope
	vfio-consumers unload
	vfio-mods unload
done
note "qemu passthrough: $fails failed"
[ $fails = 0 ]
