#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make bench`, its second boot (scripts/bench.sh, under
# ICOUNT): bench-cost.sh "DIRTY-COST OPTIONS" "WORKLOADS"
# dirty-cost bitmap + mark under the patched and the stock modules, tput
# (tracking on vs off) of each workload, at its own scale, under patched +
# fine-grained, patched + fine_dirty=0 (baseline) and stock, and the
# patched / stock comparison; each result between "@@RESULT cost" and
# "@@END", each failure as an "@@FAIL ..." line.
cd /tests || exit 1
C="./dirty-cost $1"
wls=$2
emit() { echo "@@RESULT $1"; cat "$2"; echo '@@END'; }

cost() {	# LABEL MODULES MODARGS TESTS...
	l=$1 m=$2 a=$3
	shift 3
	MODARGS_sample_vgpu=$a vfio-mods "$m" || echo "@@FAIL vfio-mods $m"
	{
		if [ $# -gt 0 ]; then
			$C -l "$l" "$@" || echo "@@FAIL cost $l $*" >&2
		fi
		for w in $wls; do
			$C -l "$l" -w "workloads/$w.wl" tput ||
				echo "@@FAIL cost $l tput $w" >&2
		done
	} > "/tmp/cost.$l.jsonl" 2> /tmp/cost.err
	cat /tmp/cost.err >&2
	emit cost "/tmp/cost.$l.jsonl"
	vfio-mods unload
}

cost fine-grained patched '' bitmap mark
cost stock stock '' bitmap mark
cost baseline patched fine_dirty=0
if $C --compare /tmp/cost.fine-grained.jsonl /tmp/cost.stock.jsonl \
		> /tmp/cmp.jsonl; then
	emit cost /tmp/cmp.jsonl
else
	echo '@@FAIL cost compare'
fi
