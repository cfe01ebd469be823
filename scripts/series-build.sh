#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series-build.sh: check that every prefix of the series applies to the
# pristine source with no fuzz and builds (vfio, vfio_iommu_type1, mdev,
# warnings are errors), as a bisectable series must.  Needs `make` first
# (BUILD/ksrc).  `make series-build`; not part of `make check`.
# `series-build.sh 7.3` checks the 7.3 series against linux-source-7.3
# (after `make all-7.3`).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
[ "${1:-6.12}" = 6.12 ] || . "$TOP/scripts/kbase-$1.sh"
KVER=${KVER:-$(cat "$BUILD/kver")}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
SERIES=${SERIES:-$TOP/drivers/vfio/patches}
W=$BUILD/series-build
n=0 fail=0
for p in "$SERIES"/0*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	n=$((n + 1))
	rm -rf "$W"; mkdir -p "$W"
	cp -a "$BUILD/ksrc/drivers" "$BUILD/ksrc/include" "$W/"
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
		fail=1
	fi
done
rm -rf "$W"
echo "$n patches, $([ $fail = 0 ] && echo "each builds" || echo "FAILED")"
exit $fail
