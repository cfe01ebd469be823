#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: every canned workload, stock vs fine-grained, and what dirty
# tracking costs; results (JSON, markdown, gnuplot PNG/SVG) in docs/bench/
# (or OUT).  Not part of `make check`.
#
#   scripts/bench.sh [SIZES...]      default sizes: 64M 256M 1G 4G
# Environment: OUT (default docs/bench), ROUNDS (8), FRAMES (2 per round),
# COST_ARGS (dirty-cost options, default "-r 4 -b 4 -p 16"), SKIP_MIG=1 /
# SKIP_COST=1 (reuse the last raw file of that boot).
# Exit status: non-zero when a boot, a migration, a module load or a
# dirty-cost run failed (the report is still written from what ran).
#
# Two VM boots:
#   1. migrations (normal multi-threaded TCG): per module set (patched +
#      fine-grained vGPU; stock modules + the vGPU built for them) a live
#      migration of each workload at each size with vgpu-migrate.  Page
#      counts, precision, rounds and bytes do not depend on timing.
#   2. costs under ICOUNT=3 (single-threaded TCG, guest time counts
#      instructions, so the host's load does not enter the figures):
#      tools/dirty-cost bitmap + mark under patched and stock, throughput
#      (tracking on vs off) for every workload under patched + fine-grained,
#      patched + fine_dirty=0 (baseline) and stock.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=${OUT:-$TOP/docs/bench}
ROUNDS=${ROUNDS:-8} FRAMES=${FRAMES:-2}
COST_ARGS=${COST_ARGS:--r 4 -b 4 -p 16}
SIZES=${*:-64M 256M 1G 4G}
WLS="idle scanout render compute random-write cloud-gaming-60fps"
TWLS=${WLS#idle }	# idle frames do no device work: no throughput
max=$((1 << 30))
for s in $SIZES; do
	b=$(numfmt --from=iec "$s"); [ "$b" -gt "$max" ] && max=$b
done
# source and destination memfds, each touched only where written
vm_mem=$(( max / 1048576 + 3072 ))M
mkdir -p "$OUT" "$BUILD/bench"
raw=$BUILD/bench/raw.txt
rawc=$BUILD/bench/raw-cost.txt
start=$(date +%s)

common="cd /tests
scale() { [ \$1 = cloud-gaming-60fps ] && echo 8 || echo 1; }
emit() { echo \"@@RESULT \$1\"; cat \$2; echo '@@END'; }"

if [ -z "${SKIP_MIG:-}" ]; then
	t0=$(date +%s)
	"$TOP/scripts/vm/run.sh" -m "$vm_mem" -t 3000 -l "$BUILD/bench/log" -- "
$common
M='./vgpu-migrate --no-pace -r $ROUNDS -f $FRAMES'
phase() {	# LABEL MODULES
	vfio-mods \$2 || echo '@@FAIL vfio-mods' \$2
	for size in $SIZES; do
		for w in $WLS; do
			echo \"# \$1 \$size \$w\" >&2
			\$M -m \$size -s \$(scale \$w) -l \$1 -j /tmp/m.json workloads/\$w.wl > /tmp/m.log 2>&1 ||
				{ cat /tmp/m.log; echo '@@FAIL' \$1 \$size \$w; }
			[ -s /tmp/m.json ] && emit mig /tmp/m.json
			rm -f /tmp/m.json
		done
	done
	vfio-mods unload
}
phase fine-grained patched
phase stock stock
" > "$raw" 2>"$BUILD/bench/stderr.txt" || { tail -30 "$raw"; echo "bench: migration boot failed" >&2; exit 1; }
	echo "migration boot: $(( $(date +%s) - t0 )) s" > "$BUILD/bench/times.txt"
fi

if [ -z "${SKIP_COST:-}" ]; then
	t0=$(date +%s)
	ICOUNT=3 SMP=1 "$TOP/scripts/vm/run.sh" -m 3G -t 3600 -l "$BUILD/bench/log-cost" -- "
$common
C='./dirty-cost $COST_ARGS'
cost() {	# LABEL MODULES MODARGS TESTS...
	l=\$1 m=\$2 a=\$3; shift 3
	MODARGS_sample_vgpu=\$a vfio-mods \$m || echo '@@FAIL vfio-mods' \$m
	{ if [ \$# -gt 0 ]; then \$C -l \$l \$@ || echo \"@@FAIL cost \$l \$*\" >&2; fi
	  for w in $TWLS; do
		\$C -l \$l -s \$(scale \$w) -w workloads/\$w.wl tput ||
			echo \"@@FAIL cost \$l tput \$w\" >&2
	  done
	} > /tmp/cost.\$l.jsonl 2> /tmp/cost.err
	cat /tmp/cost.err >&2
	emit cost /tmp/cost.\$l.jsonl
	vfio-mods unload
}
cost fine-grained patched '' bitmap mark
cost stock stock '' bitmap mark
cost baseline patched fine_dirty=0
if \$C --compare /tmp/cost.fine-grained.jsonl /tmp/cost.stock.jsonl > /tmp/cmp.jsonl; then
	emit cost /tmp/cmp.jsonl
else
	echo '@@FAIL cost compare'
fi
" > "$rawc" 2>"$BUILD/bench/stderr-cost.txt" || { tail -30 "$rawc"; echo "bench: cost boot failed" >&2; exit 1; }
	echo "cost boot (ICOUNT=3, SMP=1): $(( $(date +%s) - t0 )) s" >> "$BUILD/bench/times.txt"
fi

{
	echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
	echo "guest: Debian $(cat "$BUILD/kver" 2>/dev/null || uname -r) under QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}') TCG"
	echo "migrations: -smp ${SMP:-2}, -m $vm_mem, multi-threaded TCG; costs: -smp 1, -icount shift=3 (8 ns per guest instruction)"
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo -)"
	echo "sizes: $SIZES; rounds $ROUNDS, $FRAMES frames per round; dirty-cost $COST_ARGS"
	cat "$BUILD/bench/times.txt" 2>/dev/null
	echo "bench wall time (this invocation): $(( $(date +%s) - start )) s"
} > "$OUT/machine.txt"
python3 "$TOP/scripts/bench-report.py" "$raw" "$rawc" "$OUT"
cat "$OUT/results.md"
# a benchmark whose run failed must fail
if grep -h '^@@FAIL' "$raw" "$rawc" >&2; then
	echo "bench: FAILED: the runs above failed (see $raw, $rawc)" >&2
	exit 1
fi
