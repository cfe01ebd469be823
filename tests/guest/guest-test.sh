#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-test.sh [-s SCRIPT] [-m MODS] [-f FRAMES] [-t SECS] [-i LIST]
# [-r HZ] [-k KERNEL]: `make guest-test` (-s all) and `make guest-mig`
# (-s mig): a Linux guest with the sample vGPU assigned, nested in the
# test VM (TCG in TCG).  Builds what the guest boots (mkguest.sh), boots
# the test VM with the host root (scripts/vm/run.sh -H) and runs
# tests/guest/vm-guest.sh in it.  Logs and results in BUILD/guest-test/.
#   -t SECS  the test VM's limit; the guest gets SECS - 300 of it
#   -i LIST  the igt tests to run, a file in the format of igt-tests
#            (default tests/guest/igt-tests), e.g. to run a few of them
#   -r HZ    refresh rate of the guest driver's modes (default 10)
#   -k 7.3   the nested guest boots Debian's 7.3 kernel with the guest
#            driver built for it (`make all-7.3`); the test VM, the vGPU
#            and its host side stay on 6.12
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
SCRIPT=check TIMEOUT=4200 MODS=patched FRAMES=2000 REFRESH=10
IGT_LIST=$TOP/tests/guest/igt-tests KERNEL=6.12
while [ $# -gt 0 ]; do
	case "$1" in
	-s) SCRIPT=$2; shift 2 ;;
	-m) MODS=$2; shift 2 ;;
	-f) FRAMES=$2; shift 2 ;;
	-t) TIMEOUT=$2; shift 2 ;;
	-i) IGT_LIST=$(realpath "$2"); shift 2 ;;
	-r) REFRESH=$2; shift 2 ;;
	-k) KERNEL=$2; shift 2 ;;
	*) echo "usage: $0 [-s SCRIPT] [-m MODS] [-f FRAMES] [-t SECS] [-i LIST] [-r HZ] [-k KERNEL]" >&2
	   exit 2 ;;
	esac
done
out=$BUILD/guest-test/$SCRIPT
[ "$SCRIPT" = mig ] && out=$out-$MODS
gos=$BUILD/guest-os
[ "$KERNEL" = 6.12 ] || { out=$out-$KERNEL gos=$BUILD/guest-os-$KERNEL; }
mkdir -p "$out"
IGT_LIST=$IGT_LIST "$TOP/tests/guest/mkguest.sh" "$KERNEL" || exit 1
[ -s "$BUILD/vm/initramfs.cpio" ] || { echo "run make first" >&2; exit 1; }
"$TOP/scripts/vm/run.sh" -H -m 4G -t "$TIMEOUT" -l "$out/vm" -- \
	"GUEST_OS=$gos SCRIPT=$SCRIPT MODS=$MODS FRAMES=$FRAMES" \
	"REFRESH=$REFRESH T_GUEST=$((TIMEOUT - 300))" \
	"sh /host$TOP/tests/guest/vm-guest.sh" 2>&1 | tee "$out/log.txt"
rc=${PIPESTATUS[0]}
pass=$(grep -cE '^ok [0-9]+' "$out/log.txt")
fail=$(grep -cE '^not ok [0-9]+' "$out/log.txt")
echo "$pass passed, $fail failed (vm exit $rc; logs in $out)"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
