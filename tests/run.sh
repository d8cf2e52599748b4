#!/usr/bin/env bash
# tests/run.sh [CTEST_ARGS...]: the project's test command.
#
# Installs the dependencies (deploy/install-deps.sh), configures and builds
# into build/ with warnings as errors, then runs ctest as an ordinary user
# (stasis-test when started as root, see tests/run-as-user.sh), then, as
# root, the tests labelled "root", and exits with ctest's status. Extra
# arguments go to ctest, e.g. `tests/run.sh -R roundtrip`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/run-as-user.sh
source "$ROOT/tests/run-as-user.sh"
umask 022

echo "== dependencies"
bash "$ROOT/deploy/install-deps.sh"

SRC=$ROOT
if ! test_user_can_read "$ROOT" tests/run.sh; then
    # The checkout is not reachable by the test user (e.g. under /root):
    # build and test a readable copy of it instead.
    SRC=$(mktemp -d /tmp/stasis-src.XXXXXX)
    trap 'rm -rf "$SRC"' EXIT
    echo "== $ROOT is not readable by $STASIS_TEST_USER: testing a copy in $SRC"
    tar -C "$ROOT" --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -C "$SRC" -xf -
    chmod -R a+rX "$SRC"
fi
BUILD=$SRC/build

echo "== configure and build ($BUILD)"
cmake -S "$SRC" -B "$BUILD" -DSTASIS_WERROR=ON
cmake --build "$BUILD" -j2

if (($(id -u) == 0)); then
    ensure_test_user
    mkdir -p "$BUILD/Testing"
    chown -R "$STASIS_TEST_USER": "$BUILD/Testing"
fi

runner=$(id -un)
(($(id -u) != 0)) || runner=$STASIS_TEST_USER
echo "== tests (as $runner)"
cd "$BUILD"
set +e
as_test_user ctest --test-dir "$BUILD" --output-on-failure -j2 --no-tests=error -LE root "$@"
rc=$?
if (($(id -u) == 0)); then
    # What only root may do (restore original pids) is tested as root.
    echo "== tests that need root"
    ctest --test-dir "$BUILD" --output-on-failure --no-tests=ignore -L root "$@"
    root_rc=$?
    ((rc != 0)) || rc=$root_rc
fi
set -e
exit "$rc"
