# shellcheck shell=bash
# lib.sh: helpers for the engine integration tests.
#
# A test script starts with
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# and is run as   TEST.sh STASIS_BINARY WORKLOAD_DIR   (ctest does this).
#
# Every wait has a deadline; every process a test starts is killed when the
# test ends, by pid. Environment knobs:
#   STASIS_TEST_SEED=N    seed for the random dump moments (printed by each test)
#   STASIS_TEST_KEEP=1    keep the temporary directory (images, outputs, logs)
#   STASIS_TEST_PYTHON    python interpreter for py_loop.py (default /usr/bin/python3)
#   STASIS_TEST_ROUNDS=N  dump/restore rounds in the roundtrip tests
#   STASIS_TEST_BUDGET=S  seconds the whole test may take (default 110, under
#                         ctest's TIMEOUT of 120, so a hang fails with logs)

set -uo pipefail

STASIS=${1:?usage: $0 STASIS_BINARY WORKLOAD_DIR}
WORKLOADS=${2:?usage: $0 STASIS_BINARY WORKLOAD_DIR}
TEST_NAME=$(basename "$0" .sh)

[[ -x $STASIS ]] || { echo "FAIL: stasis binary not found or not executable: $STASIS"; exit 1; }
[[ -d $WORKLOADS ]] || { echo "FAIL: workload directory not found: $WORKLOADS"; exit 1; }
STASIS=$(cd "$(dirname "$STASIS")" && pwd)/$(basename "$STASIS")
WORKLOADS=$(cd "$WORKLOADS" && pwd)

if [[ -n ${STASIS_TEST_PYTHON:-} ]]; then
    PYTHON=$STASIS_TEST_PYTHON
elif [[ -x /usr/bin/python3 ]]; then
    PYTHON=/usr/bin/python3
else
    PYTHON=$(command -v python3 || echo python3)
fi

TEST_DEADLINE=$((SECONDS + ${STASIS_TEST_BUDGET:-110}))

SEED=${STASIS_TEST_SEED:-$(( ($$ * 7919 + $(date +%s)) % 32768 ))}
RANDOM=$SEED

T=$(mktemp -d "${TMPDIR:-/tmp}/stasis-$TEST_NAME.XXXXXX") || { echo "FAIL: mktemp -d failed"; exit 1; }
LOGS=$T/logs
mkdir -p "$LOGS"

STARTED_PIDS=()   # processes this test started (and so may kill)
RUN_AS=()         # a prefix that runs stasis and the workloads as another user (a root test)
AT_CLEANUP=()     # functions run once the test's processes are gone (unmounts)
PIDFILES=()       # pidfiles of detached restored processes
FAILURES=0
LAST_RC=0
LAST_LOG=

log() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }

