#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh BUILD OUT: the test VM's base initramfs (uncompressed
# newc cpio): static busybox, stripped stock and patched modules, the
# static test binaries in BUILD/bin and the scripts under tests/vm/.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
OUT=$2
TOP=$(cd "$(dirname "$0")/../.." && pwd)
R=$BUILD/vm/root
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,usr/bin,proc,sys,dev,tmp,etc,host,lib/mods/stock,lib/mods/patched,lib/mods/extra,tests}
cp /bin/busybox "$R/bin/busybox"
install -m755 "$TOP/scripts/vm/init" "$R/init"
install -m755 "$TOP/scripts/vm/vfio-mods" "$R/bin/vfio-mods"
install -m755 "$TOP/scripts/vm/mdevctl" "$R/bin/mdevctl"
for v in stock patched; do
	for ko in "$BUILD/modules/$v"/*.ko; do
		[ -e "$ko" ] || continue
		strip --strip-debug -o "$R/lib/mods/$v/$(basename "$ko")" "$ko"
	done
done
for ko in "$BUILD"/kernel/extra/*.ko; do
	[ -e "$ko" ] || continue
	strip --strip-debug -o "$R/lib/mods/extra/$(basename "$ko")" "$ko"
done
cp -a "$BUILD"/bin/. "$R/tests/"
cp -a "$TOP"/tests/vm/. "$R/tests/"
chmod +x "$R"/tests/* 2>/dev/null || true
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
