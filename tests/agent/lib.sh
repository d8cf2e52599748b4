# shellcheck shell=bash
# lib.sh: helpers for the `stasis run` (agent) integration tests.
#
# A test script starts with
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# and is run as   TEST.sh STASIS_BINARY WORKLOAD_DIR   (ctest does this).
# It builds on the engine tests' helpers (tests/engine/lib.sh: temporary
# directory, deadlines, workloads, output comparison, cleanup by pid); the
# agent's own log goes to $LOGS/NAME.err like any stasis command's.

STASIS_TEST_BUDGET=${STASIS_TEST_BUDGET:-165}   # under ctest's TIMEOUT of 180 s
# shellcheck source=tests/engine/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../engine/lib.sh" "$@"

AGENT_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXIT_REQUEUE=75   # "checkpointed, please requeue" (docs/run.md)

# start_agent NAME OUT RUN_ARGS...: start "stasis run RUN_ARGS" in the
# background with only fds 0-2, stdin /dev/null, stdout (the job's) to OUT
# and stderr to $LOGS/NAME.err. Sets AGENT_PID and AGENT_LOG.
start_agent() {
    local name=$1 out=$2
    shift 2
    AGENT_LOG=$LOGS/$name.err
    clean_exec "${RUN_AS[@]}" "$STASIS" run "$@" </dev/null >"$out" 2>"$AGENT_LOG" &
    AGENT_PID=$!
    STARTED_PIDS+=("$AGENT_PID")
    log "started stasis run $* as pid $AGENT_PID"
}

# start_agent_in_own_group NAME OUT RUN_ARGS...: as start_agent, but the
# agent leads a process group of its own (as under Slurm), so that the group
# can be signalled without hitting the test itself.
start_agent_in_own_group() {
    local name=$1 out=$2
    shift 2
    AGENT_LOG=$LOGS/$name.err
    clean_exec "${RUN_AS[@]}" setsid "$STASIS" run "$@" </dev/null >"$out" 2>"$AGENT_LOG" &
    AGENT_PID=$!
    STARTED_PIDS+=("$AGENT_PID")
    log "started stasis run $* as pid $AGENT_PID (own process group)"
}

# wait_job SECS: wait until the agent has started its job; sets JOB_PID.
# The job is killed by pid when the test ends, even if the agent is gone.
wait_job() {
    local deadline=$((SECONDS + $(budget "$1"))) kids
    while :; do
        kids=$(cat /proc/"$AGENT_PID"/task/*/children 2>/dev/null)
        JOB_PID=${kids%% *}
        [[ -n $JOB_PID ]] && break
        alive "$AGENT_PID" || fail "stasis run (pid $AGENT_PID) ended before starting its job: $(tail -3 "$AGENT_LOG")"
        ((SECONDS < deadline)) || fail "stasis run (pid $AGENT_PID) started no job in $1 s"
        sleep 0.02
    done
    STARTED_PIDS+=("$JOB_PID")
    log "the job runs as pid $JOB_PID"
}

# latest_number ROOT: the number of the generation LATEST names, or 0.
latest_number() {
    local name
    name=$(cat "$1/LATEST" 2>/dev/null) || { echo 0; return; }
    [[ $name =~ ^gen-0*([0-9]+)$ ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

# wait_generation ROOT N SECS: wait until LATEST names generation N or later
# (the agent must keep running meanwhile).
wait_generation() {
    local root=$1 want=$2 deadline=$((SECONDS + $(budget "$3")))
    while (($(latest_number "$root") < want)); do
        alive "$AGENT_PID" || fail "stasis run ended before committing generation $want: $(tail -5 "$AGENT_LOG")"
        ((SECONDS < deadline)) || fail "no generation $want committed in $3 s: $(tail -5 "$AGENT_LOG")"
        sleep 0.05
    done
    log "LATEST is $(cat "$root/LATEST")"
}

# committed_generations ROOT: names of the committed generations, oldest
# first (not the retired ones, which only hold data later ones borrow).
committed_generations() {
    local d
    for d in "$1"/gen-[0-9]*; do
        [[ -d $d && ! -e $d/RETIRED ]] && echo "${d##*/}"
    done
}

# wait_agent SECS: wait for the agent to end; sets AGENT_RC.
wait_agent() {
    if ! wait_child "$AGENT_PID" "$1"; then
        fail "stasis run (pid $AGENT_PID) did not end within $1 s: $(tail -5 "$AGENT_LOG")"
    fi
    AGENT_RC=$CHILD_RC
    log "stasis run exited $AGENT_RC"
}

# expect_released SECS WHAT: once its agent is killed, the job runs on,
# released (neither traced nor stopped; no PTRACE_O_EXITKILL) within SECS.
expect_released() {
    wait_released "$JOB_PID" "$1"
    case $? in
        1) fail "$2: the job (pid $JOB_PID) is still traced or stopped (state $(proc_state "$JOB_PID")) $1 s after its agent was killed" ;;
        2) fail "$2: the job (pid $JOB_PID) did not outlive its agent: $(tail -3 "$T/run/out")" ;;
    esac
}

# end_released_job SECS: expect_released, then end the job and its
# descendants by pid, as a scheduler ends what is left of a step whose task
# is gone.
end_released_job() {
    expect_released "$1" "after its agent was killed"
    local pids=("$JOB_PID") p deadline
    mapfile -t -O 1 pids < <(descendants "$JOB_PID")
    kill_tree "$JOB_PID"
    # Orphans are reaped by pid 1, on some machines seconds later; a resume
    # needs their pids free again.
    deadline=$((SECONDS + $(budget 30)))
    for p in "${pids[@]}"; do
        while [[ -e /proc/$p ]]; do
            ((SECONDS < deadline)) || fail "process $p of the killed job was not reaped within 30 s (state $(proc_state "$p"))"
            sleep 0.05
        done
    done
}

