#!/usr/bin/env bash
# The long form of tests/agent/long_run.sh: a job checkpointed every 2 s for
# SECONDS (default 1800: 30 minutes, about 900 generations, all kept, about
# 200 MB in the temporary directory), then resumed from a random one of
# them. The suite runs it for 60 s. Prints the agent's RSS, fd and thread
# figures and the frozen times.
#
#   tests/stress/long_run.sh BUILD_DIR [SECONDS]
#
# Run it as an ordinary user (as root, through tests/run-as-user.sh), from a
# build made by tests/run.sh or cmake.
set -eu
build=${1:?usage: long_run.sh BUILD_DIR [SECONDS]}
seconds=${2:-1800}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STASIS_LONG_RUN_SECONDS=$seconds STASIS_TEST_BUDGET=$((seconds + 600)) \
    exec bash "$here/../agent/long_run.sh" "$build/engine/stasis" "$build/tests/workloads"
