#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make bench`, its first boot (scripts/bench.sh):
#   bench-migrate.sh ROUNDS FRAMES "PINNED SIZES" "WORKLOADS"
# First the resident workload at each pinned working set of PINNED SIZES
# (vgpu-migrate -p), in the order given, each size migrated under the
# patched modules with the fine-grained vGPU and then under stock with the
# vGPU built for it, back to back; then each of WORKLOADS at its natural
# size, all under patched, then all under stock.  Each JSON result between
# "@@RESULT mig" and "@@END", each failure as an "@@FAIL ..." line.
cd /tests || exit 1
rounds=$1 frames=$2 sizes=$3 wls=$4
M="./vgpu-migrate --no-pace -r $rounds -f $frames"
emit() { echo "@@RESULT $1"; cat "$2"; echo '@@END'; }
loaded=

mods() {	# MODULES: load that set unless it is loaded
	[ "$loaded" = "$1" ] && return 0
	loaded=
	vfio-mods "$1" || { echo "@@FAIL vfio-mods $1"; return 1; }
	loaded=$1
}

one() {	# LABEL MODULES WORKLOAD [VGPU-MIGRATE OPTIONS...]
	l=$1 w=$3
	mods "$2" || return
	shift 3
	echo "# $l $w $* ($(date -u +%H:%M:%S))" >&2
	$M "$@" -l "$l" -j /tmp/m.json "workloads/$w.wl" > /tmp/m.log 2>&1 ||
		{ cat /tmp/m.log; echo "@@FAIL $l $w $*"; }
	[ -s /tmp/m.json ] && emit mig /tmp/m.json
	rm -f /tmp/m.json
}

for p in $sizes; do
	one fine-grained patched resident -p "$p"
	one stock stock resident -p "$p"
done
for w in $wls; do
	one fine-grained patched "$w"
done
for w in $wls; do
	one stock stock "$w"
done
vfio-mods unload