# expect_agent_rc RC WHAT: the agent must have exited RC.
expect_agent_rc() {
    ((AGENT_RC == $1)) || fail "$2: stasis run exited $AGENT_RC, expected $1: $(tail -5 "$AGENT_LOG")"
}

# verify_generations ROOT: every committed generation must verify.
verify_generations() {
    local g
    for g in $(committed_generations "$1"); do
        stasis "verify-$g" 60 verify --dir "$1/$g"
        expect_ok "verify of $g"
    done
}

# log_lines REGEX: how many lines of the agent's log match REGEX (extended).
log_lines() {
    grep -Ec -- "$1" "$AGENT_LOG"
}

# wait_log_lines REGEX N SECS: wait until N lines of the agent's log match
# REGEX (extended); the job must keep running meanwhile.
wait_log_lines() {
    local re=$1 want=$2 deadline=$((SECONDS + $(budget "$3")))
    until (($(log_lines "$re") >= want)); do
        alive "$JOB_PID" || fail "the job ended before $want log line(s) matched /$re/: $(tail -3 "$AGENT_LOG")"
        ((SECONDS < deadline)) || fail "fewer than $want log line(s) matched /$re/ in $3 s: $(tail -4 "$AGENT_LOG")"
        sleep 0.05
    done
}

# --- one job per test ---------------------------------------------------------
# A test's job is JOB_CMD: run uninterrupted for a reference output in
# $T/ref/out, and under the agent with stdout $T/run/out and checkpoint
# directory ROOT.
ROOT=$T/run/ckpt

# run_reference_job CMD...: set JOB_CMD and run it uninterrupted; it must exit 0.
run_reference_job() {
    JOB_CMD=("$@")
    mkdir -p "$T/ref" "$T/run"
    run_timeout 120 "$T/ref/out" "$T/ref/out.err" "$@" || fail "reference run of $* failed"
}

# start_job [--own-group] NAME RUN_ARGS...: start "stasis run --dir ROOT
# RUN_ARGS -- JOB_CMD" (see start_agent, start_agent_in_own_group) and wait
# until the job runs (JOB_PID).
start_job() {
    local starter=start_agent
    if [[ $1 == --own-group ]]; then
        starter=start_agent_in_own_group
        shift
    fi
    local name=$1
    shift
    mkdir -p "$T/run"
    "$starter" "$name" "$T/run/out" --dir "$ROOT" "$@" -- "${JOB_CMD[@]}"
    wait_job 20
}

# partial_bytes GEN [PREFIX]: page data written so far into ROOT/.GEN.partial,
# in data files named PREFIX* (default: all of them, the dump's pages-* and
# a pre-copy's precopy*).
partial_bytes() {
    local f n=0 size
    for f in "$ROOT/.$1.partial/${2:-}"*.bin; do
        size=$(stat -c %s "$f" 2>/dev/null) && n=$((n + size))
    done
    echo "$n"
}

# wait_writing GEN MIN_BYTES SECS [PREFIX]: wait until generation GEN is
# being written and holds MIN_BYTES of page data (in PREFIX* files, see
# partial_bytes). A pre-copy (docs/image-format.md) makes the partial
# directory and writes precopy* files while the job runs; the dump's own
# pages-* files are made once it holds the whole job. The directory is
# renamed when done.
wait_writing() {
    local gen=$1 min=$2 deadline=$((SECONDS + $(budget "$3"))) prefix=${4:-}
    until [[ -d $ROOT/.$gen.partial ]] && compgen -G "$ROOT/.$gen.partial/$prefix*.bin" >/dev/null &&
        (($(partial_bytes "$gen" "$prefix") >= min)); do
        alive "$AGENT_PID" || fail "stasis run ended before writing $gen: $(tail -3 "$AGENT_LOG")"
        [[ -d $ROOT/$gen ]] && fail "$gen was committed before it could be seen being written"
        ((SECONDS < deadline)) || fail "$gen was not being written within $3 s"
        sleep 0.005
    done
}

# resume_job RUN_ARGS...: run "stasis run --dir ROOT RUN_ARGS -- JOB_CMD" in
# the foreground on a ROOT holding a committed generation: it must resume
# (the job's output continues in $T/run/out, which the restored job reopens
# itself; a job started anew would write to the agent's stdout instead),
# exit 0, and the job's whole output must equal the reference run's.
resume_job() {
    local out=$T/run/out
    stasis resume 120 run --dir "$ROOT" "$@" -- "${JOB_CMD[@]}"
    AGENT_LOG=$LOGS/resume.err
    ((LAST_RC == 0)) || fail "resumed stasis run exited $LAST_RC: $(tail -5 "$LAST_LOG")"
    grep -q '^stasis run: resumed gen-' "$LAST_LOG" || fail "stasis run did not resume: $(head -3 "$LAST_LOG")"
    [[ ! -s $LOGS/resume.out ]] || fail "the resumed run printed to its own stdout, as a job started anew would"
    # The job's stderr is the agent's, mixed into its log; the workloads
    # print nothing there, so only stdout is compared.
    [[ ! -s $T/ref/out.err ]] || fail "the reference run printed to stderr: $(head -3 "$T/ref/out.err")"
    : >"$out.err"
    compare_outputs "$T/ref/out" "$out" "resumed run"
}
