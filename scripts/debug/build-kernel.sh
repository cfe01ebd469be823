#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh [debug|iommufd]: build (or reuse) the debug kernel for
# `make check-debug`, or (iommufd) the kernel with iommufd, the VFIO device
# cdev and the legacy container for `make e2e-modern`.
#
# Extracts the whole linux-source-6.12 tarball into $DEBUG_DIR/linux (default
# build-debug/linux, ignored by git), configures x86_64_defconfig +
# kvm_guest.config + scripts/debug/debug.config (KASAN, lockdep, kmemleak,
# DEBUG_LIST, fault injection, VFIO=m with the legacy container, IOMMUFD=y)
# and runs `make bzImage modules`.  The iommufd kernel: the same in
# $IOMMUFD_DIR (default build-iommufd/linux) with scripts/debug/iommufd.config,
# every option of which is checked.  A stamp of the source package version
# and the config fragment lets a second run reuse the tree; a changed
# fragment reconfigures the extracted tree and runs make in it (incremental).
# Prints the tree's path on the last line of stdout.
#
# Environment: DEBUG_DIR, IOMMUFD_DIR, JOBS (default 2: the machines are shared),
# FORCE=1 (rebuild even if the stamp matches).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
FLAVOUR=${1:-debug}
JOBS=${JOBS:-2}
SRCTAR=/usr/src/linux-source-6.12.tar.xz
case "$FLAVOUR" in
debug)	DEBUG_DIR=${DEBUG_DIR:-$TOP/build-debug} ;;
iommufd) DEBUG_DIR=${IOMMUFD_DIR:-$TOP/build-iommufd} ;;
*)	echo "usage: $0 [debug|iommufd]" >&2; exit 2 ;;
esac
FRAG=$TOP/scripts/debug/$FLAVOUR.config
log() { echo "$FLAVOUR-kernel: $*" >&2; }

mkdir -p "$DEBUG_DIR"
DEBUG_DIR=$(cd "$DEBUG_DIR" && pwd)
# Keep the whole output out of git without touching the top .gitignore.
[ -e "$DEBUG_DIR/.gitignore" ] || echo '*' > "$DEBUG_DIR/.gitignore"
K=$DEBUG_DIR/linux

# Kernel build dependencies the project's setup does not install.
missing=()
for p in flex bison libelf-dev libssl-dev bc build-essential cpio xz-utils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
fi
[ -e "$SRCTAR" ] || { log "$SRCTAR missing: run 'make' first (installs linux-source-6.12)"; exit 1; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %Y "$SRCTAR")
cfgsum=$( (echo "$srcver"; cat "$FRAG") | sha1sum | cut -c1-16)

# --- source ----------------------------------------------------------------
if [ ! -e "$K/.src-$srcver" ]; then
	log "extracting $SRCTAR ($srcver) into $K"
	rm -rf "$K" "$K.tmp"
	mkdir -p "$K.tmp"
	tar -xJf "$SRCTAR" -C "$K.tmp" --strip-components=1
	touch "$K.tmp/.src-$srcver"
	mv "$K.tmp" "$K"
fi

if [ "${FORCE:-0}" != 1 ] && [ -e "$K/.built-$cfgsum" ] &&
   [ -e "$K/arch/x86/boot/bzImage" ] && [ -e "$K/Module.symvers" ]; then
	log "reusing $K ($(cat "$K/include/config/kernel.release"))"
	echo "$K"
	exit 0
fi
rm -f "$K"/.built-*

# --- config ------------------------------------------------------------------
log "configuring (x86_64_defconfig + kvm_guest.config + $FLAVOUR.config)"
make -s -C "$K" x86_64_defconfig >&2
make -s -C "$K" kvm_guest.config >&2
(cd "$K" && ./scripts/kconfig/merge_config.sh -m .config "$FRAG" >/dev/null)
make -s -C "$K" olddefconfig >&2
# Options that must have come out as asked (Kconfig silently drops what a
# dependency forbids).
checks() {	# debug: the list below; any other fragment: all its options
	if [ "$FLAVOUR" != debug ]; then
		sed -n -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' \
			-e '/^CONFIG_/p' "$FRAG"
		return
	fi
	cat <<'EOF'
CONFIG_MODULES=y
CONFIG_MODULE_SIG=n
CONFIG_MODVERSIONS=n
CONFIG_DEVTMPFS=y
CONFIG_DEVTMPFS_MOUNT=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_VFIO=m
CONFIG_VFIO_GROUP=y
CONFIG_VFIO_CONTAINER=y
CONFIG_VFIO_IOMMU_TYPE1=m
CONFIG_VFIO_VIRQFD=y
CONFIG_IOMMUFD=y
CONFIG_IOMMUFD_DRIVER=y
CONFIG_IOMMUFD_VFIO_CONTAINER=n
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF=n
CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN=n
CONFIG_DEBUG_LIST=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAILSLAB=y
CONFIG_FAIL_PAGE_ALLOC=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_FAULT_INJECTION_USERCOPY=y
CONFIG_DEBUG_FS=y
CONFIG_USERFAULTFD=y
EOF
}
bad=0
while read -r want; do
	case "$want" in ''|'#'*) continue ;; esac
	have=$(grep -E "^(# )?${want%%=*}[= ]" "$K/.config" || true)
	case "$want" in
	*=n) [ -z "$have" ] || [ "${have#\# }" != "$have" ] || { log "want $want, have $have"; bad=1; } ;;
	*) [ "$have" = "$want" ] || { log "want $want, have '${have:-unset}'"; bad=1; } ;;
	esac
done < <(checks)
[ $bad = 0 ] || { log "config does not match scripts/debug/$FLAVOUR.config"; exit 1; }

# --- build -------------------------------------------------------------------
log "make -j$JOBS bzImage modules ($(cat "$K/include/config/kernel.release" 2>/dev/null || echo 6.12))"
t0=$(date +%s)
nice make -s -C "$K" -j"$JOBS" bzImage modules >&2
t1=$(date +%s)
echo "$((t1 - t0))" > "$DEBUG_DIR/kernel-build-seconds"
touch "$K/.built-$cfgsum"
log "built in $((t1 - t0))s: $K/arch/x86/boot/bzImage"
echo "$K"
