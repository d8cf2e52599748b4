#!/usr/bin/env bash
# A job whose work takes longer than its time limit: walltime_margin before
# each limit the plugin has it checkpointed and requeues it, and the job
# finishes its work across several runs instead of being killed by the limit.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster walltime_margin=35s
steps=500
dir=$(bash_loop_job walltime "$steps")
start_reference "$dir" "$steps"
cd "$dir"
# --time=1: each run may last a minute, 25 s of it before the margin; the
# work needs about 45 s.
job=$(submit_as "$STASIS_TEST_USER" -p low --requeue --time=1 --checkpoint-interval=10s -o "$dir/job.out" "$dir/job.sh")
log "job $job submitted with a one-minute time limit"
for run in 1 2 3 4 5 6; do
    wait_job_state "$job" "RUNNING|COMPLETED" 120
    wait_job_state "$job" "PENDING|COMPLETED|TIMEOUT|FAILED" 90
    state=$(job_field "$job" JobState)
    [[ $state == PENDING ]] || break
    gen=$(recorded_generation "$job")
    log "run $run ended before the time limit; requeued with AdminComment naming $gen"
    # slurmd refuses a start in the same second as the previous run's end
    # ("Job credential revoked"); Slurm's own requeue delay never hits that.
    sleep 2
    release_requeued "$job"
done
[[ $state == COMPLETED ]] || fail "job $job ended $state ($(job_summary "$job")): $(tail -n 5 "$dir/job.out")"
restarts=$(job_field "$job" Restarts)
((restarts >= 1)) || fail "job $job finished without being requeued: the test did not exercise the time limit"
check_output_matches "$dir"
log "PASS: the work finished across $((restarts + 1)) runs of at most a minute each"
