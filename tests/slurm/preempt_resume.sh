#!/usr/bin/env bash
# A batch job with --checkpoint-interval commits generations, is preempted by
# a job of a higher partition, is requeued by Slurm, restored from the
# generation AdminComment names, and ends with the output of an
# uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster -- --grace-time 5
run_checkpointed_bash_loop preempt 400
dir=$DIR job=$JOB periodic=$PERIODIC

preempt "$job" 5
wait_requeued "$job" 1 90
grep -q 'committed (SIG' "$dir/job.out" || fail "no checkpoint at preemption in job.out: $(tail -n 5 "$dir/job.out")"
at_preemption=$(recorded_generation "$job")
((10#${at_preemption#gen-} > 10#${periodic#gen-})) ||
    fail "AdminComment names $at_preemption after the preemption, not a newer generation than $periodic"
log "preempted and requeued; AdminComment names $at_preemption"

wait_job_state "$PREEMPTOR" COMPLETED 60
release_requeued "$job"
wait_job_state "$job" RUNNING 60
wait_job_state "$job" COMPLETED 180
grep -q "resumed $at_preemption " "$dir/job.out" ||
    fail "the requeued job did not resume $at_preemption: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
check_output_matches "$dir"
[[ $(job_field "$job" Restarts) == 1 ]] || fail "job $job restarted $(job_field "$job" Restarts) times, not once"
log "PASS: preempted, requeued, resumed from $at_preemption, same output"
