#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the nested guest: the igt-gpu-tools list (igt-tests) in the sid root.
. /tests/guest-lib.sh
mount_root || { echo "GUEST no root disk"; exit 1; }
igt_list /tests/igt-tests
exit 0