# Print the stderr of every stasis command run so far.
show_logs() {
    local f
    for f in "$LOGS"/*.err; do
        [[ -e $f ]] || continue
        echo "---- stderr of stasis ${f##*/} (exit ${LAST_RCS[${f##*/}]:-?}):"
        head -c 4000 "$f"
    done
}
declare -A LAST_RCS=()

# fail MESSAGE: stop the test now.
fail() {
    echo "FAIL: $*"
    show_logs
    exit 1
}

# check_fail MESSAGE: note a failure and go on (see finish).
check_fail() {
    echo "FAIL: $*"
    FAILURES=$((FAILURES + 1))
}

# finish: end a test that uses check_fail.
finish() {
    if ((FAILURES > 0)); then
        echo "$FAILURES check(s) failed"
        show_logs
        exit 1
    fi
    log "PASS"
    exit 0
}

# proc_state PID [TID]: state letter (R, S, D, T, t, Z ...) of the process, or
# of its thread TID; empty if there is no such process.
proc_state() {
    local line
    line=$(cat "/proc/$1${2:+/task/$2}/stat" 2>/dev/null) || return 0
    line=${line##*) }
    echo "${line%% *}"
}

# alive PID: the process exists and is not a zombie.
alive() {
    local st
    st=$(proc_state "$1")
    [[ -n $st && $st != Z && $st != X ]]
}

# All descendants of PID (children first lists), from /proc/PID/task/*/children.
descendants() {
    local p c
    for p in "$@"; do
        # shellcheck disable=SC2013 # the file is a list of pids separated by spaces
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
            descendants "$c"
            echo "$c"
        done
    done
}

# kill_tree PID...: SIGKILL the given processes and all their descendants.
kill_tree() {
    local p all=()
    for p in "$@"; do
        [[ -n $p ]] || continue
        mapfile -t -O "${#all[@]}" all < <(descendants "$p")
        all+=("$p")
    done
    for p in "${all[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
    # Reap our own children now, so bash does not report them as "Killed".
    for p in "${all[@]}"; do
        wait "$p" 2>/dev/null
    done
    return 0
}

cleanup() {
    local p f
    trap - EXIT
    for f in "${PIDFILES[@]}"; do
        p=$(cat "$f" 2>/dev/null) || continue
        [[ $p =~ ^[0-9]+$ ]] && alive "$p" && kill_tree "$p"
    done
    for p in "${STARTED_PIDS[@]}"; do
        alive "$p" && kill_tree "$p"
    done
    wait 2>/dev/null
    for f in "${AT_CLEANUP[@]}"; do
        "$f"
    done
    if [[ ${STASIS_TEST_KEEP:-0} == 1 ]]; then
        echo "kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted"; exit 1' INT TERM

log "seed=$SEED (set STASIS_TEST_SEED=$SEED to repeat the same dump delays), tmp=$T"

# shellcheck source=tests/clean-exec.sh
source "$(dirname "${BASH_SOURCE[0]}")/../clean-exec.sh"

# budget SECS: SECS, or less if the test's time budget (STASIS_TEST_BUDGET)
# ends sooner; at least 1.
budget() {
    local left=$((TEST_DEADLINE - SECONDS))
    ((left >= 1)) || left=1
    echo $(($1 < left ? $1 : left))
}

# run_timeout SECS OUT ERR CMD...: run CMD as a child with only fds 0-2, stdin
# /dev/null, stdout to OUT and stderr to ERR, and wait at most SECS seconds.
# Returns its exit status, or 124 after killing it and its descendants.
run_timeout() {
    local secs=$1 out=$2 err=$3 pid deadline
    shift 3
    ((SECONDS < TEST_DEADLINE)) ||
        fail "the test used up its time budget (STASIS_TEST_BUDGET=${STASIS_TEST_BUDGET:-110} s) before: $*"
    secs=$(budget "$secs")
    clean_exec "${RUN_AS[@]}" "$@" </dev/null >"$out" 2>"$err" &
    pid=$!
    STARTED_PIDS+=("$pid")
    deadline=$((SECONDS + secs))
    while alive "$pid"; do
        if ((SECONDS >= deadline)); then
            kill_tree "$pid"
            wait "$pid" 2>/dev/null
            return 124
        fi
        sleep 0.05
    done
    wait "$pid"
}

# stasis NAME SECS ARGS...: run "stasis ARGS" with stdin from /dev/null,
# stdout to $LOGS/NAME.out and stderr to $LOGS/NAME.err. Sets LAST_RC and
# LAST_LOG (the .err file). Never fails the test by itself.
stasis() {
    local name=$1 secs=$2
    shift 2
    LAST_LOG=$LOGS/$name.err
    run_timeout "$secs" "$LOGS/$name.out" "$LAST_LOG" "$STASIS" "$@"
    LAST_RC=$?
    LAST_RCS[$name.err]=$LAST_RC
    if ((LAST_RC == 124)); then
        echo "stasis $* did not finish in time (killed)" >>"$LAST_LOG"
    fi
    return 0
}

# expect_ok WHAT: the last stasis command must have exited 0.
expect_ok() {
    if ((LAST_RC != 0)); then
        fail "$1: stasis exited $LAST_RC: $(head -c 2000 "$LAST_LOG")"
    fi
}

# check_error WHAT RC REGEX: the last stasis command must have exited RC with
# exactly one stderr line, starting "stasis: " and matching REGEX
# (extended, case-insensitive). Records a failure (check_fail) otherwise.
check_error() {
    local what=$1 want=$2 re=$3 n err
    err=$(cat "$LAST_LOG")
    n=$(grep -c '' "$LAST_LOG")
    if ((LAST_RC != want)); then
        check_fail "$what: expected exit $want, got $LAST_RC; stderr: $err"
        return 1
    fi
    if ((want == 2)); then
        log "ok: $what (exit 2)"
        return 0
    fi
    if ((n != 1)); then
        check_fail "$what: expected exactly one stderr line, got $n: $err"
        return 1
    fi
    if [[ $err != "stasis: "* ]]; then
        check_fail "$what: stderr line does not start with 'stasis: ': $err"
        return 1
    fi
    if ! grep -Eiq -- "$re" "$LAST_LOG"; then
        check_fail "$what: stderr does not name the problem (expected /$re/): $err"
        return 1
    fi
    log "ok: $what -> $err"
    return 0
}

# --- workloads -------------------------------------------------------------

# workload_cmd NAME WORKDIR: set WL_CMD to the command line of workload NAME.
# WORKDIR is where a workload that creates files keeps them.
# Lengths are chosen for 3-6 s runs on a 2-core machine.
workload_cmd() {
    case $1 in
        single) WL_CMD=("$WORKLOADS/single_thread" 200 15) ;;
        single_long) WL_CMD=("$WORKLOADS/single_thread" 2000 15) ;;
        threads) WL_CMD=("$WORKLOADS/threads" 200 4 15) ;;
        amx) WL_CMD=("$WORKLOADS/amx_tiles" 120 25) ;;
        heat) WL_CMD=("$WORKLOADS/heat_field" 60 25) ;;
        memory_kinds) WL_CMD=("$WORKLOADS/memory_kinds" "$2" 150 25) ;;
        event_fds) WL_CMD=("$WORKLOADS/event_fds" 40) ;;
        timers) WL_CMD=("$WORKLOADS/timers" 120) ;;
        inotify) WL_CMD=("$WORKLOADS/inotify_watch" "$2" 40) ;;
        python) WL_CMD=("$PYTHON" "$WORKLOADS/py_loop.py" 120 200 20) ;;
        python_big) WL_CMD=("$PYTHON" "$WORKLOADS/py_loop.py" 2000 600 20) ;;
        *) fail "unknown workload $1" ;;
    esac
}

