#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-modern.sh: the in-VM part of `make e2e-modern` (tests/qemu/modern.sh),
# on the iommufd kernel (docs/modern.rst).  For each QEMU (10 from the
# host root, 11 from the trixie root) and each dirty-tracking path below,
# one live migration of the vGPU guest payload with every check of
# tests/qemu/vm-migrate.sh (whose functions it sources), plus: the tracker
# QEMU used, read from its own trace (tests/qemu/qemu-trace.sh), is the
# one the path must use, and what it reported is what the device wrote
# (exact paths) or the whole pinned set every round (stock type1).
# Prints TAP and one QEMU-RESULT line per migration (path=, qemu=,
# tracker=, rounds=, reported= added to vm-migrate.sh's keys).
#
# Paths (PATHS, default all):
#   iommufd-dmalog  (a) -object iommufd, the vGPU as a VFIO cdev; the
#                   vGPU's DMA log (enable-migration=auto is enough)
#   legacy-dmalog   (b) legacy container, log_ops present: QEMU prefers
#                   the DMA log over the container's tracking
#   legacy-series   (c) legacy container, x-device-dirty-page-tracking=off:
#                   type1 with the series, the device's exact marks
#   stock-dmalog    the kernel's own (stock) VFIO modules, legacy
#                   container, the stock-built vGPU's DMA log: exact
#                   without the series
#   legacy-stock    stock modules and vGPU, x-device-dirty-page-tracking=off:
#                   stock type1, every pinned page dirty every round
#   iommufd-nolog   the stock baseline under iommufd: no DMA logging
#                   (x-device-dirty-page-tracking=off), enable-migration=on.
#                   QEMU then asks VFIO for no dirty pages at all and does
#                   not treat guest RAM as dirty either: the pages the vGPU
#                   writes while migrating reach the destination stale, and
#                   the guest's checks there must catch it.  Those failing
#                   destination checks are printed as "# TODO" (the path's
#                   known outcome, not counted); one check of its own
#                   asserts that the destination did catch the lost writes.
# Environment: VM_MIGRATE (vm-migrate.sh as the VM sees it), TROOT (the
# trixie root as the VM sees it), QEMUS (default "10 11"), PAYLOAD (host
# path, copied into the VM's /tmp so that both roots see it), QMPPY,
# GUEST_ARGS, MEM (default 128).
PATHS=${PATHS:-iommufd-dmalog legacy-dmalog legacy-series stock-dmalog legacy-stock iommufd-nolog}
QEMUS=${QEMUS:-10 11}
MEM=${MEM:-128}
VM_MIGRATE_HELPERS=1 . "$VM_MIGRATE"
# vm-migrate.sh's tap: its failing checks that match XFAIL are the
# path's known outcome ("# TODO"), not failures
XFAIL= XFAIL_WHY="no dirty tracker: device writes lost"
TRACE=vfio_device_dirty_tracking_start,vfio_get_dirty_bitmap
TRACE=$TRACE,vfio_container_query_dirty_bitmap,iommufd_backend_set_dirty
TRACE=$TRACE,migration_bitmap_sync_start,vfio_migration_realize

cp "/host/${PAYLOAD#/}" $W/vgpu-guest.elf || exit 1
PAYLOAD=$W/vgpu-guest.elf

# path_setup PATH: module set, QEMU options and the tracker it must use
path_setup() {
	case $1 in
	iommufd-*) QEMU_OPTS="-object iommufd,id=iommufd0" backend=iommufd ;;
	*) QEMU_OPTS= backend=legacy ;;
	esac
	case $1 in
	iommufd-dmalog) mods=patched expect=dma-logging VFIO_OPTS=iommufd=iommufd0 ;;
	legacy-dmalog) mods=patched expect=dma-logging VFIO_OPTS= ;;
	legacy-series) mods=patched expect=container
		VFIO_OPTS=x-device-dirty-page-tracking=off,enable-migration=on ;;
	stock-dmalog) mods=stock expect=dma-logging VFIO_OPTS= ;;
	legacy-stock) mods=stock expect=container
		VFIO_OPTS=x-device-dirty-page-tracking=off,enable-migration=on ;;
	iommufd-nolog) mods=stock expect=none
		VFIO_OPTS=iommufd=iommufd0,x-device-dirty-page-tracking=off,enable-migration=on ;;
	*) echo "vm-modern: no path $1" >&2; exit 2 ;;
	esac
}

