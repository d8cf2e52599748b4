#!/usr/bin/env bash
# preempt_order S (the first letter of PBS's default SCR): a checkpointed
# job of queue workq is suspended (SIGSTOP) for a job of queue express and
# resumed (SIGCONT) after it. The agent guards the job all along and must
# take neither signal for a fault: the job ends, in its first run, with the
# output of an uninterrupted run, and checkpoints go on after the resume.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_stasis_pbs -- --preempt-order S
run_checkpointed_bash_loop suspend 400
express=$(preempt_by_express)
wait_job "$JOB" job_state S 60
log "job $JOB suspended for $express"
wait_job "$express" job_state F 120
before=$(latest_number "$JOB")
wait_job "$JOB" job_state R 60
deadline=$((SECONDS + 60))
until (($(latest_number "$JOB") > before)); do
    ((SECONDS < deadline)) || fail "no checkpoint after the resume: LATEST is still gen-$before"
    sleep 0.5
done
log "resumed by PBS; checkpoints go on (gen-$before, then gen-$(latest_number "$JOB"))"
wait_job "$JOB" job_state F 240
[[ $(job_attr "$JOB" Exit_status) == 0 ]] || fail "job $JOB ended with exit status $(job_attr "$JOB" Exit_status)"
[[ $(job_attr "$JOB" run_count) == 1 ]] || fail "job $JOB ran $(job_attr "$JOB" run_count) times, not once"
check_output "$DIR"
log "PASS: suspended (S) and resumed by PBS under the agent's guard, same output"
