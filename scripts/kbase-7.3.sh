# SPDX-License-Identifier: GPL-2.0
# kbase-7.3.sh: sourced (with TOP and BUILD set, BUILD being the main
# build directory) to point the build scripts at Linux 7.3: its build
# directory, headers in the trixie root, module builds run there, its
# series.  Needs scripts/build-7.3.sh to have run once (BUILD/k7.3/kver).
K73_MAIN=$BUILD
BUILD=$K73_MAIN/k7.3
KVER=$(cat "$BUILD/kver")
KDIR=/usr/src/linux-headers-$KVER
KMAKE_WRAP="env BUILD=$K73_MAIN $TOP/scripts/trixie-run.sh"
SERIES=${SERIES73:-$TOP/drivers/vfio/patches/v7.3}
export BUILD KVER KDIR KMAKE_WRAP SERIES
