#!/usr/bin/env bash
# The long form of tests/agent/killed_guard.sh: 100 kills of `stasis run`
# at random moments of its checkpoints (the suite makes 10).
#
#   tests/stress/killed_guard.sh BUILD_DIR [KILLS]
#
# Run it as an ordinary user (as root, through tests/run-as-user.sh), from a
# build made by tests/run.sh or cmake.
set -eu
build=${1:?usage: killed_guard.sh BUILD_DIR [KILLS]}
kills=${2:-100}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STASIS_KILL_ROUNDS=$kills STASIS_TEST_BUDGET=$((kills * 8 + 120)) \
    exec bash "$here/../agent/killed_guard.sh" "$build/engine/stasis" "$build/tests/workloads"
