#!/usr/bin/env bash
# qrerun of a running checkpointed job: PBS signals it SIGTERM and requeues
# it, as at preemption with preempt_order R; the agent commits a checkpoint
# first, and the job's next run resumes from it and ends with the output of
# an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_stasis_pbs
run_checkpointed_bash_loop rerun 400
pbs_cmd qrerun "$JOB" || fail "qrerun $JOB failed"
log "qrerun $JOB"
resumed_to_the_end "$JOB" "$DIR" 2
grep -q '^stasis run: SIGTERM received: checkpointing' "$DIR/job.out" || fail "no checkpoint at the SIGTERM of qrerun"
log "PASS: qrerun checkpointed the job, which resumed in its next run, same output"
