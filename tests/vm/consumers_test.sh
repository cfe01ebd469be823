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
. "$(dirname "$0")/pt-lib.sh"
TAP_PREFIX="$v: "
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
t "the igb binds to vfio-pci and has a VFIO group" igb_vfio_pci
