#!/usr/bin/env bash
# The long form of tests/agent/disk_full_real.sh: RUNS checkpoints (default
# 20) failed at random points by a full tmpfs (ENOSPC), and as many by an
# exceeded quota (EDQUOT); the suite runs 10 of each.
#
#   tests/stress/disk_full.sh BUILD_DIR [RUNS]
#
# Run it as root (it mounts; the job and its agent run as the test user),
# from a build made by tests/run.sh or cmake.
set -eu
build=${1:?usage: disk_full.sh BUILD_DIR [RUNS]}
runs=${2:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for mode in enospc edquot; do
    STASIS_DISK_FULL_RUNS=$runs STASIS_TEST_BUDGET=$((runs * 10 + 120)) \
        bash "$here/../agent/disk_full_real.sh" "$build/engine/stasis" "$build/tests/workloads" "$mode"
done
