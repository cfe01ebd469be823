#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkguest.sh [KERNEL]: what the nested Linux guest of `make guest-test`
# boots, in BUILD/guest-os (KERNEL 6.12, the default; `make` must have run:
# the kernel, the guest module) or BUILD/guest-os-7.3 (KERNEL 7.3; `make
# all-7.3` must have run):
#   vmlinux         the Debian kernel of the test VM, uncompressed, for a
#                   PVH boot (QEMU then skips firmware and decompression)
#   initramfs.cpio  static busybox, the DRM modules of that kernel and
#                   sample-vgpu-guest.ko, virtio-blk and ext4 (to mount a
#                   root disk), tests/guest/init and the guest's tests
#                   (the igt list: IGT_LIST, default tests/guest/igt-tests)
#   bin/            the guest's static programs (svgpu_check, svgpu-wsim)
#   root.img        the root disk: BUILD/sid-root (scripts/setup-sid.sh,
#                   Debian sid with igt-gpu-tools) as an ext4 image, when
#                   that root exists (7.3: a link to the 6.12 guest's)
# The DRM modules come from /lib/modules/KVER, else from the kernel's
# linux-modules .deb in its build (BUILD/k7.3/debs).
# Incremental: a second run rebuilds only what changed.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
case ${1:-6.12} in
6.12)	KB=$BUILD G=$BUILD/guest-os ;;
7.3)	KB=$BUILD/k7.3 G=$BUILD/guest-os-7.3 ;;
*)	echo "usage: $0 [6.12|7.3]" >&2; exit 2 ;;
esac
KVER=$(cat "$KB/kver")
KSFT=$BUILD/ksrc/tools/testing/selftests
log() { echo "mkguest: $*" >&2; }
mkdir -p "$G/bin"

# --- the kernel, uncompressed (Debian's is zstd inside the bzImage) ------
if [ ! -s "$G/vmlinux" ] || [ "$KB/kernel/vmlinuz" -nt "$G/vmlinux" ]; then
	off=$(LC_ALL=C grep -aboP '\x28\xb5\x2f\xfd' "$KB/kernel/vmlinuz" |
	      head -1 | cut -d: -f1)
	tail -c +$((off + 1)) "$KB/kernel/vmlinuz" | zstd -dcq \
		> "$G/vmlinux.tmp" 2>/dev/null || true
	[ "$(head -c 4 "$G/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		{ log "no ELF kernel in $KB/kernel/vmlinuz"; exit 1; }
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
M=/lib/modules/$KVER/kernel
if [ ! -d "$M" ]; then
	M=$G/kmods/lib/modules/$KVER/kernel
	if [ ! -d "$M" ]; then
		deb=$(ls "$KB"/debs/linux-modules-"$KVER"_*.deb 2>/dev/null | head -1)
		[ -n "$deb" ] || { log "no modules of $KVER (linux-modules-$KVER)"; exit 1; }
		mkdir -p "$G/kmods"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$G/kmods" \
			--wildcards '*/kernel/drivers/gpu/drm/*' \
			'*/kernel/drivers/block/*' '*/kernel/fs/*' \
			'*/kernel/lib/*' '*/kernel/crypto/*'
		# usr-merged packages put them under usr/lib
		[ -d "$M" ] || ln -s usr/lib "$G/kmods/lib"
	fi
fi
# by name: a module's folder differs between kernels (lib/crc16 in 6.12,
# lib/crc/crc16 in 7.3); the last two are built in on some kernels
for m in drm drm_kms_helper drm_shmem_helper virtio_blk ext4 jbd2 mbcache \
	 crc16 crc32c_generic; do
	src=$(find "$M" -name "$m.ko.xz" | head -1)
	if [ -z "$src" ]; then
		case $m in crc16|crc32c_generic) continue ;; esac
		log "missing $m.ko.xz in $M (linux-image-$KVER)"
		exit 1
	fi
	xz -dc "$src" > "$R/lib/mods/$m.ko"
done
strip --strip-debug -o "$R/lib/mods/sample-vgpu-guest.ko" \
	"$KB/modules/guest/sample-vgpu-guest.ko"
cp -a "$G/bin/." "$R/tests/"
cp "$TOP"/tests/guest/guest-*.sh "$TOP"/tests/guest/igt-mig "$R/tests/"
cp "${IGT_LIST:-$TOP/tests/guest/igt-tests}" "$R/tests/igt-tests"
mkdir -p "$R/tests/workloads"
cp "$TOP"/tools/workloads/*.wl "$R/tests/workloads/"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$G/initramfs.cpio"
log "initramfs.cpio ($(du -h "$G/initramfs.cpio" | cut -f1))"

# --- the root disk ------------------------------------------------------
S=$BUILD/sid-root
if [ "$G" != "$BUILD/guest-os" ]; then
	[ ! -s "$BUILD/guest-os/root.img" ] ||
		ln -sfn "$BUILD/guest-os/root.img" "$G/root.img"
elif [ -e "$S/.pkgs" ] && { [ ! -s "$G/root.img" ] || [ "$S/.pkgs" -nt "$G/root.img" ]; }; then
	size=$(( $(du -sm "$S" | cut -f1) * 5 / 4 + 64 ))
	rm -f "$G/root.img.tmp"
	mke2fs -q -t ext4 -O ^has_journal,^metadata_csum -L sidroot -d "$S" \
		"$G/root.img.tmp" "${size}M"
	mv "$G/root.img.tmp" "$G/root.img"
	log "root.img ($size MiB: $(cat "$S/.pkgs"))"
fi
