#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: stock vs fine-grained migrations against the pinned working
# set and every canned workload at its natural size, and what dirty
# tracking costs; results (JSON, markdown, gnuplot PNG/SVG, .dat) in
# docs/bench/ (or OUT).  Not part of `make check`.
#
#   scripts/bench.sh [PINNED SIZES...]   default: 1G 4G 256M 16M
# The resident workload migrates at each pinned size, in that order (the
# sizes the targets name first: a boot cut short keeps them).
# Environment: OUT (default docs/bench), ROUNDS (8), FRAMES (2 per round),
# COST_ARGS (dirty-cost options, default "-r 4 -b 4 -p 16"), PINS (pinned
# pages of the cost boot, default 4096,65536,262144,1048576; empty: no
# bitmap, mark or pins, e.g. TWLS alone in a run of its own), WLS (the
# canned workloads migrated), TWLS (the workloads of tput; empty: no tput,
# no baseline), SKIP_MIG=1 / SKIP_COST=1 (reuse the last raw file of that
# boot), MERGE=1 (keep what OUT/results.json holds and this invocation does
# not measure again: run the sizes in separate invocations), VM_MEM (the
# migration VM's memory, default computed below).
# Exit status: non-zero when a boot, a migration, a module load or a
# dirty-cost run failed (the report is still written from what ran).
#
# Two VM boots:
#   1. migrations (normal multi-threaded TCG): per module set (patched +
#      fine-grained vGPU; stock modules + the vGPU built for them) a live
#      migration of resident at each pinned size, then of each canned
#      workload, with vgpu-migrate.  Page counts, precision, rounds and
#      bytes do not depend on timing; the measured downtime does.
#   2. costs under ICOUNT=3 (single-threaded TCG, guest time counts
#      instructions, so the host's load does not enter the figures):
#      tools/dirty-cost bitmap (clean pins up to 1M), mark and pins
#      (pins/s, unpins/s, kernel bytes per pinned page) under patched and
#      stock, throughput (tracking on vs off) for every workload under
#      patched + fine-grained, patched + fine_dirty=0 (baseline) and stock.
# What runs in the VM: tests/vm/bench-migrate.sh and tests/vm/bench-cost.sh.
# Memory: the migration VM gets twice the largest guest (source and
# destination memfds, every pinned page touched) plus 1.5 GiB: 9.6 GiB at
# 4G pinned; the cost VM 8 GiB (5.3 GiB of pinned pages at once).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
# how this invocation was started (before the defaults), for the record of
# each boot
cmd="scripts/bench.sh${*:+ $*}"
for v in VM_MEM ROUNDS FRAMES COST_ARGS PINS WLS TWLS SKIP_MIG SKIP_COST MERGE; do
	[ -n "${!v+x}" ] && cmd="$v='${!v}' $cmd"
done
ni=$(ps -o ni= $$ | tr -d ' ')
[ "$ni" != 0 ] && cmd="nice -n $ni $cmd"
commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo -)
BUILD=${BUILD:-$TOP/build}
OUT=${OUT:-$TOP/docs/bench}
ROUNDS=${ROUNDS:-8} FRAMES=${FRAMES:-2}
COST_ARGS=${COST_ARGS:--r 4 -b 4 -p 16}
PINS=${PINS-4096,65536,262144,1048576}
SIZES=${*:-1G 4G 256M 16M}
WLS=${WLS-idle scanout render compute random-write cloud-gaming-60fps}
# tput: idle frames do no device work
TWLS=${TWLS-scanout render compute random-write cloud-gaming-60fps resident}
max=$((256 << 20)) tot=0
for s in $SIZES; do
	b=$(numfmt --from=iec "$s"); [ "$b" -gt "$max" ] && max=$b
	tot=$((tot + b))
done
# source and destination memfds (guest: the pinned set and 64M)
vm_mem=${VM_MEM:-$(( (max + (64 << 20)) * 2 / 1048576 + 1536 ))M}
# about 30 minutes per GiB pinned on a loaded 2-core machine, stock's
# eight rounds of the whole set most of it
mig_timeout=$(( 900 + tot * 1800 / (1 << 30) ))
load() { cut -d' ' -f1-3 /proc/loadavg; }
mkdir -p "$OUT" "$BUILD/bench"
raw=$BUILD/bench/raw.txt
rawc=$BUILD/bench/raw-cost.txt
start=$(date +%s) fail=0