# Lines a workload prints before it is worth dumping: its setup is done and
# it has printed a step or two (py_loop prints "built ..." as line 2).
workload_ready_lines() { echo 3; }

# start_workload OUT CMD...: start CMD in the background, stdin /dev/null,
# stdout to OUT, stderr to OUT.err. Sets WL_PID.
start_workload() {
    local out=$1
    shift
    clean_exec "$@" </dev/null >"$out" 2>"$out.err" &
    WL_PID=$!
    STARTED_PIDS+=("$WL_PID")
}

# run_reference NAME DIR: run workload NAME uninterrupted, output to DIR/out.
run_reference() {
    mkdir -p "$2"
    workload_cmd "$1" "$2"
    run_built_reference "$1" "$2"
}

# run_built_reference NAME DIR: run WL_CMD (workload NAME, already built for
# DIR) uninterrupted, stdout to DIR/out; it must exit 0 and print a result
# line.
run_built_reference() {
    local name=$1 dir=$2 rc
    log "reference run: ${WL_CMD[*]}"
    run_timeout 90 "$dir/out" "$dir/out.err" "${WL_CMD[@]}"
    rc=$?
    ((rc == 0)) || fail "reference run of $name exited $rc: $(tail -5 "$dir/out.err")"
    grep -q '^result ' "$dir/out" || fail "reference run of $name printed no result line"
}

# line_count FILE: number of lines (a last line without newline counts).
line_count() {
    local n
    n=$(grep -c '' "$1" 2>/dev/null)
    echo "${n:-0}"
}

# wait_lines FILE N SECS PID: wait until FILE has N lines (PID must stay alive).
wait_lines() {
    local file=$1 want=$2 secs=$3 pid=$4 deadline
    secs=$(budget "$secs")
    deadline=$((SECONDS + secs))
    while (($(line_count "$file") < want)); do
        alive "$pid" || fail "workload (pid $pid) ended before printing $want lines: $(tail -3 "$file.err" 2>/dev/null)"
        ((SECONDS < deadline)) || fail "workload (pid $pid) printed fewer than $want lines in ${secs}s"
        sleep 0.05
    done
}

# wait_progress FILE SECS PID: wait until FILE grows by at least one line.
wait_progress() {
    local file=$1 secs=$2 pid=$3 n deadline
    secs=$(budget "$secs")
    n=$(line_count "$file")
    deadline=$((SECONDS + secs))
    while (($(line_count "$file") <= n)); do
        alive "$pid" || return 1
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
    return 0
}

