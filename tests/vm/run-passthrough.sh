#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of make check's passthrough boot (scripts/vm/passthrough.sh,
# docs/passthrough.rst): q35 with QEMU's intel-iommu (caching mode) and an
# igb.  Debian's VFIO modules with Debian's consumers of vfio first (the
# oracle recordings), then the patched modules with the consumers rebuilt
# from the same tree.  Each test is a part of the log (part.sh, counted
# against tests/manifest); TEST_PHASE says which set is loaded.
# Last, with nothing of VFIO loaded, the set `make install` put in
# /lib/modules (scripts/vm/install-root.sh), loaded with modprobe
# (modprobe_test.sh), and the vGPU beside the igb and the KVM-VFIO device
# on it.
# vfio-mods reports its own failures to the count, vfio-consumers unload's
# and modprobe -r's are reported here ("# === status").
cd /tests || exit 2
. ./part.sh
# 2 MiB pages for the hugetlbfs mappings of pci_dma_test and pci_dirty_test
echo 16 > /proc/sys/vm/nr_hugepages

for v in stock patched; do
	phase=$v
	[ $v = patched ] && phase=fine
	oracle=record
	[ $v = patched ] && oracle=compare
	vfio-mods $v
	part consumers-$v sh ./consumers_test.sh $v
	export TEST_PHASE=$phase
	part pci-dma-$v ./pci_dma_test
	part pci-dirty-$v ./pci_dirty_test $oracle /tmp/pci-dirty.stock
	part pci-vgpu-$v ./vgpu_passthrough_test
	part kvm-vfio-$v ./kvm_vfio_test
	unset TEST_PHASE
	vfio-consumers unload ||
		echo "# === status vfio-consumers-unload-$v rc=1"
	vfio-mods unload
done

export TEST_PHASE=fine
part modprobe-installed sh ./modprobe_test.sh
part pci-vgpu-installed ./vgpu_passthrough_test
part kvm-vfio-installed ./kvm_vfio_test
unset TEST_PHASE
/usr/sbin/modprobe -r vfio-pci kvmgt sample-vgpu vfio_iommu_type1 ||
	echo "# === status modprobe-r-installed rc=1"
exit $fail
