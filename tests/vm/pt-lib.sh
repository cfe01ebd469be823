# SPDX-License-Identifier: GPL-2.0
# Sourced by the TAP scripts of the passthrough test VM (consumers_test.sh,
# modprobe_test.sh).
#   t DESCRIPTION CMD...  one TAP line, numbered on from $n; CMD's output
#                         is printed as diagnostics when it fails
#                         (TAP_PREFIX goes before the description)
#   igb_vfio_pci          the igb (8086:10c9) bound to vfio-pci, with its
#                         VFIO group's device file
n=0
t() {
	_desc=$1
	shift
	n=$((n + 1))
	if "$@" > /tmp/pt-tap.out 2>&1; then
		echo "ok $n - ${TAP_PREFIX:-}$_desc"
	else
		echo "not ok $n - ${TAP_PREFIX:-}$_desc"
		sed 's/^/# /' /tmp/pt-tap.out
	fi
}
igb_vfio_pci() {
	for p in /sys/bus/pci/devices/*; do
		[ "$(cat "$p/vendor"):$(cat "$p/device")" = 0x8086:0x10c9 ] || continue
		echo vfio-pci > "$p/driver_override"
		[ -e "$p/driver" ] || echo "${p##*/}" > /sys/bus/pci/drivers_probe
		[ "$(basename "$(readlink "$p/driver")")" = vfio-pci ] || return 1
		g=$(basename "$(readlink "$p/iommu_group")")
		[ -c "/dev/vfio/$g" ] && return 0
	done
	return 1
}
