#!/usr/bin/env bash
# run-as-user.sh: run a command as an ordinary (non-root) user.
#
#   tests/run-as-user.sh CMD [ARG...]
#
# stasis checkpoints a user's own processes as that user, and its tests must
# run that way. As root this creates the user "stasis-test" (useradd -m) if
# it does not exist and runs CMD as that user through runuser, with a plain
# PATH and TMPDIR=/tmp; as any other user it runs CMD as it is.
# Sourced, it only defines STASIS_TEST_USER and the functions below.

STASIS_TEST_USER=${STASIS_TEST_USER:-stasis-test}

# ensure_test_user: create the test user if it is missing (root only).
ensure_test_user() {
    (($(id -u) == 0)) || return 0
    if ! id -u "$STASIS_TEST_USER" >/dev/null 2>&1; then
        echo "run-as-user: creating user $STASIS_TEST_USER"
        useradd -m -s /bin/bash "$STASIS_TEST_USER"
    fi
}

# as_test_user CMD...: run CMD as the test user when root, else as is.
as_test_user() {
    if (($(id -u) != 0)); then
        "$@"
        return
    fi
    ensure_test_user
    runuser -u "$STASIS_TEST_USER" -- \
        env PATH=/usr/local/bin:/usr/bin:/bin TMPDIR=/tmp LC_ALL=C.UTF-8 "$@"
}

# test_user_can_read DIR FILE: the test user can reach DIR and read DIR/FILE.
test_user_can_read() {
    (($(id -u) == 0)) || return 0
    ensure_test_user
    runuser -u "$STASIS_TEST_USER" -- test -x "$1" -a -r "$1/$2"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    if (($# == 0)); then
        echo "usage: $0 CMD [ARG...]" >&2
        exit 2
    fi
    as_test_user "$@"
fi
