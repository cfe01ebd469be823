#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job (until the migration tools land): boot the test VM, create
# test-mdev instances through sysfs, run the same scenario under the stock
# modules and the patched ones (NPIN pages pinned, K written per round)
# and print pages reported per round side by side.
#   scripts/main-job.sh [NPIN [K [ROUNDS]]]
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
NPIN=${1:-4096} K=${2:-64} ROUNDS=${3:-5}
out=$BUILD/main-job
mkdir -p "$out"
"$TOP/scripts/vm/run.sh" -t 300 -l "$out/log" -- "
vfio-mods stock && /tests/dirty_table stock $NPIN $K $ROUNDS > /tmp/stock.txt &&
vfio-mods patched && /tests/dirty_table patched $NPIN $K $ROUNDS > /tmp/patched.txt &&
vfio-mods unload && sed 's/^/S /' /tmp/stock.txt && sed 's/^/P /' /tmp/patched.txt" \
	> "$out/raw.txt"
grep -q '^S round' "$out/raw.txt" || { cat "$out/raw.txt"; exit 1; }
echo "VFIO type1 dirty pages per round: $NPIN pages pinned, $K written per round"
printf '%-6s %14s %14s %14s %10s\n' round "stock type1" "fine-grained" "truly written" reduction
paste <(grep '^S round' "$out/raw.txt") <(grep '^P round' "$out/raw.txt") |
awk '{ red = ($12 ? sprintf("%.1fx", $5 / $12) : "-");
       printf "%-6s %14s %14s %14s %10s\n", $3, $5, $12, $14, red }'
