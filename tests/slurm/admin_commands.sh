#!/usr/bin/env bash
# What an administrator does to a running checkpointed job: `stasis
# checkpoint --dir` (as root) checkpoints it now and it runs on, recorded in
# AdminComment; `scontrol requeue` and `scontrol requeuehold` each end it
# with a checkpoint (Slurm signals the batch step first, measured here) so
# that it loses nothing, and after `scontrol release` it resumes from that
# generation. The job checkpoints only when asked (interval 0), so every
# generation comes from one of these commands; its output in the end equals
# an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster
dir=$(bash_loop_job admin 500)
start_reference "$dir" 500
cd "$dir"
job=$(submit_as "$STASIS_TEST_USER" --requeue --checkpoint-interval=0 -o "$dir/job.out" "$dir/job.sh")
wait_job_state "$job" RUNNING 60
wait_file_line "$dir/job.out" '^step 20 ' 60

out=$(/usr/local/bin/stasis checkpoint --dir "$SPOOL/$job" 2>&1) || fail "stasis checkpoint as root failed: $out"
[[ $out == gen-000001 ]] || fail "stasis checkpoint printed '$out', not gen-000001"
wait_recorded_generation "$job" 1 30 >/dev/null
[[ $(job_field "$job" JobState) == RUNNING ]] || fail "$(job_summary "$job") after stasis checkpoint"
log "ok: stasis checkpoint as root committed gen-000001; the job runs on and AdminComment names it"

# requeue_with COMMAND GEN RESTARTS: scontrol COMMAND ends the job after a
# checkpoint GEN; it waits (held, for requeuehold) and resumes from GEN.
requeue_with() {
    local command=$1 gen=$2 restarts=$3
    wait_file_line "$dir/job.out" "^step $((restarts * 100 + 60)) " 90
    scontrol "$command" "$job" || fail "scontrol $command $job failed"
    wait_requeued "$job" "$restarts" 60
    grep -q "^stasis run: $gen committed (SIGTERM" "$dir/job.out" ||
        fail "scontrol $command: no checkpoint at its signal: $(grep '^stasis run: ' "$dir/job.out" | tail -n 4)"
    [[ $(recorded_generation "$job") == "$gen" ]] ||
        fail "scontrol $command: AdminComment names $(recorded_generation "$job"), not $gen"
    log "ok: scontrol $command checkpointed the job into $gen before it ended ($(job_summary "$job"))"
    if [[ $command == requeuehold ]]; then
        [[ $(job_field "$job" Reason) == job_requeued_in_held_state ]] ||
            fail "requeuehold: $(job_summary "$job"), not held"
        scontrol release "$job" || fail "scontrol release $job failed"
    fi
    release_requeued "$job"
    wait_job_state "$job" RUNNING 60
    wait_file_line "$dir/job.out" "^stasis run: resumed $gen " 60
}

requeue_with requeue gen-000002 1
requeue_with requeuehold gen-000003 2
wait_job_state "$job" COMPLETED 180
check_output_matches "$dir"
log "PASS: checkpoint now, requeue and requeuehold each lost nothing; same output"
