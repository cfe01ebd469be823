#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# series-tree.sh DIR: a git tree of the pristine VFIO sources (after `make`)
# with the series applied as commits, for editing the series; regenerate
# the patches with:
#   git -C DIR format-patch --cover-letter --cover-from-description=subject \
#       -o drivers/vfio/patches pristine..HEAD
# (the cover text lives in branch.<name>.description)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
DIR=$1
[ ! -e "$DIR" ] || { echo "$DIR exists" >&2; exit 1; }
mkdir -p "$DIR"
cp -a "$BUILD/ksrc/drivers" "$BUILD/ksrc/include" "$BUILD/ksrc/Documentation" \
	"$DIR/"
cd "$DIR"
git init -q
git add -A
git commit -qm "pristine linux-source-6.12 subset"
git tag pristine
git am -q $(ls "$TOP"/drivers/vfio/patches/0*.patch | grep -v /0000-)
cp "$TOP/drivers/vfio/Kbuild.oot" drivers/vfio/Kbuild
cp "$TOP/drivers/vfio/Kbuild.mdev.oot" drivers/vfio/mdev/Kbuild
echo "series tree in $DIR ($(git rev-list --count pristine..HEAD) patches)"
