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
# patched / stock comparison.  Each dirty-cost run's results between
# "@@RESULT cost" and "@@END" as soon as it ends (a boot cut short keeps
# what finished), each failure as an "@@FAIL ..." line.  Empty PIN COUNTS:
# no bitmap, mark or pins (tput only).
cd /tests || exit 1
C="./dirty-cost $1"
wls=$2 pins=$3
emit() { echo "@@RESULT $1"; cat "$2"; echo '@@END'; }

one() {		# LABEL WHAT DIRTY-COST-ARGS...: one run, its results at once
	l=$1 what=$2
	shift 2
	$C -l "$l" "$@" > /tmp/one.jsonl 2> /tmp/cost.err ||
		echo "@@FAIL cost $l $what" >> /tmp/cost.err
	cat /tmp/cost.err
	emit cost /tmp/one.jsonl
	cat /tmp/one.jsonl >> "/tmp/cost.$l.jsonl"
}

cost() {	# LABEL MODULES MODARGS WITH-BITMAP
	l=$1 m=$2 a=$3
	: > "/tmp/cost.$l.jsonl"
	MODARGS_sample_vgpu=$a vfio-mods "$m" || echo "@@FAIL vfio-mods $m"
	if [ "$4" = 1 ] && [ -n "$pins" ]; then
		one "$l" bitmap --types reporting --clean --pin-mem 4G \
			--pins "0,$pins" bitmap mark
		one "$l" pins --gtt "$pins" pins
	fi
	for w in $wls; do
		one "$l" "tput $w" -w "workloads/$w.wl" tput
	done
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
