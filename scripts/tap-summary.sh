#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tap-summary.sh TAPLOG VMRC VMLOGDIR START: the end of a suite run
# (check.sh, check-7.3.sh).  Counts the TAP results in TAPLOG ("ok N",
# "not ok N"; "# SKIP" counts as skipped), adds a failure for a VM run
# that exited VMRC != 0 without a failing test and one for bad guest
# kernel log lines, and ends with "N passed, N failed[, N skipped]".
# Exit status non-zero on any failure.
set -uo pipefail
log=$1 vmrc=$2 vmlog=$3 start=$4
pass=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
skip=$(grep -E '^ok [0-9]+' "$log" | grep -c '# SKIP' | tr -d ' ')
fail=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
pass=$((pass - skip))
if [ "$vmrc" != 0 ] && [ "$fail" = 0 ]; then
	echo "not ok - test VM run (exit $vmrc: kernel log or VM failure, see $vmlog)"
	fail=1
fi
if [ "$vmrc" != 0 ] && [ -s "$vmlog/bad-lines.log" ]; then
	echo "not ok - guest kernel log has WARN/BUG/Oops/lockdep lines"
	fail=$((fail + 1))
fi
echo "# suite took $(( $(date +%s) - start ))s; logs in $(dirname "$log")"
if [ "$skip" != 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