# random_sleep [MIN_MS MAX_MS]: sleep a random time, default 0.2-1.5 s.
# shellcheck disable=SC2120 # test scripts pass the arguments
random_sleep() {
    local lo=${1:-200} hi=${2:-1500} ms
    ms=$((lo + RANDOM % (hi - lo + 1)))
    log "sleeping ${ms} ms before the dump"
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# wait_random_line FILE MIN MAX PID: wait until FILE holds a random number of
# lines in [MIN, MAX] (the workload's progress, not the clock, picks the
# moment of the dump).
wait_random_line() {
    local file=$1 lo=$2 hi=$3 pid=$4 n
    n=$((lo + RANDOM % (hi - lo + 1)))
    log "waiting for line $n before the dump"
    wait_lines "$file" "$n" 60 "$pid"
}

# wait_child PID SECS: wait for a child of this shell to end; sets CHILD_RC
# (124 if it is still running after SECS seconds).
wait_child() {
    local pid=$1 secs=$2 deadline
    secs=$(budget "$secs")
    deadline=$((SECONDS + secs))
    while alive "$pid"; do
        if ((SECONDS >= deadline)); then
            CHILD_RC=124
            return 1
        fi
        sleep 0.05
    done
    wait "$pid" 2>/dev/null
    CHILD_RC=$?
    return 0
}

# wait_gone PID SECS: wait for a process that is not our child to end.
wait_gone() {
    local pid=$1 secs=$2 deadline
    secs=$(budget "$secs")
    deadline=$((SECONDS + secs))
    while alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
    return 0
}

# not_traced_or_stopped PID: the process is running normally (not stopped
# nor held by a tracer).
not_traced_or_stopped() {
    local st tracer
    st=$(proc_state "$1")
    tracer=$(awk '/^TracerPid:/ {print $2}' "/proc/$1/status" 2>/dev/null)
    [[ -n $st && $st != T && $st != t && $st != Z && ${tracer:-0} == 0 ]]
}

# wait_released PID SECS: wait until PID runs on, neither traced nor stopped.
# Returns 1 when SECS pass first, 2 as soon as PID is gone.
wait_released() {
    local pid=$1 deadline=$((SECONDS + $(budget "$2")))
    until not_traced_or_stopped "$pid"; do
        alive "$pid" || return 2
        ((SECONDS < deadline)) || return 1
        sleep 0.02
    done
}

# compare_outputs REF OUT WHAT: whole-file equality of stdout (and stderr).
compare_outputs() {
    local ref=$1 out=$2 what=$3
    if ! cmp -s "$ref" "$out"; then
        echo "FAIL: $what: output differs from the uninterrupted run"
        echo "---- diff -u reference restored (first 60 lines):"
        diff -u "$ref" "$out" | head -60
        echo "---- workload stderr:"
        head -c 2000 "$out.err" 2>/dev/null
        show_logs
        exit 1
    fi
    if [[ -e $ref.err ]] && ! cmp -s "$ref.err" "$out.err"; then
        echo "FAIL: $what: workload stderr differs from the uninterrupted run"
        diff -u "$ref.err" "$out.err" | head -40
        show_logs
        exit 1
    fi
    log "ok: $what: output equals the uninterrupted run ($(line_count "$out") lines)"
}

# start_and_dump NAME DIR [DUMP_ARGS...]: start workload NAME (files in DIR,
# stdout in DIR/out), wait until it is under way, sleep a random time (or,
# with DUMP_AT_LINE="MIN MAX", wait until it has printed a random number of
# lines in that range), dump it into DIR/img. Without --leave-running the workload must then be gone
# (killed). Sets WL_PID and DUMP_LINES (lines printed at dump time).
start_and_dump() {
    local name=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    workload_cmd "$name" "$dir"
    start_workload "$dir/out" "${WL_CMD[@]}"
    log "started $name as pid $WL_PID"
    wait_lines "$dir/out" "$(workload_ready_lines "$name")" 60 "$WL_PID"
    if [[ -n ${DUMP_AT_LINE:-} ]]; then
        # shellcheck disable=SC2086 # "MIN MAX" splits into two arguments
        wait_random_line "$dir/out" $DUMP_AT_LINE "$WL_PID"
    else
        # shellcheck disable=SC2119
        random_sleep
    fi
    alive "$WL_PID" || fail "workload $name finished before the dump; make it run longer"
    stasis "dump-${dir##*/}" 60 dump --pid "$WL_PID" --dir "$dir/img" "$@"
    expect_ok "dump of $name (pid $WL_PID)"
    DUMP_LINES=$(line_count "$dir/out")
    log "dumped $name at line $DUMP_LINES into $dir/img ($(du -sh "$dir/img" 2>/dev/null | cut -f1))"
    [[ -f $dir/img/manifest.json ]] || fail "dump exited 0 but $dir/img/manifest.json does not exist"
    local a
    for a in "$@"; do
        [[ $a == --leave-running ]] && return 0
    done
    if ! wait_child "$WL_PID" 10; then
        fail "the dumped workload (pid $WL_PID) is still running 10 s after dump without --leave-running"
    fi
    ((CHILD_RC == 137)) || fail "the dumped workload should have been killed by SIGKILL (status 137), it exited $CHILD_RC"
}

# restore_and_check NAME DIR REF WHAT: restore DIR/img in the foreground; it
# must exit 0 (within RESTORE_SECS, default 60) and DIR/out must equal REF/out.
restore_and_check() {
    local name=$1 dir=$2 ref=$3 what=$4
    stasis "restore-${dir##*/}-$what" "${RESTORE_SECS:-60}" restore --dir "$dir/img"
    if ((LAST_RC == 124)); then
        fail "$what: stasis restore did not finish in time; restored output so far: $(tail -3 "$dir/out")"
    fi
    if ((LAST_RC != 0)); then
        echo "---- restored output (last lines):"
        tail -5 "$dir/out"
        fail "$what: stasis restore exited $LAST_RC (the restored $name should exit 0)"
    fi
    compare_outputs "$ref/out" "$dir/out" "$what"
}

# roundtrip NAME [ROUNDS]: reference run, then ROUNDS times: run, dump at a
# random moment (kills it), restore, compare.
roundtrip() {
    local name=$1 rounds=${STASIS_TEST_ROUNDS:-${2:-1}} r
    run_reference "$name" "$T/ref"
    for ((r = 1; r <= rounds; r++)); do
        start_and_dump "$name" "$T/run$r"
        restore_and_check "$name" "$T/run$r" "$T/ref" "round $r"
    done
    log "PASS"
}

# --- refusals ----------------------------------------------------------------

# wait_holder DIR WHAT: wait until the workload (WL_PID) has written
# DIR/holder, "pid PID fd FD": the process and fd a refusal must name. Sets
# HOLDER_PID and HOLDER_FD.
wait_holder() {
    local dir=$1 what=$2 deadline
    deadline=$((SECONDS + $(budget 30)))
    until [[ -s $dir/holder ]]; do
        alive "$WL_PID" || fail "$what: the workload ended before it announced its fd: $(tail -3 "$dir/out.err")"
        ((SECONDS < deadline)) || fail "$what: the workload did not write $dir/holder within 30 s"
        sleep 0.05
    done
    read -r _ HOLDER_PID _ HOLDER_FD <"$dir/holder"
    [[ $HOLDER_PID =~ ^[0-9]+$ && $HOLDER_FD =~ ^[0-9]+$ ]] || fail "$what: bad holder file: $(cat "$dir/holder")"
}

# check_no_image DIR WHAT: a refused dump left nothing in DIR/img.
check_no_image() {
    if [[ -e $1/img ]] && [[ -n $(ls -A "$1/img") ]]; then
        check_fail "$2: the refused dump left files in $1/img: $(ls -A "$1/img")"
    fi
}

# --- process trees (tests/engine/tree_*.sh) ----------------------------------
TREE_ROUND_WINDOWS=()
TREE_ROUND_LINES=()
# The workloads of the tree tests are whole process trees; `stasis dump` takes
# the root and all its descendants. Each tree workload prints its whole
# output (its children's included, which they keep in files of their own) on
# the root's stdout, ending with a "result ..." line.

# tree_workload_cmd NAME DIR: set WL_CMD to the command line of tree workload
# NAME (DIR is its work directory), TREE_READY to the number of stdout lines
# it prints before it is worth dumping, TREE_WINDOW to the range (min max,
# in ms) of the random delay before the dump, and TREE_GO to 1 for a
# workload that waits for DIR/go before its end (tc_wait_go; tree_go). Runs
# take 3-6 s.
tree_workload_cmd() {
    local w=$WORKLOADS
    TREE_GO=0
    TREE_READY=3
    TREE_WINDOW=(200 2500)
    # A round's last dump line (TREE_ROUND_LINES) stays some 30 steps before
    # the end: on a loaded machine the dump may come a second after it.
    case $1 in
        tree_wait) WL_CMD=("$w/tree_wait" "$2" 100 50) TREE_WINDOW=(200 2800) ;;
        pipeline_c) WL_CMD=("$w/tree_pipeline" tree 8000 4 2) TREE_READY=2 ;;
        pipeline_sh) WL_CMD=(/bin/bash "$w/tree_pipeline.sh" "$w" c 8000 4 2 "$2/go") TREE_READY=2 TREE_GO=1 ;;
        pipeline_seq) WL_CMD=(/bin/bash "$w/tree_pipeline.sh" "$w" seq 20000 400 "$2/go") TREE_READY=2 TREE_GO=1 ;;
        shm_counter) WL_CMD=("$w/tree_shm_counter" 120 25) ;;
        forked_pages) WL_CMD=("$w/forked_pages" 32 3 150 40) ;;
        sysv_shm) WL_CMD=("$w/tree_sysv_shm" 90 50) ;;
        unnamed_files) WL_CMD=("$w/unnamed_files" "$2" 80 60) ;;
        bash_loop) WL_CMD=(/bin/bash "$w/tree_bash_loop.sh" "$w" "$2" 40) TREE_WINDOW=(100 3000) ;;
        shared_offset) WL_CMD=("$w/tree_shared_offset" "$2" 30 30) TREE_WINDOW=(200 2100) TREE_GO=1 ;;
        signals) WL_CMD=("$w/tree_signals" "$2" 80 40) ;;
        attributes) WL_CMD=("$w/tree_attributes" 90 60) ;;
        clone_files) WL_CMD=("$w/clone_files" "$2" 90 50) ;;
        path_fds) WL_CMD=("$w/path_fds" "$2" 90 50) ;;
        stopped) WL_CMD=("$w/tree_stopped" 90 50) ;;
        epoll_watches) WL_CMD=("$w/epoll_watches" 90 50) ;;
        py_mp_pool) WL_CMD=("$PYTHON" "$w/py_mp_pool.py" 90 50) ;;
        mpi) WL_CMD=(mpirun --oversubscribe -np 2 "$w/mpi_steps" 200 20) ;;
        # Ten steps took 2.9 s on the 2-core test machine: the dump must come
        # while steps still run.
        relaunch) WL_CMD=(/bin/bash "$w/tree_relaunch.sh" "$w" 16) TREE_READY=2 TREE_WINDOW=(200 2000) ;;
        unsupported_socket) WL_CMD=("$w/tree_unsupported" socket "$2" 80 50) TREE_GO=1 ;;
        unsupported_hugetlb) WL_CMD=("$w/tree_unsupported" hugetlb "$2" 160 50) TREE_GO=1 ;;
        unsupported_fanotify) WL_CMD=("$w/tree_unsupported" fanotify "$2" 80 50) TREE_GO=1 ;;
        *) fail "unknown tree workload $1" ;;
    esac
}

