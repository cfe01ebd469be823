#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the nested guest, migrated while it runs (vm-guest.sh, SCRIPT=mig):
# the igt list igt-mig before, then svgpu-wsim (guest.frames= frames of
# render.wl, default 2000) in the background with kms_writeback's
# writeback-check-output (the device writes frames into guest memory) in
# a loop beside it, "GUEST MIGRATE-READY" once both run (the host migrates the
# guest then), and the igt list again once svgpu-wsim is done.  The host
# checks that what follows the migration ran on the destination.
. /tests/guest-lib.sh
frames=$(sed -n 's/.*guest\.frames=\([0-9]*\).*/\1/p' /proc/cmdline)
mount_root || { echo "GUEST no root disk"; exit 1; }
rc=0
echo "GUEST phase before"
igt_list /tests/igt-mig || rc=1
cd /tests || exit 2
./svgpu-wsim -e 10 -w 64 -f "${frames:-2000}" workloads/render.wl &
wpid=$!
sleep 1
echo "GUEST MIGRATE-READY"
loops=0
while kill -0 $wpid 2>/dev/null; do
	igt kms_writeback writeback-check-output > /dev/null ||
		{ echo "GUEST kms_writeback failed during the run"; rc=1; }
	loops=$((loops + 1))
done
wait $wpid
wrc=$?
echo "GUEST wsim rc=$wrc, kms_writeback ran $loops times beside it"
[ $wrc = 0 ] || rc=1
echo "GUEST phase after"
igt_list /tests/igt-mig || rc=1
exit $rc
