#!/usr/bin/env bash
# demo-engine.sh: the engine alone, without a scheduler: build stasis and
# show a running program being checkpointed, killed and restored, carrying
# on to the right answer. (demo.sh tells the whole story on Slurm.)
#
#   sudo ./demo-engine.sh (on a fresh Debian 12; installs what it needs)
#   ./demo-engine.sh      (as an ordinary user, once the dependencies are there)
#
# As root, the demo itself runs as the ordinary user "stasis-test": stasis
# checkpoints a user's own processes as that user.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }

# shellcheck source=tests/clean-exec.sh
source "$(dirname "${BASH_SOURCE[0]}")/tests/clean-exec.sh"

demo() {
    local build=$1
    local stasis=$build/engine/stasis
    local prog=$build/tests/workloads/single_thread
    local n_dump n_kill rc
    # global: the EXIT trap needs them after demo() has returned
    d=$(mktemp -d "${TMPDIR:-/tmp}/stasis-demo.XXXXXX")
    pid=
    ref_pid=
    trap 'kill -KILL $pid $ref_pid 2>/dev/null || true; rm -rf "$d"' EXIT

    say "1. Start a program that computes for about 4 seconds, one line per step"
    note "$prog 200 15 > out.txt   (runs as $(id -un), pid shown below)"
    clean_exec "$prog" 200 15 </dev/null >"$d/out.txt" 2>&1 &
    pid=$!
    # The same program, undisturbed, to compare with at the end.
    clean_exec "$prog" 200 15 </dev/null >"$d/reference.txt" 2>&1 &
    ref_pid=$!
    note "pid $pid; waiting until it has done 60 steps..."
    until (($(grep -c '' "$d/out.txt") >= 61)); do sleep 0.05; done
    tail -n 2 "$d/out.txt" | sed 's/^/   | /'

    say "2. Checkpoint it while it runs: stasis dump --pid $pid --dir image --leave-running"
    "$stasis" dump --pid "$pid" --dir "$d/image" --leave-running
    n_dump=$(grep -c '' "$d/out.txt")
    note "checkpoint taken at about line $n_dump; the program keeps running"
    # shellcheck disable=SC2012 # the image's own file names
    ls -l "$d/image" | sed 's/^/   | /'

    say "3. What is in the image: stasis info --dir image"
    "$stasis" info --dir "$d/image" >"$d/info.txt"
    if (($(grep -c '' "$d/info.txt") > 16)); then
        head -n 12 "$d/info.txt" | sed 's/^/   | /'
        echo "   | ..."
        tail -n 2 "$d/info.txt" | sed 's/^/   | /'
    else
        sed 's/^/   | /' "$d/info.txt"
    fi
    "$stasis" verify --dir "$d/image" && note "stasis verify: every checksum matches"

    say "4. Now the program dies (kill -9, as if its node was lost)"
    sleep 0.5
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    n_kill=$(grep -c '' "$d/out.txt")
    note "killed at line $n_kill, before its result:"
    tail -n 1 "$d/out.txt" | sed 's/^/   | /'

    say "5. Restore it from the checkpoint: stasis restore --dir image"
    note "it gets back its memory, registers and open files (out.txt at its offset),"
    note "goes on from the checkpoint, and stasis restore exits with its exit status"
    set +e
    clean_exec "$stasis" restore --dir "$d/image" </dev/null &
    wait $!
    rc=$?
    set -e
    note "restored program exited with status $rc"
    tail -n 3 "$d/out.txt" | sed 's/^/   | /'

    say "6. Compare with the same program run without interruption"
    wait "$ref_pid" 2>/dev/null || true
    if cmp -s "$d/reference.txt" "$d/out.txt"; then
        note "identical: $(grep -c '' "$d/out.txt") lines, same result:"
        grep '^result' "$d/reference.txt" | sed 's/^/   | /'
        say "Done: the program carried on from where it was to the correct answer."
    else
        note "DIFFERENT from the uninterrupted run:"
        diff "$d/reference.txt" "$d/out.txt" | head -20 | sed 's/^/   | /'
        return 1
    fi
}

if [[ ${1:-} == --run ]]; then
    demo "$2"
    exit
fi

# shellcheck source=tests/run-as-user.sh
source "$ROOT/tests/run-as-user.sh"
umask 022

say "Installing dependencies (deploy/install-deps.sh)"
bash "$ROOT/deploy/install-deps.sh"

SRC=$ROOT
if ! test_user_can_read "$ROOT" demo-engine.sh; then
    SRC=$(mktemp -d /tmp/stasis-src.XXXXXX)
    trap 'rm -rf "$SRC"' EXIT
    note "$ROOT is not readable by $STASIS_TEST_USER: building a copy in $SRC"
    tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$SRC" -xf -
    chmod -R a+rX "$SRC"
fi

say "Building stasis (cmake, into $SRC/build)"
cmake -S "$SRC" -B "$SRC/build" -DSTASIS_WERROR=ON >/dev/null
cmake --build "$SRC/build" -j2 2>&1 | grep -E 'error|warning|Built target stasis' || true
[[ -x $SRC/build/engine/stasis ]] || { echo "build failed" >&2; exit 1; }

cd "$SRC"
as_test_user bash "$SRC/demo-engine.sh" --run "$SRC/build"
