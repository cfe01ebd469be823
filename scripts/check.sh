#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the host-side tests, then the whole selftest suite in one
# VM boot (stock oracle first, then the patched modules).  Counts TAP
# results ("ok N", "not ok N"; "# SKIP" counts as skipped) and ends with
# "N passed, N failed".  Exit status is non-zero on any failure, including
# a bad line in the guest kernel log or a VM that did not finish.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
out=$BUILD/check
rm -rf "$out"; mkdir -p "$out"
start=$(date +%s)

: > "$out/tap.log"
# Host-side script tests (TAP).
for t in "$TOP"/tests/host/*_test.sh; do
	[ -x "$t" ] || continue
	echo "# === host $(basename "$t")" | tee -a "$out/tap.log"
	"$t" 2>&1 | tee -a "$out/tap.log"
done

# The sample vGPU's command parser: unit tests (TAP) and a bounded
# libFuzzer run that also replays the kept crash inputs.
if [ -e "$TOP/tests/vgpu/Makefile.host" ]; then
	hm="make -s -C $TOP -f tests/vgpu/Makefile.host TOP=$TOP O=$BUILD/host"
	echo "# === host parser_test" | tee -a "$out/tap.log"
	$hm check 2>&1 | tee -a "$out/tap.log"
	if $hm fuzz-check > "$out/fuzz.log" 2>&1; then
		echo "ok 1 host parser_fuzz: $(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1)" |
			tee -a "$out/tap.log"
	else
		tail -20 "$out/fuzz.log"
		echo "not ok 1 host parser_fuzz (see $out/fuzz.log)" | tee -a "$out/tap.log"
	fi
fi

# The workload file parser of the tools (TAP).
if [ -e "$TOP/tools/wl_test.c" ]; then
	echo "# === host wl_test" | tee -a "$out/tap.log"
	make -s -C "$TOP/tools" BUILD="$BUILD" TOP="$TOP" wl-check 2>&1 | tee -a "$out/tap.log"
fi

"$TOP/scripts/vm/run.sh" -H -m 3G -t 840 -l "$out/vm" -- 'sh /tests/run-suite.sh' \
	2>&1 | tee -a "$out/tap.log"
vmrc=${PIPESTATUS[0]}

"$TOP/scripts/tap-summary.sh" "$out/tap.log" "$vmrc" "$out/vm" "$start"
