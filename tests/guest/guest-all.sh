#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the nested guest: guest-check.sh (svgpu_check, the workloads through
# svgpu-wsim), then guest-igt.sh (igt-gpu-tools from the sid root), in one
# boot.
rc=0
sh /tests/guest-check.sh || rc=1
sh /tests/guest-igt.sh || rc=1
exit $rc
