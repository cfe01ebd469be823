#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu-trace.sh TRACE: what a source QEMU's trace says about VFIO dirty
# tracking during a migration, as key=value pairs on one line:
#   tracker  dma-logging  the device's DMA log (VFIO_DEVICE_FEATURE_DMA_LOGGING_*:
#                         vfio_device_dirty_tracking_start)
#            iommu-hwpt   IOMMU dirty tracking of an iommufd HW page table
#                         (iommufd_backend_set_dirty enable=1)
#            container    the container's own tracking (type1
#                         VFIO_IOMMU_DIRTY_PAGES): bitmap queries, neither
#                         of the above
#            none         no VFIO dirty bitmap at all: QEMU never asks
#   syncs    RAM dirty bitmap syncs (migration_bitmap_sync_start)
#   rounds   VFIO-reported pages per sync, "/"-separated: the sum of
#            dirty_pages of the bitmap queries after each sync start
#            (vfio_get_dirty_bitmap in QEMU 10, vfio_container_query_dirty_bitmap
#            in QEMU 11)
#   reported the sum of rounds
# Lines look like "PID@SECONDS:EVENT args" (QEMU 10 with -msg
# timestamp=on), "2026-11-30T23:09:38.906781Z EVENT args" (QEMU 11 with
# it) or "EVENT args".  Runs under busybox sh/awk (test VM) and on the host.
[ -r "$1" ] || { echo "tracker=unknown syncs=0 rounds= reported=0"; exit 0; }
awk '
{
	ev = $1
	if (ev ~ /^[0-9]+-[0-9]+-[0-9]+T[0-9:.]+Z$/)
		ev = $2
	sub(/^[0-9]+@[0-9.]+:/, "", ev)
}
ev == "vfio_device_dirty_tracking_start" { dmalog = 1 }
ev == "iommufd_backend_set_dirty" && / enable=1/ { hwpt = 1 }
ev == "migration_bitmap_sync_start" {
	if (syncs) rounds = rounds (rounds == "" ? "" : "/") cur
	syncs++
	cur = 0
}
ev == "vfio_get_dirty_bitmap" || ev == "vfio_container_query_dirty_bitmap" {
	for (i = 2; i <= NF; i++)
		if ($i ~ /^dirty_pages=/) {
			n = substr($i, 13) + 0
			cur += n
			total += n
		}
	queries++
}
END {
	if (syncs) rounds = rounds (rounds == "" ? "" : "/") cur
	t = dmalog ? "dma-logging" : hwpt ? "iommu-hwpt" : queries ? "container" : "none"
	printf "tracker=%s syncs=%d rounds=%s reported=%d\n", t, syncs, rounds, total
}' "$1"
