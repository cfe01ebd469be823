#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series-build.sh: check that every prefix of the series applies to the
# pristine source with no fuzz and builds (vfio, vfio_iommu_type1, mdev,
# warnings are errors), as a bisectable series must.  Then boot the test VM
# on the fixes part alone (the leading patches with a Fixes: tag, which can
# be sent on their own) and run the selftests that apply there
# (tests/vm/fixes-suite.sh).  Needs `make` first (BUILD/ksrc, the test
# binaries and initramfs).  `make series-build`; not part of `make check`.
# Ends with "N passed, N failed" like make check.
# `series-build.sh 7.3` checks the 7.3 series against linux-source-7.3
# (after `make all-7.3`), without the VM part.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
BASE=${1:-6.12}
[ "$BASE" = 6.12 ] || . "$TOP/scripts/kbase-$BASE.sh"
KVER=${KVER:-$(cat "$BUILD/kver")}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
SERIES=${SERIES:-$TOP/drivers/vfio/patches}
W=$BUILD/series-build
FX=$BUILD/series-fixes
n=0 fail=0 nbad=0 nfix=0 fixes_done=1
rm -rf "$FX"
for p in "$SERIES"/0*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	n=$((n + 1))
	if [ "$fixes_done" = 1 ] && grep -q '^Fixes: [0-9a-f]\{12\} ("' "$p"; then
		nfix=$n
	else
		fixes_done=0
	fi
	rm -rf "$W"; mkdir -p "$W"
	cp -a "$BUILD/ksrc/drivers" "$BUILD/ksrc/include" "$W/"
	[ ! -d "$BUILD/ksrc/Documentation" ] || cp -a "$BUILD/ksrc/Documentation" "$W/"
	for q in "$SERIES"/0*.patch; do
		case "$q" in *0000-cover-letter.patch) continue ;; esac
		(cd "$W" && patch -s -p1 -F0 -N --no-backup-if-mismatch < "$q") > /dev/null
		[ "$q" = "$p" ] && break
	done
	cp "$TOP/drivers/vfio/Kbuild.oot" "$W/drivers/vfio/Kbuild"
	rm -f "$W/drivers/vfio/Makefile" "$W/drivers/vfio/mdev/Makefile"
	cp "$TOP/drivers/vfio/Kbuild.mdev.oot" "$W/drivers/vfio/mdev/Kbuild"
	if ${KMAKE_WRAP:-} make -s -C "$KDIR" -j"${JOBS:-2}" M="$W/drivers/vfio" KCFLAGS=-Werror \
		modules > "$W.log" 2>&1; then
		echo "ok $n - $(basename "$p") applies and builds"
	else
		echo "not ok $n - $(basename "$p") does not build:"
		sed 's/^/#   /' "$W.log" | head -20
		fail=1 nbad=$((nbad + 1))
	fi
	# keep the modules of the fixes-only prefix
	if [ "$nfix" = "$n" ] && [ -e "$W/drivers/vfio/vfio.ko" ]; then
		rm -rf "$FX"; mkdir -p "$FX/mods"
		cp "$W"/drivers/vfio/{vfio,vfio_iommu_type1}.ko \
			"$W/drivers/vfio/mdev/mdev.ko" "$FX/mods/"
		cp "$W/drivers/vfio/Module.symvers" "$FX/"
	fi
done
rm -rf "$W"
echo "$n patches, $([ $fail = 0 ] && echo "each builds" || echo "FAILED")"

# --- the fixes part alone, in the test VM --------------------------------
vm=0
if [ "$BASE" != 6.12 ]; then
	echo "$((n - nbad)) passed, $nbad failed"
	exit $fail
fi
if [ "$nfix" -gt 0 ] && [ -e "$FX/Module.symvers" ]; then
	echo "# fixes part: patches 1-$nfix, selftests in the VM"
	# The fixes add no API: the stock-API builds of the test mdev and the
	# sample vGPU, linked against the prefix's vfio.ko (MODVERSIONS).
	for m in tests/mdev drivers/gpu/sample-vgpu; do
		mkdir -p "$FX/$m"
		cp -a "$TOP/$m"/. "$FX/$m/"
		make -s -C "$KDIR" -j"${JOBS:-2}" M="$FX/$m" VFIO_STOCK=y \
			VFIO_STOCK_API=y NOSTDINC_FLAGS="-I$TOP/include/uapi" \
			KBUILD_EXTRA_SYMBOLS="$FX/Module.symvers" modules
		cp "$FX/$m"/*.ko "$FX/mods/"
	done
	mkdir -p "$FX/root/lib/mods/fixes"
	for ko in "$FX"/mods/*.ko; do
		strip --strip-debug -o "$FX/root/lib/mods/fixes/$(basename "$ko")" "$ko"
	done
	(cd "$FX/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		> "$FX/fixes.cpio"
	EXTRA_INITRD=$FX/fixes.cpio "$TOP/scripts/vm/run.sh" -m 2G -t 900 \
		-l "$FX/vm" -- 'sh /tests/fixes-suite.sh' 2>&1 | tee "$FX/tap.log" ||
		vm=$?
fi

pass=$(grep -cE '^ok [0-9]+' "$FX/tap.log" 2>/dev/null || true)
skip=$(grep -E '^ok [0-9]+' "$FX/tap.log" 2>/dev/null | grep -c '# SKIP' || true)
nok=$(grep -cE '^not ok [0-9]+' "$FX/tap.log" 2>/dev/null || true)
pass=$((${pass:-0} - ${skip:-0} + n - nbad))
nok=$((${nok:-0} + nbad))
if [ "$vm" != 0 ] && [ "$nok" = 0 ]; then
	echo "not ok - fixes VM run (exit $vm: kernel log or VM failure, see $FX/vm)"
	nok=1
fi
[ "$nfix" -gt 0 ] || { echo "not ok - no leading patch with a Fixes: tag"; nok=$((nok + 1)); }
echo "$pass passed, $nok failed"
[ "$nok" = 0 ]
