#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# repro-fixes.sh: the bugs the series' fixes address, against the stock
# modules of the booted kernel (scripts/repro-fixes.sh runs it).  Prints
# stock_fixes_test's TAP (a "not ok" reproduces a bug) and one line
# "REPRO <what>: reproduced|not reproduced (<how>)" per bug.  The unmap
# deadlock comes last: once reproduced, the VFIO modules stay wedged.
cd /tests
vfio-mods stock
./stock_fixes_test > /tmp/sf.log 2>&1
cat /tmp/sf.log
verdict() {	# WHAT TEST
	if grep -q "^not ok [0-9]* fix\.$2" /tmp/sf.log; then
		echo "REPRO $1: reproduced ($2 fails)"
	elif grep -q "^ok [0-9]* fix\.$2" /tmp/sf.log; then
		echo "REPRO $1: not reproduced ($2 passes)"
	else
		echo "REPRO $1: unknown ($2 did not run)"
	fi
}
verdict "stray bits past the end of a report (0003)" no_bit_past_the_end_of_a_report
verdict "faulting report loses or moves bits (0003)" faulting_report_loses_nothing
verdict "mapping ending at 2^64 unusable (0004)" mapping_at_the_top_of_the_iova_space_is_usable

# Two threads map, pin through the device and unmap: with TEST_PHASE=stock
# the test passes when both stall (deadlock_watch.h) and leaves them
# behind; their kernel stacks show where.
TEST_PHASE=stock ./unmap_deadlock_test > /tmp/dl.log 2>&1
cat /tmp/dl.log
sleep 1
n=0
for t in /proc/[0-9]*/task/[0-9]*; do
	[ "$(cut -d' ' -f3 "$t/stat" 2>/dev/null)" = D ] || continue
	grep -q vfio "$t/stack" 2>/dev/null || continue
	n=$((n + 1))
	echo "# task ${t##*/} ($(cat "$t/comm")) blocked:"
	sed 's/^/#   /' "$t/stack"
done
if [ $n -ge 2 ] && grep -q '^ok 1 ' /tmp/dl.log; then
	echo "REPRO unmap deadlock (0001): reproduced (both threads stalled; $n blocked in VFIO)"
elif grep -q '^not ok 1 ' /tmp/dl.log; then
	echo "REPRO unmap deadlock (0001): not reproduced (no stall)"
else
	echo "REPRO unmap deadlock (0001): unknown ($n threads blocked in VFIO)"
fi