# tree_pids PID: PID and all its descendants (zombies included), one per line.
tree_pids() {
    echo "$1"
    descendants "$1"
}

# tree_zombies PID...: how many of these processes are zombies.
tree_zombies() {
    local p n=0
    for p in "$@"; do
        [[ $(proc_state "$p") == Z ]] && n=$((n + 1))
    done
    echo "$n"
}

# tree_run_reference NAME DIR: run tree workload NAME uninterrupted, stdout to
# DIR/out; it must exit 0 and print a result line.
tree_run_reference() {
    mkdir -p "$2"
    tree_workload_cmd "$1" "$2"
    tree_go "$2"
    run_built_reference "$1" "$2"
}

# tree_go DIR: let a workload that waits for DIR/go (TREE_GO=1) end.
tree_go() {
    ((TREE_GO == 0)) || touch "$1/go"
}

# tree_start NAME DIR: start tree workload NAME (files in DIR, stdout in
# DIR/out) and wait until it has printed TREE_READY lines. Sets WL_PID.
tree_start() {
    local name=$1 dir=$2
    mkdir -p "$dir"
    tree_workload_cmd "$name" "$dir"
    rm -f "$dir/go"
    start_workload "$dir/out" "${WL_CMD[@]}"
    log "started $name as pid $WL_PID"
    wait_lines "$dir/out" "$TREE_READY" 60 "$WL_PID"
}

