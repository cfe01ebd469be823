#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh: everything `make` builds, incrementally, out of tree in build/.
#   1. install what is needed (apt) and resolve the 6.12.y kernel version
#   2. extract the kernel image, stock modules and pristine source; apply
#      the series (drivers/vfio/patches)
#   3. build the patched vfio, vfio_iommu_type1 and mdev, and every in-tree
#      module that links against vfio (scripts/vfio-consumers.sh)
#   4. build the project's modules twice: against the patched VFIO and,
#      with VFIO_STOCK=y, against Debian's stock headers
#   5. build the static user-space tests and tools on lib/ (lib/lib.mk,
#      which also installs the uAPI headers they use), and the fault walk
#   6. pack the test VM's initramfs
# For another kernel (scripts/build-7.3.sh, check-debug.sh) the caller sets
# BUILD, KVER in BUILD/kver with SKIP_SETUP=1, KDIR, STOCK_MODULES and
# prepare-kernel.sh's KDEBS, SRCTAR and SERIES; KMAKE_WRAP runs the module
# builds in another root (scripts/trixie-run.sh); VARIANTS (default
# "patched stock") selects the module sets; USERSPACE_FROM, a main build
# directory, reuses its user-space binaries instead of building them.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
JOBS=${JOBS:-$(nproc)}
log() { echo "build: $*" >&2; }
mkdir -p "$BUILD"

if [ "${SKIP_SETUP:-0}" != 1 ] || [ ! -s "$BUILD/kver" ]; then
	KVER=$("$TOP/scripts/setup-host.sh" | tail -1)
	echo "$KVER" > "$BUILD/kver"
fi
KVER=$(cat "$BUILD/kver")
# KDIR: the kernel build tree to build modules against (default: Debian's
# headers); STOCK_MODULES: where that kernel's own vfio, vfio_iommu_type1
# and mdev modules are (the oracle).  A debug kernel overrides both.
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
STOCK_MODULES=${STOCK_MODULES:-$BUILD/kernel/stock}
"$TOP/scripts/prepare-kernel.sh" "$KVER" "$BUILD"
KP=$BUILD/kpatched

VARIANTS=${VARIANTS:-patched stock}
kmake() { ${KMAKE_WRAP:-} make -s -C "$KDIR" -j"$JOBS" "$@" modules; }

mkdir -p "$BUILD/modules/patched" "$BUILD/modules/stock"
if [[ " $VARIANTS " = *" patched "* ]]; then
	log "patched vfio, vfio_iommu_type1, mdev ($KVER)"
	kmake M="$KP/drivers/vfio"
	cp "$KP"/drivers/vfio/{vfio,vfio_iommu_type1}.ko "$KP/drivers/vfio/mdev/mdev.ko" \
		"$BUILD/modules/patched/"
	"$TOP/scripts/vfio-consumers.sh" "$KVER" "$BUILD" "$KDIR"
fi
cp "$STOCK_MODULES"/*.ko "$BUILD/modules/stock/"

# The project's own modules, one copy of the sources per variant (external
# modules build in their source directory).
own_module() {	# SRCDIR NAME
	local src=$1 name=$2 v obj
	[ -e "$src/Kbuild" ] || return 0
	for v in $VARIANTS; do
		obj=$BUILD/obj/$v/$name
		mkdir -p "$obj"
		# Refresh sources, keep objects for an incremental rebuild.
		cp -a "$src"/. "$obj"/
		if [ $v = patched ]; then
			kmake M="$obj" NOSTDINC_FLAGS="-I$KP/include -I$TOP/include/uapi" \
				KBUILD_EXTRA_SYMBOLS="$KP/drivers/vfio/Module.symvers"
		else
			kmake M="$obj" VFIO_STOCK=y VFIO_STOCK_API=y NOSTDINC_FLAGS="-I$TOP/include/uapi" \
				${STOCK_SYMVERS:+KBUILD_EXTRA_SYMBOLS="$STOCK_SYMVERS"}
		fi
		cp "$obj"/*.ko "$BUILD/modules/$v/"
	done
	log "module $name (${VARIANTS// / + })"
}
own_module "$TOP/tests/mdev" dirty_test_mdev
[ "${SKIP_VGPU:-0}" = 1 ] || own_module "$TOP/drivers/gpu/sample-vgpu" sample_vgpu

# The guest DRM driver runs in a nested guest booted with the 6.12 kernel
# (tests/guest/): one build, no VFIO, the device's command decoder shared.
# The 7.3 build builds it too (svgpu_compat.h); GUEST_MODULE=0 skips it.
guest_module() {
	local src=$TOP/drivers/gpu/sample-vgpu-guest
	local obj=$BUILD/obj/guest/sample-vgpu-guest
	[ -e "$src/Kbuild" ] || return 0
	mkdir -p "$obj" "$BUILD/modules/guest"
	cp -a "$src"/. "$obj"/
	kmake M="$obj" VGPU_UAPI_INCLUDE="$TOP/include/uapi" \
		VGPU_DEVICE_SRC="$TOP/drivers/gpu/sample-vgpu"
	cp "$obj"/*.ko "$BUILD/modules/guest/"
	log "module sample-vgpu-guest"
}
[ "${SKIP_VGPU:-0}" = 1 ] || [ "${GUEST_MODULE:-1}" = 0 ] || guest_module

if [ -n "${USERSPACE_FROM:-}" ]; then
	mkdir -p "$BUILD/bin"
	cp -a "$USERSPACE_FROM"/bin/. "$BUILD/bin/"
	"$TOP/scripts/vm/mkinitramfs.sh" "$BUILD" "$BUILD/vm/initramfs.cpio"
	log "done ($KVER, user space of $USERSPACE_FROM)"
	exit 0
fi

# User space, on lib/: one make at a time (they share lib/'s objects).
for d in tests/selftests tests/vgpu tools tests/faults; do
	make -s -C "$TOP/$d" BUILD="$BUILD" TOP="$TOP" -j"$JOBS"
done

"$TOP/scripts/vm/mkinitramfs.sh" "$BUILD" "$BUILD/vm/initramfs.cpio"
log "done: $(du -h "$BUILD/vm/initramfs.cpio" | cut -f1) initramfs"
