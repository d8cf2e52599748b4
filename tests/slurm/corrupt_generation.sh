#!/usr/bin/env bash
# The generation a preempted job was requeued with is damaged before the job
# runs again: the job resumes from the previous generation, says so in its
# output, and still ends with the output of an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster -- --grace-time 5
run_checkpointed_bash_loop corrupt 400
dir=$DIR job=$JOB
preempt "$job" 3
wait_requeued "$job" 1 90
gen=$(recorded_generation "$job")
[[ -n $gen ]] || fail "AdminComment names no generation after the preemption"

# Damage the middle of the largest data file of that generation.
data=$(ls -S "$SPOOL/$job/$gen"/pages-*.bin | head -n 1)
size=$(stat -c %s "$data")
printf 'garbage!' | dd of="$data" bs=1 seek=$((size / 2)) conv=notrunc status=none
log "damaged $data at offset $((size / 2))"

wait_job_state "$PREEMPTOR" COMPLETED 60
release_requeued "$job"
wait_job_state "$job" COMPLETED 180
grep -q "^stasis run: $gen does not verify (.*); resuming from gen-[0-9]* instead" "$dir/job.out" ||
    fail "job.out does not say that $gen was damaged: $(grep '^stasis run: ' "$dir/job.out" | tail -n 4)"
check_output_matches "$dir"
log "PASS: $gen damaged, resumed from the one before, same output"
