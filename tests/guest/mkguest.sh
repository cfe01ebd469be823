#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkguest.sh: what the nested Linux guest of `make guest-test` boots, in
# BUILD/guest-os (`make` must have run: the kernel, the guest module):
#   vmlinux         the Debian kernel of the test VM, uncompressed, for a
#                   PVH boot (QEMU then skips firmware and decompression)
#   initramfs.cpio  static busybox, the DRM modules of that kernel and
#                   sample-vgpu-guest.ko, virtio-blk and ext4 (to mount a
#                   root disk), tests/guest/init and the guest's tests
#                   (the igt list: IGT_LIST, default tests/guest/igt-tests)
#   bin/            the guest's static programs (svgpu_check, svgpu-wsim)
#   root.img        the root disk: BUILD/sid-root (scripts/setup-sid.sh,
#                   Debian sid with igt-gpu-tools) as an ext4 image, when
#                   that root exists
# Incremental: a second run rebuilds only what changed.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
G=$BUILD/guest-os
KVER=$(cat "$BUILD/kver")
KSFT=$BUILD/ksrc/tools/testing/selftests
log() { echo "mkguest: $*" >&2; }
mkdir -p "$G/bin"

# --- the kernel, uncompressed (Debian's is zstd inside the bzImage) ------
if [ ! -s "$G/vmlinux" ] || [ "$BUILD/kernel/vmlinuz" -nt "$G/vmlinux" ]; then
	off=$(LC_ALL=C grep -aboP '\x28\xb5\x2f\xfd' "$BUILD/kernel/vmlinuz" |
	      head -1 | cut -d: -f1)
	tail -c +$((off + 1)) "$BUILD/kernel/vmlinuz" | zstd -dcq \
		> "$G/vmlinux.tmp" 2>/dev/null || true
	[ "$(head -c 4 "$G/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		{ log "no ELF kernel in $BUILD/kernel/vmlinuz"; exit 1; }
	mv "$G/vmlinux.tmp" "$G/vmlinux"
	log "vmlinux ($KVER, $(du -m "$G/vmlinux" | cut -f1) MiB)"
fi

# --- the DRM uAPI headers of that kernel, for the guest's programs ------
if [ ! -e "$G/uapi/drm/drm.h" ]; then
	rm -rf "$G/uapi.tmp"
	mkdir -p "$G/uapi.tmp"
	tar -xf /usr/src/linux-source-6.12.tar.xz -C "$G/uapi.tmp" \
		--strip-components=4 linux-source-6.12/include/uapi/drm
	sed -i -e 's/\b__user\b//g' "$G"/uapi.tmp/*.h	# as headers_install
	rm -rf "$G/uapi"
	mkdir -p "$G/uapi"
	mv "$G/uapi.tmp" "$G/uapi/drm"
fi

# --- the guest's static programs ------------------------------------------
CFLAGS="-O2 -g -Wall -static -I$G/uapi -I$TOP/include/uapi -I$TOP/lib -I$TOP/lib/wl"
prog() {	# NAME SOURCES...: static program into bin/
	local name=$1 out=$G/bin/$1 s new=0
	shift
	for s in "$@"; do [ "$s" -nt "$out" ] && new=1; done
	[ -e "$out" ] && [ $new = 0 ] && return 0
	gcc $CFLAGS -I"$KSFT" -o "$out" "$@"
	log "bin/$name"
}
prog svgpu_check "$TOP/tests/guest/svgpu_check.c"
prog svgpu-wsim "$TOP/tools/drm-wsim/svgpu-wsim.c" "$TOP/lib/wl/parse.c" \
	"$TOP/lib/wl/select.c"

# --- the initramfs --------------------------------------------------------
R=$G/root
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,run,mnt,newroot,lib/mods,tests}
cp /bin/busybox "$R/bin/busybox"
install -m755 "$TOP/tests/guest/init" "$R/init"
mods="drivers/gpu/drm/drm drivers/gpu/drm/drm_kms_helper
      drivers/gpu/drm/drm_shmem_helper drivers/block/virtio_blk fs/ext4/ext4
      fs/jbd2/jbd2 fs/mbcache lib/crc16 crypto/crc32c_generic"
for m in $mods; do
	src=/lib/modules/$KVER/kernel/$m.ko.xz
	[ -e "$src" ] || { log "missing $src (linux-image-$KVER)"; exit 1; }
	xz -dc "$src" > "$R/lib/mods/$(basename "$m").ko"
done
strip --strip-debug -o "$R/lib/mods/sample-vgpu-guest.ko" \
	"$BUILD/modules/guest/sample-vgpu-guest.ko"
cp -a "$G/bin/." "$R/tests/"
cp "$TOP"/tests/guest/guest-*.sh "$TOP"/tests/guest/igt-mig "$R/tests/"
cp "${IGT_LIST:-$TOP/tests/guest/igt-tests}" "$R/tests/igt-tests"
mkdir -p "$R/tests/workloads"
cp "$TOP"/tools/workloads/*.wl "$R/tests/workloads/"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$G/initramfs.cpio"
log "initramfs.cpio ($(du -h "$G/initramfs.cpio" | cut -f1))"

# --- the root disk ------------------------------------------------------
S=$BUILD/sid-root
if [ -e "$S/.pkgs" ] && { [ ! -s "$G/root.img" ] || [ "$S/.pkgs" -nt "$G/root.img" ]; }; then
	size=$(( $(du -sm "$S" | cut -f1) * 5 / 4 + 64 ))
	rm -f "$G/root.img.tmp"
	mke2fs -q -t ext4 -O ^has_journal,^metadata_csum -L sidroot -d "$S" \
		"$G/root.img.tmp" "${size}M"
	mv "$G/root.img.tmp" "$G/root.img"
	log "root.img ($size MiB: $(cat "$S/.pkgs"))"
fi
