#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP test of `make install` (scripts/install-modules.sh) on a copy of
# Debian's module tree, with the host's kmod (depmod -e checks every
# module's symbol versions against the modules that export them, as the
# kernel will at load time; modprobe --show-depends says which files
# modprobe would load).  Debian's tree is built from what `make` keeps of
# the image: its vfio, vfio_iommu_type1, mdev, its consumers of vfio at
# their own paths, and what those need (kernel/misc here).
#  - installing only the patched vfio, vfio_iommu_type1 and mdev leaves
#    Debian's vfio-pci-core and kvmgt unable to load (the issue 18 bug);
#  - `make install` resolves vfio-pci, kvmgt and the sample vGPU to the
#    rebuilt modules, the rest to Debian's, and depmod finds no mismatch;
#  - a consumer of vfio that the build did not rebuild fails the install,
#    which leaves Debian's modules in charge, also when it carries no
#    symbol versions (a kernel without MODVERSIONS: Debian's 7.3); -u goes
#    back to them.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
KVER=$(cat "$BUILD/kver") || exit 1
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
C=$BUILD/consumers
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
M=$t/lib/modules/$KVER
U=$M/updates/vfio-dirty
n=0
tap() {	# STATUS(0=ok) TEXT
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
# the files modprobe would load for MODULE, as paths below lib/modules/KVER
loads() { modprobe -d "$t" -S "$KVER" --show-depends "$1" 2>&1 |
	sed -n "s|^insmod $M/||p" | sed 's/ *$//' | sort -u | tr '\n' ' '; }
# depmod -e over the tree: its version and symbol complaints
complaints() { depmod -b "$t" -e -E "$KDIR/Module.symvers" "$KVER" 2>&1 |
	grep -E 'disagrees about version|[Uu]nknown symbol'; }
expect() {	# TEXT WANT GOT
	[ "$2" = "$3" ] && return 0
	echo "# $1: want '$2'"
	echo "#$(printf ' %*s' ${#1} '') got  '$3'"
	return 1
}
install_modules() { BUILD=$BUILD KDIR=$KDIR "$TOP/scripts/install-modules.sh" -d "$t" "$@"; }

# Debian's tree
"$TOP/scripts/vm/debian-modules.sh" "$BUILD" "$t" || exit 1
debian_pci="kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/pci/vfio-pci.ko kernel/drivers/vfio/vfio.ko kernel/drivers/vfio/vfio_iommu_type1.ko kernel/misc/irqbypass.ko "

echo "1..10"
out=$(complaints)
expect "vfio-pci loads" "$debian_pci" "$(loads vfio-pci)" && [ -z "$out" ]
tap $? "Debian's tree: vfio-pci loads Debian's modules, no version mismatch"

# what an install of the series alone did before the consumers were rebuilt
mkdir -p "$U"
cp "$BUILD"/modules/patched/{vfio,vfio_iommu_type1,mdev}.ko "$U/"
out=$(complaints)
echo "$out" | grep -q 'vfio-pci-core.ko disagrees about version of symbol vfio_register_group_dev' &&
	echo "$out" | grep -q 'kvmgt.ko disagrees about version of symbol vfio_pin_pages'
tap $? "the patched vfio alone: Debian's vfio-pci-core and kvmgt disagree about its symbols"

install_modules > "$t/install.out" 2>&1
tap $? "make install: $(tail -1 "$t/install.out" | sed "s|$t||")"

out=$(complaints)
[ -z "$out" ] || { echo "$out" | sed 's/^/# /'; false; }
tap $? "after make install, depmod -e finds no version mismatch"

want="kernel/misc/irqbypass.ko updates/vfio-dirty/vfio.ko updates/vfio-dirty/vfio_iommu_type1.ko updates/vfio-dirty/vfio_pci.ko updates/vfio-dirty/vfio_pci_core.ko "
expect "vfio-pci" "$want" "$(loads vfio-pci)"
tap $? "vfio-pci: the rebuilt vfio-pci and vfio-pci-core, the patched vfio and type1"

got=$(loads kvmgt)
for f in updates/vfio-dirty/kvmgt.ko updates/vfio-dirty/mdev.ko \
	 updates/vfio-dirty/vfio.ko kernel/misc/i915.ko kernel/misc/kvm.ko; do
	[[ " $got" = *" $f "* ]] || { echo "# kvmgt: no $f in '$got'"; false; }
done
tap $? "kvmgt: the rebuilt kvmgt with the patched mdev and vfio, Debian's i915 and kvm"

want="updates/vfio-dirty/mdev.ko updates/vfio-dirty/sample-vgpu.ko updates/vfio-dirty/vfio.ko updates/vfio-dirty/vfio_iommu_type1.ko "
expect "sample_vgpu" "$want" "$(loads sample_vgpu)"
tap $? "sample_vgpu: installed, with the patched mdev, vfio and type1"

# a consumer of vfio this build does not know: Debian's vfio-pci-core
# under another name
mkdir -p "$M/kernel/drivers/vfio/pci/other"
cp "$C/stock/vfio_pci_core.ko" "$M/kernel/drivers/vfio/pci/other/other-vfio-pci.ko"
! install_modules > "$t/install.out" 2>&1 &&
	grep -q 'other-vfio-pci.ko disagrees about version' "$t/install.out" &&
	[ ! -e "$U" ] && expect "vfio-pci" "$debian_pci" "$(loads vfio-pci)"
tap $? "a consumer not rebuilt fails make install, and Debian's modules stay in charge"

# the same without symbol versions, as Debian's 7.3 builds every module:
# the install names it from modules.dep, not from depmod's version check
objcopy --remove-section __versions "$C/stock/vfio_pci_core.ko" \
	"$M/kernel/drivers/vfio/pci/other/other-vfio-pci.ko"
! install_modules > "$t/install.out" 2>&1 &&
	grep -q 'other/other-vfio-pci.ko: depends on the installed vfio.ko but was not rebuilt' "$t/install.out" &&
	[ ! -e "$U" ] && expect "vfio-pci" "$debian_pci" "$(loads vfio-pci)"
r=$?; [ $r = 0 ] || sed "s/^/# /" "$t/install.out"
tap $r "the same without symbol versions (no MODVERSIONS) fails make install too"
rm -r "$M/kernel/drivers/vfio/pci/other"

install_modules > /dev/null 2>&1 && install_modules -u > "$t/install.out" 2>&1 &&
	[ ! -e "$U" ] && expect "vfio-pci" "$debian_pci" "$(loads vfio-pci)"
tap $? "make install, then -u: Debian's modules again"
