#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh: everything `make all-iommufd` builds for docs/modern.rst, each
# step reused when done:
#   1. the iommufd kernel from linux-source-6.12
#      (scripts/debug/build-kernel.sh iommufd: IOMMUFD, IOMMUFD_DRIVER,
#      VFIO_DEVICE_CDEV and the legacy VFIO container) in
#      build-iommufd/linux;
#   2. its stock oracle and the project against it, with the series of
#      this tree applied (scripts/debug/build-on.sh) in build-iommufd/out;
#   3. QEMU 11 and libvirt 12 (trixie-backports) and mdevctl in the
#      trixie root (scripts/modern/trixie-virt.sh) in build/trixie-root;
#   4. the guest payload (tools/guest).
# The main build (`make`) must have run.  Environment: IOMMUFD_DIR
# (default build-iommufd), JOBS.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
D=${IOMMUFD_DIR:-$TOP/build-iommufd}
log() { echo "modern: $*" >&2; }

K=$(IOMMUFD_DIR=$D "$TOP/scripts/debug/build-kernel.sh" iommufd | tail -1)
"$TOP/scripts/debug/build-on.sh" "$K" "$D/out"
"$TOP/scripts/modern/trixie-virt.sh" "$TOP/build" > /dev/null
make -s -C "$TOP/tools/guest" BUILD="$TOP/build" TOP="$TOP"
log "done: $(cat "$K/include/config/kernel.release"), $D/out, $TOP/build/trixie-root"
