#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make bench`, its first boot (scripts/bench.sh):
#   bench-migrate.sh ROUNDS FRAMES "SIZES" "WORKLOADS"
# Per module set (patched with the fine-grained vGPU; stock with the vGPU
# built for it) a live migration of each workload at each guest memory
# size, at the workload's own scale; each JSON result between
# "@@RESULT mig" and "@@END", each failure as an "@@FAIL ..." line.
cd /tests || exit 1
rounds=$1 frames=$2 sizes=$3 wls=$4
M="./vgpu-migrate --no-pace -r $rounds -f $frames"
emit() { echo "@@RESULT $1"; cat "$2"; echo '@@END'; }

phase() {	# LABEL MODULES
	vfio-mods "$2" || echo "@@FAIL vfio-mods $2"
	for size in $sizes; do
		for w in $wls; do
			echo "# $1 $size $w" >&2
			$M -m "$size" -l "$1" -j /tmp/m.json "workloads/$w.wl" \
				> /tmp/m.log 2>&1 ||
				{ cat /tmp/m.log; echo "@@FAIL $1 $size $w"; }
			[ -s /tmp/m.json ] && emit mig /tmp/m.json
			rm -f /tmp/m.json
		done
	done
	vfio-mods unload
}

phase fine-grained patched
phase stock stock
