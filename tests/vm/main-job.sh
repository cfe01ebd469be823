#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The in-VM part of `make run` (scripts/main-job.sh):
#   main-job.sh WORKLOAD [VGPU-MIGRATE OPTIONS...]
# Per module set (patched with the fine-grained vGPU, then stock with the
# vGPU built for it) create two sample vGPU instances through sysfs, of the
# smallest type the workload fits (vgpu-migrate --pick-type), live-migrate
# WORKLOAD (workloads/WORKLOAD.wl) between them with vgpu-migrate and print
# its JSON between "@@JSON LABEL" and "@@END".
# Exit status: non-zero if a migration or a module load failed.
cd /tests || exit 1
wl=$1
shift
args=$*	# vgpu-migrate's options: no blanks inside one
types=/sys/class/mdev_bus/sample_vgpu/mdev_supported_types

one() {	# LABEL MODULES
	vfio-mods "$2" || return 1
	# shellcheck disable=SC2086
	t=$(./vgpu-migrate $args --pick-type "workloads/$wl.wl") || return 1
	S=$(cat /proc/sys/kernel/random/uuid) D=$(cat /proc/sys/kernel/random/uuid)
	echo "$S" > "$types/$t/create" && echo "$D" > "$types/$t/create" ||
		return 1
	echo "@@ $1: created $t mdevs $S $D through sysfs"
	# shellcheck disable=SC2086
	./vgpu-migrate $args --src "$S" --dst "$D" -l "$1" -j "/tmp/$1.json" \
		"workloads/$wl.wl"
	rc=$?
	echo 1 > "/sys/bus/mdev/devices/$S/remove"
	echo 1 > "/sys/bus/mdev/devices/$D/remove"
	echo "@@JSON $1"; cat "/tmp/$1.json"; echo '@@END'
	vfio-mods unload
	return $rc
}

one fine-grained patched; a=$?
one stock stock; b=$?
[ $a = 0 ] && [ $b = 0 ]
