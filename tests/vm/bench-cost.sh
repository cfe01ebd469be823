#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make bench`, its second boot (scripts/bench.sh, under
# ICOUNT): bench-cost.sh "DIRTY-COST OPTIONS" "WORKLOADS" "PIN COUNTS"
# Under the patched and the stock modules: dirty-cost bitmap (against the
# mapped size, and with PIN COUNTS clean pins of a 4 GiB mapping on a
# reporting test mdev, 0 = nothing pinned), mark, and pins (a sample vGPU's
# GTT of PIN COUNTS entries populated and cleared in bulk).  tput (tracking
# on vs off) of each workload at its natural size under patched +
# fine-grained, patched + fine_dirty=0 (baseline) and stock.  Then the
# patched / stock comparison.  Each result between "@@RESULT cost" and
# "@@END", each failure as an "@@FAIL ..." line.
cd /tests || exit 1
C="./dirty-cost $1"
wls=$2 pins=$3
emit() { echo "@@RESULT $1"; cat "$2"; echo '@@END'; }

cost() {	# LABEL MODULES MODARGS WITH-BITMAP
	l=$1 m=$2 a=$3
	MODARGS_sample_vgpu=$a vfio-mods "$m" || echo "@@FAIL vfio-mods $m"
	{
		if [ "$4" = 1 ]; then
			$C -l "$l" --types reporting --clean --pin-mem 4G \
				--pins "0,$pins" bitmap mark ||
				echo "@@FAIL cost $l bitmap" >&2
			$C -l "$l" --gtt "$pins" pins ||
				echo "@@FAIL cost $l pins" >&2
		fi
		for w in $wls; do
			$C -l "$l" -w "workloads/$w.wl" tput ||
				echo "@@FAIL cost $l tput $w" >&2
		done
	} > "/tmp/cost.$l.jsonl" 2> /tmp/cost.err
	cat /tmp/cost.err >&2
	grep '^@@FAIL' /tmp/cost.err
	emit cost "/tmp/cost.$l.jsonl"
	vfio-mods unload
}

cost fine-grained patched '' 1
cost stock stock '' 1
[ -n "$wls" ] && cost baseline patched fine_dirty=0 0
if $C --compare /tmp/cost.fine-grained.jsonl /tmp/cost.stock.jsonl \
		> /tmp/cmp.jsonl; then
	emit cost /tmp/cmp.jsonl
else
	echo '@@FAIL cost compare'
fi
