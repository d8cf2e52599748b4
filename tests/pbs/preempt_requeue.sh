#!/usr/bin/env bash
# preempt_order R: a checkpointed job of queue workq is preempted by a job
# of queue express. PBS signals it SIGTERM and requeues it; the agent holds
# the signal until it has committed a checkpoint. The job runs again once
# the express job is done, resumes from that checkpoint, and ends with the
# output of an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_stasis_pbs -- --preempt-order R
run_checkpointed_bash_loop preempt 400
periodic=$(committed_generations "$JOB")
express=$(preempt_by_express)
wait_job "$express" job_state F 120
resumed_to_the_end "$JOB" "$DIR" 2
grep -q '^stasis run: SIGTERM received: checkpointing' "$DIR/job.out" || fail "no checkpoint at the SIGTERM of the preemption"
log "PASS: preempted (R), requeued, resumed, same output ($periodic periodic generations before)"
