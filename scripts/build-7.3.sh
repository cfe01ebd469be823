#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-7.3.sh: the build for Debian's Linux 7.3 (trixie-backports) in
# BUILD/k7.3, beside the 6.12 one in BUILD (`make` must have run: the
# user-space binaries are the same for both kernels and are reused).
#   1. setup-trixie.sh: resolve 7.3.y, download its .debs, the trixie root
#   2. build.sh with that kernel: the image and stock modules, the pristine
#      linux-source-7.3 subset, the project's modules built in the trixie
#      root with trixie's gcc-14 (the compiler of Debian's 7.3 image),
#      the test VM's initramfs
# The patched VFIO and the project's modules built against it come with
# the 7.3 series (drivers/vfio/patches/v7.3); without it only the stock
# variant is built.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
B=$BUILD/k7.3
[ -d "$BUILD/bin" ] || { echo "build-7.3: run make first" >&2; exit 1; }
KVER=$("$TOP/scripts/setup-trixie.sh" "$BUILD" 7.3 | tail -1)
mkdir -p "$B"
echo "$KVER" > "$B/kver"
MAIN=$BUILD
. "$TOP/scripts/kbase-7.3.sh"
VARIANTS=stock
! ls "$SERIES"/0*.patch > /dev/null 2>&1 || VARIANTS="patched stock"
SKIP_SETUP=1 KDEBS=$BUILD/debs SRCTAR=$BUILD/debs/linux-source-7.3.tar.xz \
	VARIANTS=$VARIANTS USERSPACE_FROM=$MAIN "$TOP/scripts/build.sh"
