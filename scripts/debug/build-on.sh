#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-on.sh KTREE OUT: the project against a kernel built from
# linux-source (the debug kernel, the iommufd kernel; build-kernel.sh):
#   1. the stock oracle for that kernel in OUT/../stock: its own vfio.ko
#      and vfio_iommu_type1.ko, plus mdev.ko built out of tree from its
#      pristine drivers/vfio/mdev (VFIO_MDEV has no prompt);
#   2. scripts/build.sh with BUILD=OUT, KDIR=KTREE, STOCK_MODULES and
#      STOCK_SYMVERS from step 1: the series applied to the same source
#      version, the patched vfio/vfio_iommu_type1/mdev, the test mdev and
#      the sample vGPU in both variants, the user space and the initramfs.
#      The main build's extracted Debian image and pristine subset (same
#      version) are reused; the Debian 9p modules are left out of the
#      initramfs (9p is built into these kernels).  The guest DRM driver
#      is built only if KTREE has DRM.
# The main build (`make`) must have run.  Environment: JOBS, SKIP_SETUP.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
K=$1
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
log() { echo "build-on: $*" >&2; }

S=$(dirname "$OUT")/stock
rm -rf "$S"
mkdir -p "$S/mdev" "$S/mods"
cp "$K"/drivers/vfio/mdev/*.[ch] "$S/mdev/"
printf 'obj-m += mdev.o\nmdev-y := mdev_core.o mdev_sysfs.o mdev_driver.o\n' > "$S/mdev/Kbuild"
make -s -C "$K" M="$S/mdev" -j2 modules || { log "stock mdev.ko build failed"; exit 1; }
cp "$K/drivers/vfio/vfio.ko" "$K/drivers/vfio/vfio_iommu_type1.ko" \
	"$S/mdev/mdev.ko" "$S/mods/"

if [ -s "$TOP/build/kver" ] && [ ! -s "$OUT/kver" ]; then
	cp "$TOP/build/kver" "$OUT/kver"
	[ -d "$TOP/build/kernel" ] && cp -a "$TOP/build/kernel" "$OUT/"
	[ -d "$TOP/build/ksrc" ] && cp -a "$TOP/build/ksrc" "$OUT/"
fi
rm -f "$OUT"/kernel/extra/*.ko
# The guest DRM driver only where the tree has DRM (the debug one has not;
# the nested guest boots Debian's kernel anyway).
guest=0
grep -qE '^CONFIG_DRM=[ym]$' "$K/.config" && guest=1
[ $guest = 1 ] || log "no DRM in $K: the guest DRM driver is not built"
BUILD=$OUT KDIR=$K STOCK_MODULES=$S/mods STOCK_SYMVERS=$S/mdev/Module.symvers \
	GUEST_MODULE=$guest JOBS=${JOBS:-2} "$TOP/scripts/build.sh" ||
	{ log "build.sh against $K failed"; exit 1; }
if ls "$OUT"/kernel/extra/*.ko >/dev/null 2>&1; then
	# prepare-kernel.sh re-extracted the Debian image: drop its modules
	rm -f "$OUT"/kernel/extra/*.ko
	"$TOP/scripts/vm/mkinitramfs.sh" "$OUT" "$OUT/vm/initramfs.cpio"
fi
