#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make soak`: long randomized runs in one boot of the test VM, on the
# patched modules with the fine-grained vGPU: the vGPU torture tester
# (tests/vgpu/vgpu_torture.c) for SOAK_TIME seconds (default 1800), then
# the series' model-checked tester (tests/selftests/dirty_model_test.c)
# for SOAK_MODEL_TIME seconds (default 600), both with one fresh seed;
# SOAK_SEED repeats a run.  Any failed invariant, WARN, BUG, KASAN or
# lockdep line fails it; the seed to repeat it is printed first.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
t=${SOAK_TIME:-1800}
mt=${SOAK_MODEL_TIME:-600}
seed=${SOAK_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "soak: seed $seed, ${t} s + ${mt} s (repeat: SOAK_SEED=$seed SOAK_TIME=$t SOAK_MODEL_TIME=$mt make soak)"
"$TOP/scripts/vm/run.sh" -m 2G -t $((t + mt + 600)) -l "$BUILD/soak" -- \
	"vfio-mods patched && /tests/vgpu_torture -t $t -s $seed &&
	 /tests/dirty_model_test -t $mt -s $seed"
