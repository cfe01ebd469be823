#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-kernel.sh KVER BUILD
#
# Extract the Debian kernel image for KVER (vmlinuz and the stock vfio,
# vfio_iommu_type1 and mdev modules) into BUILD/kernel, extract the
# pristine drivers/vfio, VFIO headers and driver-api docs from
# linux-source into BUILD/ksrc, and apply the project's series onto a copy
# in BUILD/kpatched.
# Environment (defaults: Debian 6.12 from the host's apt): KDEBS, a
# directory of already downloaded image/modules/base .debs (otherwise
# linux-image-KVER-unsigned is downloaded); SRCTAR, the linux-source
# tarball; SERIES, the series directory.
set -euo pipefail

KVER=$1
BUILD=$2
TOP=$(cd "$(dirname "$0")/.." && pwd)
SERIES=${SERIES:-$TOP/drivers/vfio/patches}
SRCTAR=${SRCTAR:-/usr/src/linux-source-6.12.tar.xz}
log() { echo "prepare: $*" >&2; }

mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)

# --- the Debian kernel image (for the VM) and its stock modules ---------
# 6.12 ships /boot/vmlinuz-KVER and /lib/modules; 7.x packages put both
# under /usr/lib/modules/KVER.
if [ ! -e "$BUILD/kernel/.done2-$KVER" ]; then
	rm -rf "$BUILD/kernel"
	mkdir -p "$BUILD/kernel/debs" "$BUILD/kernel/stock" "$BUILD/kernel/extra" \
		"$BUILD/kernel/x"
	debs=${KDEBS:-$BUILD/kernel/debs}
	[ -n "${KDEBS:-}" ] || (cd "$debs" &&
	 apt-get download -q "linux-image-$KVER-unsigned" >&2 2>/dev/null ||
	 apt-get download -q "linux-image-$KVER-unsigned" >&2)
	mods="drivers/vfio/vfio drivers/vfio/vfio_iommu_type1 drivers/vfio/mdev/mdev"
	# 9p over virtio, to share the host's root read-only with the test
	# VM (host programs such as QEMU then run inside it).
	extra="fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p"
	for d in "$debs"/*.deb; do
		dpkg-deb --fsys-tarfile "$d" | tar -x -C "$BUILD/kernel/x" \
			--wildcards '*/boot/vmlinuz-*' '*/modules/*/vmlinuz*' \
			'*/boot/config-*' '*/modules/*/config' \
			$(for m in $mods $extra; do echo "*/kernel/$m.ko.xz"; done) \
			2>/dev/null || true
	done
	x=$BUILD/kernel/x
	for f in "$x/boot/vmlinuz-$KVER" "$x/usr/lib/modules/$KVER/vmlinuz"*; do
		[ -e "$f" ] && cp "$f" "$BUILD/kernel/vmlinuz"
	done
	for f in "$x/boot/config-$KVER" "$x/usr/lib/modules/$KVER/config"; do
		[ -e "$f" ] && cp "$f" "$BUILD/kernel/config"
	done
	mdir=
	for d in "$x/lib/modules/$KVER/kernel" "$x/usr/lib/modules/$KVER/kernel"; do
		[ -d "$d" ] && mdir=$d
	done
	[ -e "$BUILD/kernel/vmlinuz" ] && [ -n "$mdir" ] || { log "no image for $KVER"; exit 1; }
	for m in $mods; do
		xz -dc "$mdir/$m.ko.xz" > "$BUILD/kernel/stock/$(basename "$m").ko"
	done
	for m in $extra; do
		xz -dc "$mdir/$m.ko.xz" > "$BUILD/kernel/extra/$(basename "$m").ko"
	done
	rm -rf "$BUILD/kernel/x" "$BUILD/kernel/debs"
	touch "$BUILD/kernel/.done2-$KVER"
	log "kernel image $KVER extracted"
fi

# --- pristine subset of linux-source ------------------------------------
SP=$(basename "$SRCTAR" .tar.xz)
# (.3: the subset with iommufd.h and the driver-api docs; a new suffix
# when the list changes)
if [ ! -e "$BUILD/ksrc/.done-$KVER.3" ]; then
	rm -rf "$BUILD/ksrc" "$BUILD/ksrc.tmp"
	mkdir -p "$BUILD/ksrc.tmp"
	tar -xJf "$SRCTAR" -C "$BUILD/ksrc.tmp" --strip-components=1 \
		--wildcards \
		"$SP/drivers/vfio" \
		"$SP/include/linux/vfio.h" \
		"$SP/include/linux/vfio_pci_core.h" \
		"$SP/include/uapi/linux/vfio.h" \
		"$SP/include/uapi/linux/iommufd.h" \
		"$SP/Documentation/driver-api/vfio.rst" \
		"$SP/Documentation/driver-api/vfio-mediated-device.rst" \
		"$SP/scripts/checkpatch.pl" \
		"$SP/scripts/spelling.txt" \
		"$SP/scripts/const_structs.checkpatch" \
		"$SP/scripts/kernel-doc" \
		"$SP/tools/testing/selftests/kselftest_harness.h" \
		"$SP/tools/testing/selftests/kselftest.h"
	mv "$BUILD/ksrc.tmp" "$BUILD/ksrc"
	touch "$BUILD/ksrc/.done-$KVER.3"
	log "pristine source extracted"
fi

# --- apply the series ---------------------------------------------------
stamp=$( (cat "$SERIES"/*.patch "$TOP"/drivers/vfio/Kbuild*.oot 2>/dev/null || true) | sha1sum | cut -c1-16)
if [ ! -e "$BUILD/kpatched/.series-$stamp" ]; then
	rm -rf "$BUILD/kpatched"
	mkdir -p "$BUILD/kpatched"
	cp -a "$BUILD/ksrc/drivers" "$BUILD/ksrc/include" \
		"$BUILD/ksrc/Documentation" "$BUILD/kpatched/"
	for p in "$SERIES"/0*.patch; do
		[ -e "$p" ] || continue
		case "$p" in *0000-cover-letter.patch) continue ;; esac
		# No fuzz, no offsets tolerated silently: the series must apply
		# to the pristine Debian source exactly.
		if ! out=$(cd "$BUILD/kpatched" && patch -p1 -F0 -N --no-backup-if-mismatch < "$p" 2>&1); then
			echo "$out" >&2; log "FAILED to apply $(basename "$p")"; exit 1
		fi
		if echo "$out" | grep -q -E 'fuzz|offset'; then
			echo "$out" >&2; log "$(basename "$p") applies with fuzz or offset"; exit 1
		fi
	done
	cp "$TOP/drivers/vfio/Kbuild.oot" "$BUILD/kpatched/drivers/vfio/Kbuild"
	rm -f "$BUILD/kpatched/drivers/vfio/Makefile" "$BUILD/kpatched/drivers/vfio/mdev/Makefile"
	cp "$TOP/drivers/vfio/Kbuild.mdev.oot" "$BUILD/kpatched/drivers/vfio/mdev/Kbuild"
	touch "$BUILD/kpatched/.series-$stamp"
	log "series applied ($(ls "$SERIES"/*.patch 2>/dev/null | grep -vc 0000-) patches)"
fi
