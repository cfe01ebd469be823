#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# modprobe_test.sh (TAP), last in the passthrough test VM, with nothing of
# VFIO loaded: the tree `make install` leaves on a host
# (scripts/vm/install-root.sh: Debian's modules, updates/vfio-dirty,
# depmod) and the host's kmod.  Loaded by name with modprobe, as udev,
# driverctl and libvirt do, every module of the installed set must be the
# installed file and not Debian's: the build ID the kernel keeps of the
# loaded module (/sys/module/M/notes) against those of both files.  That
# is what matters on Debian's 7.3, which has no module versions: nothing
# else would stop Debian's vfio-pci-core from loading beside the patched
# vfio.  Then the igb binds to vfio-pci; run-passthrough.sh runs the vGPU
# and passthrough tests on this set.
D=/lib/mods/install
M=/lib/modules/$(uname -r)
# kmod by its path: busybox's sh runs its own applets before PATH's
K=/usr/sbin
. "$(dirname "$0")/pt-lib.sh"
# the build ID of MODULE's file under DIR (updates or kernel) of the tree
file_id() { awk -v m="$1" -v d="$2/" '$1 == m && index($2, d) == 1 { print $3 }' "$D/build-ids"; }
loaded_id() {
	[ -e "/sys/module/$1/notes/.note.gnu.build-id" ] || return 1
	od -An -tx1 -v "/sys/module/$1/notes/.note.gnu.build-id" | tr -d ' \n' | tail -c 40
}
# MODULE... are loaded from updates/vfio-dirty: the loaded build ID is the
# installed file's and not that of Debian's file (if Debian has one)
ours() {
	for m in "$@"; do
		got=$(loaded_id "$m") || { echo "$m is not loaded"; return 1; }
		want=$(file_id "$m" updates)
		deb=$(file_id "$m" kernel)
		echo "$m: loaded $got, installed $want, Debian's ${deb:-none}"
		[ -n "$want" ] && [ "$got" = "$want" ] && [ "$got" != "$deb" ] || return 1
	done
}
# MODULE... are Debian's own (what the install leaves to Debian)
debians() {
	for m in "$@"; do
		got=$(loaded_id "$m") || { echo "$m is not loaded"; return 1; }
		echo "$m: loaded $got, Debian's $(file_id "$m" kernel)"
		[ "$got" = "$(file_id "$m" kernel)" ] || return 1
	done
}
# modinfo -n resolves each name to the installed file
resolved() {
	for m in vfio vfio_iommu_type1 mdev vfio-pci-core vfio-pci kvmgt sample-vgpu; do
		p=$($K/modinfo -n "$m") || return 1
		echo "$m: $p"
		case "$p" in "$M/updates/vfio-dirty/"*) ;; *) return 1 ;; esac
	done
}
nothing_loaded() {
	for m in vfio vfio_iommu_type1 mdev vfio_pci_core vfio_pci kvmgt sample_vgpu; do
		! grep -q "^$m " /proc/modules || { echo "$m is loaded"; return 1; }
	done
}
there() {
	[ -s "$M/modules.dep" ] && [ -d "$M/updates/vfio-dirty" ] &&
		$K/modprobe -V && nothing_loaded
}
probe() {	# NAME MODULE...: modprobe NAME, then MODULE... are ours
	$K/modprobe "$1" || return 1
	shift
	ours "$@"
}
echo "1..7"
t "the installed tree and kmod are there, nothing of VFIO loaded" there
# the kernel's own module requests go to kmod as well
echo /usr/sbin/modprobe > /proc/sys/kernel/modprobe
t "modinfo -n: vfio, type1, mdev, vfio-pci(-core), kvmgt, sample-vgpu from updates/vfio-dirty" resolved
t "modprobe vfio-pci: the installed vfio-pci, vfio-pci-core, vfio and (softdep) vfio_iommu_type1" \
	probe vfio-pci vfio_pci vfio_pci_core vfio vfio_iommu_type1
t "modprobe sample-vgpu: the installed sample_vgpu and mdev" probe sample-vgpu sample_vgpu mdev
t "modprobe kvmgt: the installed kvmgt" probe kvmgt kvmgt
# /dev/kvm, for kvm_vfio_test: the vendor module udev would load
kvm_too() {
	v=kvm_amd
	grep -qw svm /proc/cpuinfo || v=kvm_intel
	$K/modprobe $v && debians i915 irqbypass kvm $v
}
t "Debian's own: i915, irqbypass, kvm (KVM_VFIO) and its vendor module" kvm_too
t "the igb binds to vfio-pci and has a VFIO group" igb_vfio_pci
