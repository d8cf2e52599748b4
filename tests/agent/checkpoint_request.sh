#!/usr/bin/env bash
# `stasis checkpoint --dir ROOT` asks the agent guarding a job in ROOT for a
# checkpoint now: it prints the committed generation, the job runs on (still
# guarded), and a second request commits the next one. Asked of a ROOT
# without an agent, it says so in one line. A later `stasis run` resumes the
# job from the last requested generation, and its whole output equals an
# uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/threads" 600 4 15
start_job job --interval 0
wait_lines "$T/run/out" 3 60 "$JOB_PID"

for gen in 1 2; do
    stasis "ask-$gen" 60 checkpoint --dir "$ROOT"
    expect_ok "stasis checkpoint ($gen)"
    [[ $(cat "$LOGS/ask-$gen.out") == "gen-00000$gen" ]] ||
        fail "stasis checkpoint printed '$(cat "$LOGS/ask-$gen.out")', not gen-00000$gen"
    (($(log_lines "^stasis run: gen-00000$gen committed \(asked by stasis checkpoint \(pid [0-9]+, uid $(id -u)\)\)") == 1)) ||
        fail "no log line for the requested checkpoint $gen: $(tail -n 3 "$AGENT_LOG")"
    [[ ! -e $ROOT/CHECKPOINT ]] || fail "the request is still in ROOT after its answer"
    wait_progress "$T/run/out" 10 "$JOB_PID" || fail "the job does not run on after checkpoint $gen"
    [[ $(awk '/^TracerPid:/ {print $2}' "/proc/$JOB_PID/status") == "$AGENT_PID" ]] ||
        fail "after checkpoint $gen the job is no longer held by the agent"
    log "ok: stasis checkpoint committed gen-00000$gen; the job runs on"
done

# The scheduler ends the job (SIGKILL to the agent, then to what is left:
# no checkpoint of its own).
kill -KILL "$AGENT_PID"
wait_agent 20
end_released_job 10
stasis ask-none 20 checkpoint --dir "$ROOT"
check_error "stasis checkpoint without an agent" 1 "no stasis run guards a job in $ROOT"

resume_job --interval 0
log "PASS"
