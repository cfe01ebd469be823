#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debian-modules.sh BUILD ROOT [LINKS]: ROOT/lib/modules/KVER with what a
# host running Debian's kernel has of VFIO before `make install`: Debian's
# vfio, vfio_iommu_type1 and mdev (BUILD/modules/stock), its consumers of
# vfio at their own paths (BUILD/consumers/img/consumers) and what they
# need under kernel/misc.  The tree install_test.sh installs over, and the
# passthrough VM's (install-root.sh).  LINKS: one line "PATH VM-PATH" per
# file, PATH below lib/modules/KVER and VM-PATH the same module in the
# passthrough VM's initramfs (/lib/mods).
set -euo pipefail
BUILD=$1
C=$BUILD/consumers
M=$2/lib/modules/$(cat "$BUILD/kver")
links=${3:-/dev/null}

put() {	# FILE PATH VM-PATH
	mkdir -p "$M/$(dirname "$2")"
	cp "$1" "$M/$2"
	echo "$2 $3" >> "$links"
}
mkdir -p "$M/kernel/misc"
for m in vfio vfio_iommu_type1; do
	put "$BUILD/modules/stock/$m.ko" "kernel/drivers/vfio/$m.ko" "/lib/mods/stock/$m.ko"
done
put "$BUILD/modules/stock/mdev.ko" kernel/drivers/vfio/mdev/mdev.ko /lib/mods/stock/mdev.ko
while read -r m p; do
	put "$C/stock/$m.ko" "${p%.xz}" "/lib/mods/consumers/stock/$m.ko"
done < "$C/img/consumers"
for ko in "$C"/deps/*.ko; do
	put "$ko" "kernel/misc/${ko##*/}" "/lib/mods/consumers/deps/${ko##*/}"
done
