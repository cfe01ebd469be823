#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vfio-consumers.sh KVER BUILD KDIR
#
# Every in-tree module of the Debian kernel that links against vfio.ko, in
# two builds: Debian's own (for the stock modules) and one rebuilt from the
# same patched tree as the patched vfio.ko (with MODVERSIONS, Debian's
# cannot load next to it).  The consumers are found in the image itself
# (modules.dep), not listed here; each must have a rebuild:
#   drivers/vfio/**        built with the patched vfio (Kbuild.oot: pci/)
#   kvmgt (i915 GVT-g)     drivers/vfio/Kbuild.kvmgt.oot over linux-source
# and any other one fails the build.  kvmgt is rebuilt only if KDIR's config
# enables it: a kernel built from linux-source (the debug one has no DRM)
# gets no patched kvmgt, with a log line; Debian's stays in stock/.  The
# result, for the test VM (docs/passthrough.rst), is BUILD/vm/consumers.cpio holding
# /lib/mods/consumers/{stock,patched,deps}/*.ko, an "order" file (every
# module to load, dependencies first, one name a line: the consumers, their
# dependencies and KVM's vendor modules, which give /dev/kvm in the VM)
# and /bin/vfio-consumers, which loads them (scripts/vm/vfio-consumers).
# Environment as for build.sh/prepare-kernel.sh: KDEBS (directory of
# already downloaded kernel .debs), SRCTAR (linux-source tarball),
# KMAKE_WRAP, JOBS.
set -euo pipefail
KVER=$1
BUILD=$(cd "$2" && pwd)
KDIR=$3
TOP=$(cd "$(dirname "$0")/.." && pwd)
SRCTAR=${SRCTAR:-/usr/src/linux-source-6.12.tar.xz}
KP=$BUILD/kpatched
C=$BUILD/consumers
log() { echo "consumers: $*" >&2; }
# modules we replace or build ourselves, never "consumers"
OWN="vfio vfio_iommu_type1 mdev"
kvm_vendors="kvm-amd kvm-intel"

modname() { basename "$1" | sed -e 's/\.ko\(\.xz\)\?$//' -e 's/-/_/g'; }

# --- Debian's modules: the consumers and what they need -----------------
if [ ! -e "$C/.img-$KVER" ]; then
	rm -rf "$C/img" "$C/stock" "$C/deps" "$C/debs" "$C/x"
	mkdir -p "$C/img" "$C/stock" "$C/deps" "$C/debs" "$C/x"
	debs=${KDEBS:-$C/debs}
	[ -n "${KDEBS:-}" ] || (cd "$debs" &&
		apt-get download -q "linux-image-$KVER-unsigned" >&2 2>/dev/null ||
		apt-get download -q "linux-image-$KVER-unsigned" >&2)
	for d in "$debs"/*.deb; do
		dpkg-deb --fsys-tarfile "$d" |
			tar -x -C "$C/x" --wildcards '*/modules/*' 2>/dev/null || true
	done
	mroot=$(dirname "$(find "$C/x" -type d -path "*/modules/$KVER/kernel" | head -1)")
	[ -d "$mroot/kernel" ] || { log "no modules for $KVER"; exit 1; }
	depmod -b "${mroot%/lib/modules/$KVER}" "$KVER"
	dep=$mroot/modules.dep
	# path of a module by name, from modules.dep
	mpath() { awk -F: -v m="$1" '{ n = $1; sub(".*/", "", n);
		sub("\\.ko(\\.xz)?$", "", n); gsub("-", "_", n);
		if (n == m) { print $1; exit } }' "$dep"; }
	consumers=$(awk -F: '$2 ~ /\/drivers\/vfio\/vfio\.ko/ { print $1 }' "$dep" |
		while read -r p; do m=$(modname "$p");
			[[ " $OWN " = *" $m "* ]] || echo "$m"; done | tr '\n' ' ')
	: > "$C/img/order"
	# the dependencies of $1 first, then $1 (once each)
	add() {
		local m=$1 p d
		grep -qx "$m" "$C/img/order" && return 0
		p=$(mpath "$m")
		[ -n "$p" ] || { log "module $m not in the image"; exit 1; }
		for d in $(sed -n "s|^$p:||p" "$dep"); do
			[[ " $OWN " = *" $(modname "$d") "* ]] || add "$(modname "$d")"
		done
		echo "$m" >> "$C/img/order"
		if [[ " $consumers " = *" $m "* ]]; then
			xz -dc "$mroot/$p" > "$C/stock/$m.ko"
		else
			xz -dc "$mroot/$p" > "$C/deps/$m.ko"
		fi
	}
	for m in $consumers $(for v in $kvm_vendors; do modname "$v"; done); do
		add "$m"
	done
	for m in $consumers; do
		echo "$m $(mpath "$m")"
	done > "$C/img/consumers"
	# the consumers that need no other consumer
	for m in $consumers; do
		p=$(mpath "$m") other=
		for d in $(sed -n "s|^$p:||p" "$dep"); do
			[[ " $consumers " != *" $(modname "$d") "* ]] || other=1
		done
		[ -n "$other" ] || echo "$m"
	done > "$C/img/direct"
	rm -rf "$C/x" "$C/debs"
	touch "$C/.img-$KVER"
	log "Debian's consumers of vfio: $(echo $consumers)"