# tree_start_and_dump NAME DIR [DUMP_ARGS...]: start tree workload NAME, wait
# until it is under way, sleep a random time within its TREE_WINDOW, dump the
# whole tree into DIR/img. Without --leave-running every process the tree had
# just before the dump must be gone afterwards, and the root killed by
# SIGKILL. Sets WL_PID, TREE_PIDS (the processes seen just before the dump),
# TREE_ZOMBIES (how many of them were zombies), TREE_COMMS (their names) and
# DUMP_LINES.
tree_start_and_dump() {
    local name=$1 dir=$2 a p left
    shift 2
    tree_start "$name" "$dir"
    if [[ -n ${TREE_ROUND_LINE:-} ]]; then
        # shellcheck disable=SC2086 # "MIN MAX" splits into two arguments
        wait_random_line "$dir/out" $TREE_ROUND_LINE "$WL_PID"
    else
        # shellcheck disable=SC2086 # "MIN MAX" splits into two arguments
        random_sleep ${TREE_ROUND_WINDOW:-${TREE_WINDOW[*]}}
    fi
    alive "$WL_PID" || fail "workload $name finished before the dump; make it run longer"
    mapfile -t TREE_PIDS < <(tree_pids "$WL_PID")
    TREE_ZOMBIES=$(tree_zombies "${TREE_PIDS[@]}")
    TREE_COMMS=$(for p in "${TREE_PIDS[@]}"; do cat "/proc/$p/comm" 2>/dev/null; done | paste -sd,)
    stasis "dump-${dir##*/}" 60 dump --pid "$WL_PID" --dir "$dir/img" "$@"
    expect_ok "dump of the $name tree (pid $WL_PID, ${#TREE_PIDS[@]} processes just before)"
    DUMP_LINES=$(line_count "$dir/out")
    log "dumped $name (${#TREE_PIDS[@]} processes, $TREE_ZOMBIES of them zombies, just before: $TREE_COMMS) at line $DUMP_LINES into $dir/img ($(du -sh "$dir/img" 2>/dev/null | cut -f1))"
    [[ -f $dir/img/manifest.json ]] || fail "dump exited 0 but $dir/img/manifest.json does not exist"
    tree_go "$dir"
    for a in "$@"; do
        [[ $a == --leave-running ]] && return 0
    done
    if ! wait_child "$WL_PID" 10; then
        fail "the dumped root (pid $WL_PID) is still running 10 s after dump without --leave-running"
    fi
    ((CHILD_RC == 137)) || fail "the dumped root should have been killed by SIGKILL (status 137), it exited $CHILD_RC"
    for p in "${TREE_PIDS[@]}"; do
        wait_gone "$p" 10 || left+=" $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
    done
    [[ -z ${left:-} ]] || fail "processes of the dumped tree still run after dump without --leave-running:$left"
}

