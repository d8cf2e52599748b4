#!/usr/bin/env bash
# The long form of tests/engine/fuzzed_images.sh: 1000 rounds of damaged and
# forged images (the suite runs 30). About 20 minutes on two cores.
#
#   tests/stress/fuzzed_images.sh BUILD_DIR [ROUNDS]
#
# Run it as an ordinary user (as root, through tests/run-as-user.sh), from a
# build made by tests/run.sh or cmake.
set -eu
build=${1:?usage: fuzzed_images.sh BUILD_DIR [ROUNDS]}
rounds=${2:-1000}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STASIS_FUZZ_ROUNDS=$rounds STASIS_TEST_BUDGET=$((rounds * 3 + 120)) \
    exec bash "$here/../engine/fuzzed_images.sh" "$build/engine/stasis" "$build/tests/workloads"