fi

# --- the same consumers rebuilt against the patched VFIO ----------------
# enabled CONFIG_X: KDIR's kernel config builds CONFIG_X (=y or =m)
# (no .config: assume it does, and let the build say otherwise)
enabled() { [ ! -e "$KDIR/.config" ] || grep -qE "^$1=[ym]\$" "$KDIR/.config"; }
mkdir -p "$C/patched"
rm -f "$C"/patched/*.ko
while read -r m path; do
	case "$path" in
	*/i915/kvmgt.ko*)
		enabled CONFIG_DRM_I915_GVT_KVMGT || {
			log "$m: CONFIG_DRM_I915_GVT_KVMGT is off in $KDIR: not rebuilt"
			continue; } ;;
	esac
	case "$path" in
	kernel/drivers/vfio/*)
		ko=$KP/drivers/vfio/${path#kernel/drivers/vfio/}
		ko=${ko%.xz}
		[ -e "$ko" ] || { log "$m: not built by Kbuild.oot ($ko)"; exit 1; }
		cp "$ko" "$C/patched/$m.ko" ;;
	*/i915/kvmgt.ko*)
		T=$BUILD/obj/consumers/kvmgt
		I=$T/drivers/gpu/drm/i915
		if [ ! -e "$T/.src-$KVER" ]; then
			rm -rf "$T"; mkdir -p "$T/include/trace"
			tar -xJf "$SRCTAR" -C "$T" --strip-components=1 \
				--wildcards '*/drivers/gpu/drm/i915'
			rm -f "$I/Makefile"
			touch "$T/.src-$KVER"
		fi
		cp "$TOP/drivers/vfio/Kbuild.kvmgt.oot" "$I/Kbuild"
		# the patched headers, timestamps kept: an unchanged series
		# rebuilds nothing
		cp -a "$KP/include/." "$T/include/"
		${KMAKE_WRAP:-} make -s -C "$KDIR" -j"${JOBS:-$(nproc)}" M="$I" \
			KBUILD_EXTRA_SYMBOLS="$KP/drivers/vfio/Module.symvers" modules
		cp "$I/kvmgt.ko" "$C/patched/$m.ko" ;;
	*)
		log "$m ($path) links against vfio.ko and has no rebuild here"
		exit 1 ;;
	esac
done < "$C/img/consumers"

# --- the test VM's extra initramfs --------------------------------------
R=$C/root
rm -rf "$R"
mkdir -p "$R/lib/mods/consumers"
for v in stock patched deps; do
	mkdir -p "$R/lib/mods/consumers/$v"
	for ko in "$C/$v"/*.ko; do
		strip --strip-debug -o "$R/lib/mods/consumers/$v/$(basename "$ko")" "$ko"
	done
done
cp "$C/img/order" "$C/img/direct" "$R/lib/mods/consumers/"
mkdir -p "$R/bin"
install -m755 "$TOP/scripts/vm/vfio-consumers" "$R/bin/vfio-consumers"
mkdir -p "$BUILD/vm"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$BUILD/vm/consumers.cpio"
log "$(cd "$C/patched" && ls | sed 's/\.ko$//' | tr '\n' ' ')rebuilt; $(du -h "$BUILD/vm/consumers.cpio" | cut -f1) VM initramfs"
