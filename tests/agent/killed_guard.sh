#!/usr/bin/env bash
# kill -9 of the agent at random moments of its periodic checkpoints of a
# running multi-threaded program (vector code, so that its FPU state
# matters). The agent checkpoints through the ptrace hold it keeps on the
# job, with no PTRACE_O_EXITKILL: every time, the job runs on, released
# (neither traced nor stopped), and finishes with the same output as an
# uninterrupted run; LATEST names a committed generation that verifies, never
# what the killed checkpoint left; and the last round's job, killed in turn,
# resumes from its LATEST to the same whole output.
#   STASIS_KILL_ROUNDS=N  kills (default 10; tests/stress/killed_guard.sh runs 100)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
ROUNDS=${STASIS_KILL_ROUNDS:-10}

# About 4 s: periodic checkpoints at 1 s and 2 s, the kill in the second.
run_reference_job "$WORKLOADS/threads" 400 8 10

# stopped_by_agent PID: every thread of PID is in a ptrace stop. Read with
# builtins only: it is polled busily.
stopped_by_agent() {
    local stat line
    for stat in /proc/"$1"/task/*/stat; do
        read -r line <"$stat" 2>/dev/null || return 1
        line=${line##*) }
        [[ ${line%% *} == t ]] || return 1
    done
}

# wait_checkpoint_start SECS: wait until the agent holds the job stopped for
# a checkpoint after gen-000001. Polled busily, with builtins only: a
# checkpoint lasts milliseconds, a fork of cat about as long.
wait_checkpoint_start() {
    local deadline=$((SECONDS + $(budget "$1"))) name
    until stopped_by_agent "$JOB_PID" && read -r name <"$ROOT/LATEST" 2>/dev/null; do
        [[ -e /proc/$AGENT_PID ]] || fail "stasis run ended: $(tail -3 "$AGENT_LOG")"
        [[ -e /proc/$JOB_PID ]] || fail "the job ended before its second checkpoint: $(tail -3 "$AGENT_LOG")"
        ((SECONDS < deadline)) || fail "no checkpoint after gen-000001 began within $1 s: $(tail -3 "$AGENT_LOG")"
    done
    BEFORE=$name
}

# A pipe nobody writes to: `read -t` on it sleeps without a fork.
exec {SLEEPER}<> <(:)

# frozen_ms: how long the first checkpoint held the job, from its log line.
frozen_ms() {
    local secs
    secs=$(grep -Eo 'gen-000001 committed .* ([0-9.]+) s frozen' "$AGENT_LOG" | grep -Eo '[0-9.]+ s frozen$')
    [[ -n $secs ]] || fail "no frozen time for gen-000001: $(tail -3 "$AGENT_LOG")"
    awk -v s="${secs%% *}" 'BEGIN { printf "%d\n", s * 1000 + 1 }'
}

declare -A moments=([while stopping]=0 [while making]=0 [after the commit]=0)
for ((i = 1; i <= ROUNDS; i++)); do
    ROOT=$T/round$i
    rm -f "$T/run/out"
    start_job "round$i" --interval 1s --keep 2 --keep-output
    wait_generation "$ROOT" 1 30
    budget_ms=$(($(frozen_ms) * 3 / 2))
    delay=$((RANDOM % (budget_ms + 1)))
    printf -v pause '%d.%03d' $((delay / 1000)) $((delay % 1000))
    wait_checkpoint_start 30
    read -r -t "$pause" -u "$SLEEPER"
    kill -KILL "$AGENT_PID"
    wait_agent 10
    what="kill $i ($delay ms into a checkpoint that took about $((budget_ms * 2 / 3)) ms before)"
    partial=$(cd "$ROOT" && ls -d .gen-*.partial 2>/dev/null)
    if [[ -n $partial ]]; then
        moment="while making"
    elif [[ $(cat "$ROOT/LATEST") != "$BEFORE" ]]; then
        moment="after the commit"
    else
        moment="while stopping"
    fi
    moments[$moment]=$((${moments[$moment]} + 1))
    expect_released 10 "$what"
    latest=$(cat "$ROOT/LATEST")
    [[ -d $ROOT/$latest ]] || fail "$what: LATEST names $latest, which is not committed: $(ls -a "$ROOT")"
    stasis "verify$i" 60 verify --dir "$ROOT/$latest"
    expect_ok "$what: verify of $latest, which LATEST names"
    if ((i < ROUNDS)); then
        wait_gone "$JOB_PID" 60 || fail "$what: the job did not finish within 60 s"
        : >"$T/run/out.err"  # the job's stderr is the agent's log; the workload prints nothing there
        compare_outputs "$T/ref/out" "$T/run/out" "$what: the job, run on without its agent"
        log "ok: $what ($moment): the job ran on to the right output; LATEST is $latest${partial:+, $partial left}"
    fi
done
log "ok: $ROUNDS kills, ${moments[while stopping]} while the agent stopped the job, ${moments[while making]} while the generation was made (the job's state read, its image written), ${moments[after the commit]} after its commit: the job ran on every time"

# The last round's job is ended as a scheduler would, and its next run
# resumes from LATEST; its output file is emptied as Slurm does on a
# requeued start, and put back from the generation.
end_released_job 10
: >"$T/run/out"
resume_job --interval 0
log "PASS"
