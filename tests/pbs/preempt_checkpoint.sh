#!/usr/bin/env bash
# preempt_order C: a checkpointed job of queue workq is preempted by a job
# of queue express through MoM's checkpoint_abort action (stasis_action.py),
# which has the agent commit a checkpoint and end the job. PBS requeues it
# as checkpointed; its next run is MoM's restart action, which resumes it.
# It ends with the output of an uninterrupted run, and qstat shows the
# generation it was checkpointed into.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_stasis_pbs -- --preempt-order C
run_checkpointed_bash_loop preempt 400
express=$(preempt_by_express)
wait_job "$express" job_state F 120
# PBS counts a restart from its checkpoint as the same run (run_count 1).
resumed_to_the_end "$JOB" "$DIR" 1
grep -q 'committed gen-' "$SPOOL/$JOB.pbs-actions.log" ||
    fail "checkpoint_abort committed nothing: $(cat "$SPOOL/$JOB.pbs-actions.log")"
log "PASS: preempted (C) by checkpoint_abort, restarted by MoM's restart action, same output"