run_record() {	# FILE BOOT T0 LOAD-AT-START VM: FILE.run names the run of FILE
	printf '{"id": "%s %s", "boot": "%s", "command": "%s", "commit": "%s", "vm": "%s", "wall_s": %d, "load_start": "%s", "load_end": "%s"}\n' \
		"$(date -u -d "@$3" +%Y-%m-%dT%H:%MZ)" "$2" "$2" "${cmd//\"/\\\"}" \
		"$commit" "$5" \
		$(( $(date +%s) - $3 )) "$4" "$(load)" > "$1.run"
}

if [ -z "${SKIP_MIG:-}" ]; then
	t0=$(date +%s) l0=$(load)
	echo "migration boot: load $l0 at start" > "$BUILD/bench/times.txt"
	"$TOP/scripts/vm/run.sh" -m "$vm_mem" -t "$mig_timeout" -l "$BUILD/bench/log" -- \
		"sh /tests/bench-migrate.sh $ROUNDS $FRAMES '$SIZES' '$WLS'" \
		> "$raw" 2>"$BUILD/bench/stderr.txt" ||
		{ tail -30 "$raw"; echo "bench: migration boot failed" >&2; fail=1; }
	echo "migration boot: $(( $(date +%s) - t0 )) s, load $(load) at the end" >> "$BUILD/bench/times.txt"
	run_record "$raw" migrations "$t0" "$l0" "-smp ${SMP:-2} -m $vm_mem"
fi

if [ -z "${SKIP_COST:-}" ]; then
	t0=$(date +%s) l0=$(load)
	echo "cost boot: load $l0 at start" >> "$BUILD/bench/times.txt"
	ICOUNT=3 SMP=1 "$TOP/scripts/vm/run.sh" -m 8G -t 5400 -l "$BUILD/bench/log-cost" -- \
		"sh /tests/bench-cost.sh '$COST_ARGS' '$TWLS' '$PINS'" \
		> "$rawc" 2>"$BUILD/bench/stderr-cost.txt" ||
		{ tail -30 "$rawc"; echo "bench: cost boot failed" >&2; fail=1; }
	echo "cost boot (ICOUNT=3, SMP=1): $(( $(date +%s) - t0 )) s, load $(load) at the end" >> "$BUILD/bench/times.txt"
	run_record "$rawc" costs "$t0" "$l0" "-smp 1 -m 8G -icount shift=3"
fi

prev=
[ -n "${MERGE:-}" ] && [ -s "$OUT/machine.txt" ] && prev=$(cat "$OUT/machine.txt")
{
	[ -n "$prev" ] && printf '%s\n\n' "$prev"
	echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
	echo "guest: Debian $(cat "$BUILD/kver" 2>/dev/null || uname -r) under QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}') TCG"
	echo "migrations: -smp ${SMP:-2}, -m $vm_mem, multi-threaded TCG; costs: -smp 1, -m 8G, -icount shift=3 (8 ns per guest instruction)"
	echo "load: 1/5/15-minute load averages of the host (shared with other work: timings under TCG are slower than idle)"
	echo "invocation: $cmd"
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
	echo "pinned sizes (resident): $SIZES; rounds $ROUNDS, $FRAMES frames per round; dirty-cost $COST_ARGS, pins $PINS"
	cat "$BUILD/bench/times.txt" 2>/dev/null
	echo "bench wall time (this invocation): $(( $(date +%s) - start )) s"
} > "$OUT/machine.txt"
python3 "$TOP/scripts/bench-report.py" "$raw" "$rawc" "$OUT"
cat "$OUT/results.md"
# a benchmark whose run failed must fail
if cat "$raw" "$rawc" 2>/dev/null | grep '^@@FAIL' >&2; then
	echo "bench: FAILED: the runs above failed (see $raw, $rawc)" >&2
	exit 1
fi
exit $fail
