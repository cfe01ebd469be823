#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the nested guest: the guest driver's own test (svgpu_check), then the
# canned workloads played through it by svgpu-wsim, a few frames each.
cd /tests || exit 2
rc=0
./svgpu_check || rc=1
wsim() {	# ARGS...: one workload run, one TAP line
	if ./svgpu-wsim -e 5 -w 256 "$@"; then
		echo "ok - svgpu-wsim $*"
	else
		echo "not ok - svgpu-wsim $*"
		rc=1
	fi
}
for wl in render compute random-write scanout idle; do
	wsim -f 10 -n workloads/$wl.wl
done
wsim -f 10 -n -s 8 workloads/cloud-gaming-60fps.wl
exit $rc
