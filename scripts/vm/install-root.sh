#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-root.sh BUILD: BUILD/vm/install.cpio, the passthrough VM's
# /lib/modules/KVER as a host running Debian's kernel has it after `make
# install` (tests/vm/modprobe_test.sh, docs/passthrough.rst):
#  - Debian's vfio, vfio_iommu_type1 and mdev, its consumers of vfio at
#    their own paths and what they need (kernel/misc): debian-modules.sh,
#    as install_test.sh has them;
#  - then scripts/install-modules.sh -d over that root, the real `make
#    install` with its depmod: updates/vfio-dirty and modules.dep;
#  - the host's kmod (modprobe, modinfo, depmod) with its libraries, under
#    /usr/sbin, so that the VM loads modules as a host does, not with
#    busybox;
#  - /lib/mods/install/build-ids: "MODULE PATH BUILD-ID" for every module
#    of the tree, what the VM compares with /sys/module/*/notes.
# The VM already holds Debian's modules (consumers.cpio, the base
# initramfs): after depmod their paths here become symlinks to those, so
# only the installed modules are added (stripped, as the others are).
# A failed install leaves its output in BUILD/vm/install.log and no
# archive; the VM test then finds no tree and fails.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$(cat "$BUILD/kver")
R=$BUILD/vm/install-root
M=$R/lib/modules/$KVER
out=$BUILD/vm/install.cpio
rm -rf "$R" "$out"
mkdir -p "$R/lib/mods/install"

# Debian's tree; LINKS: "PATH TARGET-IN-THE-VM" for each of its files
links=$R/links
"$TOP/scripts/vm/debian-modules.sh" "$BUILD" "$R" "$links"

if ! BUILD=$BUILD "$TOP/scripts/install-modules.sh" -d "$R" > "$BUILD/vm/install.log" 2>&1; then
	cat "$BUILD/vm/install.log" >&2
	echo "install-root: make install failed: no $out" >&2
	exit 0
fi
(cd "$M" && find . -name '*.ko' | sed 's|^\./||' | sort | while read -r p; do
	echo "$(basename "$p" .ko | tr - _) $p $(readelf -n "$p" |
		sed -n 's/.*Build ID: //p')"
done) > "$R/lib/mods/install/build-ids"
while read -r p to; do
	ln -sf "$to" "$M/$p"
done < "$links"
rm "$links"
for ko in "$M"/updates/vfio-dirty/*.ko; do
	strip --strip-debug "$ko"
done

# kmod and the libraries it links
mkdir -p "$R/usr/sbin"
cp /usr/bin/kmod "$R/usr/sbin/kmod"
for c in modprobe modinfo depmod lsmod rmmod insmod; do
	ln -s kmod "$R/usr/sbin/$c"
done
ldd /usr/bin/kmod | grep -o '/[^ ]*' | while read -r l; do
	mkdir -p "$R$(dirname "$l")"
	cp -L "$l" "$R$l"
done

(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
echo "install-root: $(du -h "$out" | cut -f1) $out" >&2
