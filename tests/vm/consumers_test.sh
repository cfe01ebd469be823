#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# consumers_test.sh stock|patched (TAP), in the passthrough test VM after
# `vfio-mods stock|patched`: the in-tree modules that link against vfio
# load with the VFIO modules of their own build, and not with the other
# one (module versions); the igb binds to vfio-pci.  The
# consumers are those of the image (/lib/mods/consumers/stock).
v=$1
D=/lib/mods/consumers
other=patched
[ "$v" = patched ] && other=stock
mods=$(cd "$D/stock" && ls *.ko | sed 's/\.ko$//')
# those that link against vfio.ko itself (vfio-pci needs vfio-pci-core,
# which is refused first)
direct=$(cat "$D/direct")
n=0
t() {	# DESCRIPTION CMD...: one TAP line
	desc=$1
	shift
	n=$((n + 1))
	if "$@" > /tmp/consumers_test.out 2>&1; then
		echo "ok $n - $v: $desc"
	else
		echo "not ok $n - $v: $desc"
		sed 's/^/# /' /tmp/consumers_test.out
	fi
}
# Without MODVERSIONS (Debian's 7.3) the modules carry no symbol versions
# (no __versions section), and nothing refuses a consumer built against
# the other vfio: only the rebuilt consumers keep such a host safe.
versioned() { grep -q __versions "$D/stock/$1.ko"; }
refused() {	# MODULE: its other build must not load next to this vfio
	dmesg -c > /dev/null
	if insmod "$D/$other/$1.ko"; then
		rmmod "$1"
		return 1
	fi
	dmesg | grep "disagrees about version of symbol" && ! dmesg | grep "(err -2)"
}
loaded_all() {
	for m in $mods; do
		grep -q "^$m " /proc/modules || { echo "$m not loaded"; return 1; }
	done
}
bound() {
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
echo "1..$(( $(echo "$direct" | wc -w) + 4 ))"
t "what the consumers need loads (i915, kvm, ...)" vfio-consumers deps
for m in $direct; do
	if versioned "$m"; then
		t "the $other build of $m is refused (module versions)" refused "$m"
	else
		n=$((n + 1))
		echo "ok $n - $v: the $other build of $m is refused # SKIP no module versions in this kernel"
	fi
done
t "the $v build of $(echo $mods) loads" vfio-consumers "$v"
t "all loaded: $(echo $mods)" loaded_all
t "the igb binds to vfio-pci and has a VFIO group" bound
