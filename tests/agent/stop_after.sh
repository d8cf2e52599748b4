#!/usr/bin/env bash
# stasis run --stop-after DUR (the scheduler's time limit less a margin):
# DUR after the agent started, it checkpoints, ends the job and exits 75, as
# on SIGTERM to itself. A resumed run counts DUR from its own start; the job
# resumed without --stop-after finishes with the whole output of an
# uninterrupted run (each run empties the output file, as Slurm does:
# --keep-output puts it back). A bad DUR is a usage error.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

stasis bad-duration 10 run --dir "$ROOT" --stop-after 3x -- /bin/true
if ((LAST_RC != 2)) || ! grep -q -- '--stop-after: invalid duration "3x"' "$LAST_LOG"; then
    fail "--stop-after 3x: expected exit 2 naming the value, got $LAST_RC: $(cat "$LAST_LOG")"
fi
[[ -e $ROOT ]] && fail "a refused command line created ROOT $ROOT"

run_reference_job "$WORKLOADS/single_thread" 500 15

# stop_run NAME SECS GEN: run the job with --stop-after SECS; it must end
# with 75 after at least SECS seconds, with generation GEN committed for it.
stop_run() {
    local name=$1 secs=$2 gen=$3 started=$SECONDS
    start_job "$name" --interval 0 --stop-after "${secs}s" --keep-output
    wait_agent 60
    expect_agent_rc "$EXIT_REQUEUE" "--stop-after ${secs}s"
    ((SECONDS - started >= secs)) || fail "--stop-after ${secs}s ended the job after $((SECONDS - started)) s"
    wait_gone "$JOB_PID" 10 || fail "the job (pid $JOB_PID) still runs after stasis run exited"
    (($(log_lines "^stasis run: time limit margin reached \(--stop-after ${secs}s\): checkpointing, then ending the job$") == 1)) ||
        fail "no line saying the time limit margin was reached: $(cat "$AGENT_LOG")"
    (($(log_lines "^stasis run: $gen committed \(time limit margin\): ") == 1)) ||
        fail "no line for $gen committed at the time limit margin: $(cat "$AGENT_LOG")"
    [[ $(cat "$ROOT/LATEST") == "$gen" ]] || fail "LATEST names $(cat "$ROOT/LATEST"), not $gen"
    verify_generations "$ROOT"
    log "ok: --stop-after ${secs}s committed $gen and exited 75"
}

stop_run first 3 gen-000001
stop_run second 2 gen-000002
grep -q '^stasis run: resumed gen-000001 as pid' "$AGENT_LOG" || fail "the second run did not resume gen-000001"
resume_job --interval 0
log "PASS"