# the QEMU of a version: its root and binary
qemu_setup() {
	case $1 in
	10) QEMU_ROOT=/host ;;
	11) QEMU_ROOT=$TROOT ;;
	esac
	QVER=$(chroot "$QEMU_ROOT" $QEMU --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
}

# vm-migrate.sh's migrate_one calls this for its QEMU-RESULT line
result_extra() {
	v=yes
	grep -aq '^FAIL' $W/src.serial $W/dst.serial && v=no
	me=$(cat /sys/bus/mdev/devices/$U1/vendor/mark_errors 2>/dev/null)
	echo "path=$mp qemu=$QVER backend=$backend $(sh "$QTRACE" $W/src.trace)" \
	     "mark_errors=$me verified=$v"
}

kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" $W/result; }

# the checks on what QEMU's trace says (after migrate_one)
check_tracker() {
	grep "^QEMU-RESULT.* path=$mp qemu=$QVER " $W/out | tail -1 > $W/result
	tracker=$(kv tracker) reported=$(kv reported) rounds=$(kv rounds)
	written=$(kv dev_written_mig) pinned=$(kv pinned)
	[ "$tracker" = "$expect" ]
	tap $? "$mp QEMU $QVER: QEMU used the $expect tracker (trace: $tracker)"
	case $expect in
	dma-logging)
		[ -n "$reported" ] && [ "$reported" -gt 0 ] && [ "$reported" -le "${written:-0}" ]
		tap $? "$mp QEMU $QVER: exact, reported $reported <= written $written" ;;
	container)
		if [ $mods = stock ]; then
			bad=$(echo "$rounds" | tr '/' '\n' | grep -cvx "$pinned")
			[ -n "$rounds" ] && [ "$bad" = 0 ]
			tap $? "$mp QEMU $QVER: every round reports the pinned set ($pinned): $rounds"
		else
			[ -n "$reported" ] && [ "$reported" -gt 0 ] && [ "$reported" -le "${written:-0}" ]
			tap $? "$mp QEMU $QVER: exact, reported $reported <= written $written"
		fi ;;
	none)
		[ "${reported:-0}" = 0 ]
		tap $? "$mp QEMU $QVER: no VFIO dirty bitmap at all"
		# the vGPU wrote while migrating, nothing told QEMU: the
		# destination guest must find stale pages
		[ "$(kv verified)" = no ] && [ "${written:-0}" -gt 0 ]
		tap $? "$mp QEMU $QVER: the destination guest found stale pages (vGPU wrote $written while migrating)" ;;
	esac
}

QTRACE=$(dirname "$VM_MIGRATE")/qemu-trace.sh
# the trixie root: this VM's /proc, /sys, /dev and /tmp bound in
for d in proc sys dev tmp; do
	mount --bind /$d "$TROOT/$d" || exit 1
done
set -- $PATHS
np=$#
nn=$(echo " $PATHS " | grep -c ' iommufd-nolog ')
set -- $QEMUS
echo "1..$(((np * 12 + nn) * $#))"
for qv in $QEMUS; do
	qemu_setup $qv
	note "QEMU $qv: $QVER ($QEMU_ROOT)"
	for mp in $PATHS; do
		path_setup $mp
		XFAIL=
		[ $expect = none ] &&
			XFAIL="destination guest passes|no FAIL line|MSIs delivered on the destination"
		vfio-mods $mods
		# (no pipe: the TAP counters live in this shell)
		migrate_one $mp $MEM > $W/one 2>&1
		cat $W/one
		cat $W/one >> $W/out
		XFAIL=
		check_tracker
		vfio-mods unload
	done
done
note "modern: $fails failed"
[ $fails = 0 ]
