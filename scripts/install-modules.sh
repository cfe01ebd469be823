#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-modules.sh [-k 6.12|7.3] [-d DESTDIR] [-u]: `make install`
# (-k 7.3: `make install-7.3`, the build of `make all-7.3` in BUILD/k7.3
# for Debian's Linux 7.3 with the 7.3 series).  Installs what a
# host needs to run the series without losing device passthrough: the
# patched vfio, vfio_iommu_type1 and mdev, every in-tree module that links
# against vfio rebuilt from the same tree (BUILD/consumers/patched:
# vfio-pci-core, vfio-pci, kvmgt; scripts/vfio-consumers.sh) and the sample
# vGPU built for them, all into DESTDIR/lib/modules/KVER/updates/vfio-dirty,
# where depmod prefers them to Debian's own (kernel/).  Debian's files stay
# untouched, so -u (remove that directory) goes back to them.
#
# Then depmod, with -e against the kernel's Module.symvers: a module that
# would not load next to the others ("disagrees about version of symbol",
# "unknown symbol") fails the install, so a consumer of vfio that the
# kernel has and this build did not rebuild cannot go unnoticed.  Without
# MODVERSIONS (Debian's 7.3) depmod has no versions to compare, so the
# install also fails on any module outside the installed directory that
# depends on one inside it (modules.dep): such a module was built against
# Debian's vfio and would load next to the patched one.
# KDIR (the headers, for Module.symvers): /usr/src/linux-headers-KVER, or
# on the build machine of a 7.3 build the trixie root's copy.
# docs/passthrough.rst ("Installing"); tests/host/install_test.sh.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
DESTDIR=${DESTDIR:-}
uninstall=
while getopts d:k:u o; do
	case $o in
	d) DESTDIR=$OPTARG ;;
	k) case $OPTARG in
	   6.12) ;;
	   7.3) BUILD=$BUILD/k7.3 ;;
	   *) echo "install-modules: no kernel $OPTARG" >&2; exit 2 ;;
	   esac ;;
	u) uninstall=1 ;;
	*) echo "usage: $0 [-k 6.12|7.3] [-d DESTDIR] [-u]" >&2; exit 2 ;;
	esac
done
KVER=$(cat "$BUILD/kver")
if [ -z "${KDIR:-}" ]; then
	KDIR=/usr/src/linux-headers-$KVER
	t=$(dirname "$BUILD")/trixie-root$KDIR
	[ -e "$KDIR/Module.symvers" ] || [ ! -e "$t/Module.symvers" ] || KDIR=$t
fi
dir=$DESTDIR/lib/modules/$KVER/updates/vfio-dirty

rm -rf "$dir"
if [ -z "$uninstall" ]; then
	mkdir -p "$dir"
	install -m644 "$BUILD"/modules/patched/{vfio,vfio_iommu_type1,mdev,sample-vgpu}.ko \
		"$BUILD"/consumers/patched/*.ko "$dir/"
fi
# depmod's complaints about the modules installed here, or about a symbol
# one of them exports (another module of the host built against Debian's
# vfio); those about anything else are not ours to judge
ours() {
	nm "$dir"/*.ko 2>/dev/null | sed -n 's/.* __ksymtab_//p' > "$syms"
	awk -v dir="$dir/" 'FILENAME == ARGV[1] { own[$1] = 1; next }
		/disagrees about version of symbol|[Uu]nknown symbol/ &&
		(index($0, dir) || own[$NF])' "$syms" -
}
# modules.dep: every module outside $dir that depends on one inside it
stale() {
	awk -v d="updates/vfio-dirty/" -F': *' 'index($1, d) != 1 && index($2, d) {
		n = split($2, dep, " "); s = ""
		for (i = 1; i <= n; i++)
			if (index(dep[i], d) == 1) { sub(".*/", "", dep[i]); s = s " " dep[i] }
		print $1 ": depends on the installed" s " but was not rebuilt with them"
	}' "$DESTDIR/lib/modules/$KVER/modules.dep"
}
syms=$(mktemp)
trap 'rm -f "$syms"' EXIT
warn=$(depmod ${DESTDIR:+-b "$DESTDIR"} -e -E "$KDIR/Module.symvers" "$KVER" 2>&1 | ours)
[ -n "$uninstall" ] || warn=$(printf '%s\n' "$warn" "$(stale)" | sed '/^$/d')
if [ -n "$warn" ]; then
	echo "$warn" >&2
	rm -rf "$dir"
	depmod ${DESTDIR:+-b "$DESTDIR"} "$KVER"
	echo "install-modules: these modules would not load, or would load beside the patched vfio unrebuilt; nothing left installed" >&2
	exit 1
fi
echo "install-modules: ${uninstall:+removed }$dir"
