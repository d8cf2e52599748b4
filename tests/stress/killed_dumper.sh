#!/usr/bin/env bash
# The long form of tests/engine/killed_dumper.sh: 100 kills of
# `stasis dump --leave-running` at random moments (the suite makes 20).
#
#   tests/stress/killed_dumper.sh BUILD_DIR [KILLS]
#
# Run it as an ordinary user (as root, through tests/run-as-user.sh), from a
# build made by tests/run.sh or cmake.
set -eu
build=${1:?usage: killed_dumper.sh BUILD_DIR [KILLS]}
kills=${2:-100}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STASIS_KILL_ROUNDS=$kills STASIS_TEST_BUDGET=$((kills * 2 + 120)) \
    exec bash "$here/../engine/killed_dumper.sh" "$build/engine/stasis" "$build/tests/workloads"
