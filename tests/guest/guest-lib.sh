#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Sourced by the nested guest's scripts: the root disk (Debian sid with
# igt-gpu-tools, made by scripts/setup-sid.sh) and igt runs in it.
ROOT=/newroot
IGT=/usr/libexec/igt-gpu-tools

# mount_root: the root disk read-only at $ROOT, writable tmpfs where igt
# writes, the kernel's file systems bound in; 0 if there is one
mount_root() {
	for m in crc16 mbcache jbd2 crc32c_generic ext4 virtio_blk; do
		insmod /lib/mods/$m.ko 2>/dev/null
	done
	i=0
	while [ ! -e /dev/vda ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	mount -o ro /dev/vda $ROOT || return 1
	for d in proc sys dev; do
		mount --rbind /$d $ROOT/$d
	done
	mount -t tmpfs tmp $ROOT/tmp
	mount -t tmpfs run $ROOT/run
	echo "GUEST root: $(cat $ROOT/etc/debian_version) igt $(chroot $ROOT dpkg-query -W -f '${Version}' igt-gpu-tools-tests)"
}

# igt TEST [SUBTESTS]: one igt test binary (its SUBTESTS, a comma list,
# or all), in the sid root; its results and skip reasons on our output,
# the whole log in /tmp/igt/TEST.log
igt() {
	t=$1 sub=${2:-}
	mkdir -p /tmp/igt
	if [ -n "$sub" ]; then
		chroot $ROOT $IGT/$t --run-subtest "$sub" > /tmp/igt/$t.log 2>&1
	else
		chroot $ROOT $IGT/$t > /tmp/igt/$t.log 2>&1
	fi
	rc=$?
	grep -aE '^(Subtest |Dynamic subtest |(SUCCESS|SKIP|FAIL|CRASH) \()|Test requirement|Test assertion failure|Failed assertion|error: |Last errno|Received signal' \
		/tmp/igt/$t.log | sed "s/^/IGT $t: /" | head -200
	echo "IGT-END $t rc=$rc"
	return $rc
}

# igt_list FILE: every "TEST [SUBTESTS]" line of FILE
igt_list() {
	grep -v '^#' "$1" | while read -r t s; do
		[ -n "$t" ] && igt "$t" "$s"
	done
}
