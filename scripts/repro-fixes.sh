#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# repro-fixes.sh [6.12|7.3]: are the series' fixes still needed on that
# kernel?  Boots it with its stock VFIO modules and runs
# tests/vm/repro-fixes.sh (stock_fixes_test, then the unmap deadlock test,
# which watches its looping threads from outside); then reads its
# pristine source for the two bugs no test here can trigger (the BUG_ON
# of the unmap retry loop; the vfio_create_group() error path, where
# fault injection needs a debug kernel).  Prints one line per bug;
# BUILD/[k7.3/]repro keeps the logs.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
K=${1:-7.3}
case "$K" in
6.12)	B=$BUILD ;;
7.3)	B=$BUILD/k7.3 ;;
*)	echo "usage: $0 6.12|7.3" >&2; exit 2 ;;
esac
out=$B/repro
rm -rf "$out"; mkdir -p "$out"
echo "# stock Linux $(cat "$B/kver")"
BUILD=$B KERNEL=$B/kernel/vmlinuz INITRAMFS=$B/vm/initramfs.cpio \
	"$TOP/scripts/vm/run.sh" -t 420 -l "$out/vm" -- 'sh /tests/repro-fixes.sh' \
	> "$out/log" 2>&1
grep '^REPRO' "$out/log" > "$out/summary"

T1=$B/ksrc/drivers/vfio/vfio_iommu_type1.c
l=$(grep -n 'BUG_ON(++retries > 10)' "$T1" | cut -d: -f1)
v="absent"
[ -z "$l" ] || v="present (vfio_iommu_type1.c:$l)"
echo "REPRO BUG_ON in the unmap retry loop (0002): $v; read, not triggered" >> "$out/summary"
if awk '/^static struct vfio_group \*vfio_create_group\(/,/^}/' "$B/ksrc/drivers/vfio/group.c" |
   sed -n '/^err_put:/,/^}/p' | grep -q iommu_group_put; then
	v="absent (the error path puts the iommu_group)"
else
	v="present (err_put: put_device() with group->iommu_group set)"
fi
echo "REPRO vfio_create_group() error path (0005): $v; read, not triggered" >> "$out/summary"
sed "s/^REPRO /$K: /" "$out/summary"