# tree_restore_and_check NAME DIR REF WHAT: restore_and_check, but a failed
# restore also shows what the restored tree wrote on stderr (DIR/out.err).
tree_restore_and_check() {
    local name=$1 dir=$2 ref=$3 what=$4
    stasis "restore-${dir##*/}" 60 restore --dir "$dir/img"
    if ((LAST_RC != 0)); then
        echo "---- restored output (last lines):"
        tail -5 "$dir/out"
        echo "---- restored tree's stderr (last lines):"
        tail -5 "$dir/out.err"
        if ((LAST_RC == 124)); then
            fail "$what: stasis restore did not finish in time"
        fi
        fail "$what: stasis restore exited $LAST_RC (the restored $name should exit 0)"
    fi
    compare_outputs "$ref/out" "$dir/out" "$what"
}

# restore_detached IMG PIDFILE WHAT: restore IMG with --detach, its pid
# into PIDFILE (killed when the test ends). Sets RESTORED_PID.
restore_detached() {
    local img=$1 pidfile=$2 what=$3
    PIDFILES+=("$pidfile")
    stasis "restore-detach-${img##*/}" 60 restore --dir "$img" --detach --pidfile "$pidfile"
    expect_ok "$what: restore --detach"
    RESTORED_PID=$(tr -d '[:space:]' <"$pidfile")
    [[ $RESTORED_PID =~ ^[0-9]+$ ]] || fail "pidfile $pidfile does not hold a pid: $(head -c 100 "$pidfile")"
}

# line_round NAME DIR REF "MIN MAX" CMD...: run CMD (stdout in DIR/out), dump it
# once it has printed between MIN and MAX lines, check it was killed, restore
# it, compare with REF/out.
line_round() {
    local name=$1 dir=$2 ref=$3 lines=$4
    shift 4
    mkdir -p "$dir"
    start_workload "$dir/out" "$@"
    log "$name: started as pid $WL_PID"
    # shellcheck disable=SC2086 # "MIN MAX" splits into two arguments
    wait_random_line "$dir/out" $lines "$WL_PID"
    stasis "dump-${dir##*/}" 60 dump --pid "$WL_PID" --dir "$dir/img"
    expect_ok "$name: dump (pid $WL_PID)"
    log "$name: dumped at line $(line_count "$dir/out")"
    wait_child "$WL_PID" 10 || fail "$name: still running 10 s after the dump"
    ((CHILD_RC == 137)) || fail "$name: the dumped root should have been killed (137), it exited $CHILD_RC"
    tree_restore_and_check "$name" "$dir" "$ref" "$name restored"
}

