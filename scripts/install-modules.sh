#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-modules.sh [-d DESTDIR] [-u]: `make install`.  Installs what a
# host needs to run the series without losing device passthrough: the
# patched vfio, vfio_iommu_type1 and mdev, every in-tree module that links
# against vfio rebuilt from the same tree (BUILD/consumers/patched:
# vfio-pci-core, vfio-pci, kvmgt; scripts/vfio-consumers.sh) and the sample
# vGPU built for them, all into DESTDIR/lib/modules/KVER/updates/vfio-dirty,
# where depmod prefers them to Debian's own (kernel/).  Debian's files stay
# untouched, so -u (remove that directory) goes back to them.
#
# Then depmod, with -e against the kernel's Module.symvers: a module that
# would not load next to the others ("disagrees about version of symbol",
# "unknown symbol") fails the install, so a consumer of vfio that the
# kernel has and this build did not rebuild cannot go unnoticed.
# docs/passthrough.rst ("Installing"); tests/host/install_test.sh.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
DESTDIR=${DESTDIR:-}
uninstall=
while getopts d:u o; do
	case $o in
	d) DESTDIR=$OPTARG ;;
	u) uninstall=1 ;;
	*) echo "usage: $0 [-d DESTDIR] [-u]" >&2; exit 2 ;;
	esac
done
KVER=$(cat "$BUILD/kver")
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
dir=$DESTDIR/lib/modules/$KVER/updates/vfio-dirty

rm -rf "$dir"
if [ -z "$uninstall" ]; then
	mkdir -p "$dir"
	install -m644 "$BUILD"/modules/patched/{vfio,vfio_iommu_type1,mdev,sample-vgpu}.ko \
		"$BUILD"/consumers/patched/*.ko "$dir/"
fi
# depmod's complaints about the modules installed here, or about a symbol
# one of them exports (another module of the host built against Debian's
# vfio); those about anything else are not ours to judge
ours() {
	nm "$dir"/*.ko 2>/dev/null | sed -n 's/.* __ksymtab_//p' > "$syms"
	awk -v dir="$dir/" 'FILENAME == ARGV[1] { own[$1] = 1; next }
		/disagrees about version of symbol|[Uu]nknown symbol/ &&
		(index($0, dir) || own[$NF])' "$syms" -
}
syms=$(mktemp)
trap 'rm -f "$syms"' EXIT
warn=$(depmod ${DESTDIR:+-b "$DESTDIR"} -e -E "$KDIR/Module.symvers" "$KVER" 2>&1 | ours)
if [ -n "$warn" ]; then
	echo "$warn" >&2
	rm -rf "$dir"
	depmod ${DESTDIR:+-b "$DESTDIR"} "$KVER"
	echo "install-modules: these modules would not load; nothing left installed" >&2
	exit 1
fi
echo "install-modules: ${uninstall:+removed }$dir"
