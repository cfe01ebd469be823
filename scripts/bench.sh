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
# What runs in the VM: tests/vm/bench-migrate.sh and tests/vm/bench-cost.sh.
# Every workload runs at its own scale (a "scale" line of its file).
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

if [ -z "${SKIP_MIG:-}" ]; then
	t0=$(date +%s)
	"$TOP/scripts/vm/run.sh" -m "$vm_mem" -t 3000 -l "$BUILD/bench/log" -- \
		"sh /tests/bench-migrate.sh $ROUNDS $FRAMES '$SIZES' '$WLS'" \
		> "$raw" 2>"$BUILD/bench/stderr.txt" ||
		{ tail -30 "$raw"; echo "bench: migration boot failed" >&2; exit 1; }
	echo "migration boot: $(( $(date +%s) - t0 )) s" > "$BUILD/bench/times.txt"
fi

if [ -z "${SKIP_COST:-}" ]; then
	t0=$(date +%s)
	ICOUNT=3 SMP=1 "$TOP/scripts/vm/run.sh" -m 3G -t 3600 -l "$BUILD/bench/log-cost" -- \
		"sh /tests/bench-cost.sh '$COST_ARGS' '$TWLS'" \
		> "$rawc" 2>"$BUILD/bench/stderr-cost.txt" ||
		{ tail -30 "$rawc"; echo "bench: cost boot failed" >&2; exit 1; }
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