# start_outside_server unix PATH | tcp: a server outside any checkpointed
# tree, answering each connection's first message in upper case; sets
# SERVER_PID, and SERVER_ADDRESS (PATH, or the TCP port on 127.0.0.1).
start_outside_server() {
    # shellcheck disable=SC2016 # Python code, not shell
    start_workload "$T/server.out" "$PYTHON" -c '
import socket, sys
if sys.argv[1] == "unix":
    s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[2]); s.listen(1); print(sys.argv[2], flush=True)
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()
' "$@"
    SERVER_PID=$WL_PID
    wait_lines "$T/server.out" 1 20 "$SERVER_PID"
    read -r SERVER_ADDRESS <"$T/server.out"
}

# dump_outside_client unix|tcp: start a client of the outside server that
# keeps its connection open, prints "fd N", steps for 3 s and ends by
# talking to the server; dump it once it has stepped (the caller checks the
# refusal with check_error, then calls outside_client_ran_on). Sets
# CLIENT_PID and CLIENT_FD.
dump_outside_client() {
    # shellcheck disable=SC2016 # Python code, not shell
    local client=("$PYTHON" -c '
import socket, sys, time
sys.stdout.reconfigure(line_buffering=True)
if sys.argv[1] == "unix":
    c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[2])
else:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
print("fd", c.fileno())
for step in range(1, 61):
    print("step", step); time.sleep(0.05)
c.sendall(b"ping"); print("server said", c.recv(100).decode())
print("result ok")
' "$1" "$SERVER_ADDRESS")
    mkdir -p "$T/outside"
    start_workload "$T/outside/out" "${client[@]}"
    CLIENT_PID=$WL_PID
    wait_lines "$T/outside/out" 3 30 "$CLIENT_PID"
    read -r _ CLIENT_FD <"$T/outside/out"
    [[ $CLIENT_FD =~ ^[0-9]+$ ]] || fail "the outside client did not say its fd: $(head -1 "$T/outside/out")"
    stasis dump-outside 60 dump --pid "$CLIENT_PID" --dir "$T/outside/img"
}

# outside_client_ran_on: the refused dump wrote no image, and the client
# runs on untouched to its normal end, talking to the server.
outside_client_ran_on() {
    [[ ! -e $T/outside/img/manifest.json ]] || check_fail "the refused dump wrote an image"
    not_traced_or_stopped "$CLIENT_PID" || check_fail "the client is stopped or traced after the refused dump"
    wait_child "$CLIENT_PID" 30 || fail "the client did not finish within 30 s after the refused dump"
    ((CHILD_RC == 0)) || check_fail "the client exited $CHILD_RC after the refused dump: $(tail -3 "$T/outside/out.err")"
    grep -q '^server said PING$' "$T/outside/out" || check_fail "the client did not talk to the server after the refused dump"
}

# tree_roundtrip NAME [ROUNDS]: reference run of tree workload NAME, then
# ROUNDS times: run, dump the whole tree at a random moment (kills it),
# restore, compare the whole output. To aim rounds at phases of a run, round
# r dumps at element r-1 (cycling) of TREE_ROUND_LINES (elements
# "MIN_LINE MAX_LINE": once the output has that many lines, which holds on a
# loaded machine too) or of TREE_ROUND_WINDOWS ("MIN_MS MAX_MS") instead of
# the workload's TREE_WINDOW.
tree_roundtrip() {
    local name=$1 rounds=${STASIS_TEST_ROUNDS:-${2:-1}} r TREE_ROUND_WINDOW TREE_ROUND_LINE
    tree_run_reference "$name" "$T/$name-ref"
    for ((r = 1; r <= rounds; r++)); do
        TREE_ROUND_WINDOW=
        TREE_ROUND_LINE=
        if ((${#TREE_ROUND_LINES[@]} > 0)); then
            TREE_ROUND_LINE=${TREE_ROUND_LINES[(r - 1) % ${#TREE_ROUND_LINES[@]}]}
        elif ((${#TREE_ROUND_WINDOWS[@]} > 0)); then
            TREE_ROUND_WINDOW=${TREE_ROUND_WINDOWS[(r - 1) % ${#TREE_ROUND_WINDOWS[@]}]}
        fi
        tree_start_and_dump "$name" "$T/$name-run$r"
        tree_restore_and_check "$name" "$T/$name-run$r" "$T/$name-ref" "$name round $r"
    done
}
