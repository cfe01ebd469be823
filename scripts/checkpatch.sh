#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict (from linux-source) over every patch of the series
# and over the project's own kernel code; fails on any ERROR.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# The source package has no git history, so checkpatch cannot look up the
# commits named in Fixes: tags (UNKNOWN_COMMIT_ID); their ids and titles are
# checked against upstream history by hand (docs/design.rst).
CP="perl $BUILD/ksrc/scripts/checkpatch.pl --strict --no-tree --quiet --ignore UNKNOWN_COMMIT_ID"
rc=0
for p in "$TOP"/drivers/vfio/patches/0*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	out=$($CP "$p")
	[ -z "$out" ] || echo "$out"
	! grep -q '^ERROR:' <<< "$out" || rc=1
done
# The 7.3 series with 7.3's checkpatch.pl, once make all-7.3 has run.
CP73=${CP/$BUILD\/ksrc/$BUILD/k7.3/ksrc}
if [ -e "$BUILD/k7.3/ksrc/scripts/checkpatch.pl" ]; then
	for p in "$TOP"/drivers/vfio/patches/v7.3/0*.patch; do
		case "$p" in *0000-cover-letter.patch) continue ;; esac
		out=$($CP73 "$p")
		[ -z "$out" ] || echo "$out"
		! grep -q '^ERROR:' <<< "$out" || rc=1
	done
else
	echo "checkpatch: no 7.3 build, v7.3 series not checked"
fi
for f in "$TOP"/tests/mdev/*.[ch] "$TOP"/drivers/gpu/sample-vgpu/*.[ch] \
	 "$TOP"/drivers/gpu/sample-vgpu-guest/*.[ch] "$TOP"/include/uapi/drm/*.h; do
	[ -e "$f" ] || continue
	out=$($CP -f "$f")
	[ -z "$out" ] || echo "$out"
	! grep -q '^ERROR:' <<< "$out" || rc=1
done
[ $rc = 0 ] && echo "checkpatch: no errors"
exit $rc
