#!/usr/bin/env bash
# An Open MPI job in a batch job (`sbatch -n 2 --checkpoint-interval`,
# `mpirun -np 2` inside the script) commits generations, is preempted by a
# job of a higher partition, is requeued by Slurm, restored as a whole tree
# (the batch script, mpirun and its ranks) from the generation AdminComment
# names, and ends with the output of an uninterrupted run. Skipped (exit 77)
# where Open MPI is not installed.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"
if [[ ! -x $WORKLOADS/mpi_steps ]] || ! command -v mpirun >/dev/null; then
    echo "SKIP: Open MPI is not installed (deploy/install-deps.sh installs openmpi-bin and libopenmpi-dev)"
    exit 77
fi

start_stasis_cluster -- --grace-time 5
dir=$(job_dir mpi)
mpi_cmd=(mpirun --oversubscribe -np 2 "$WORKLOADS/mpi_steps" 1500 20)
cat >"$dir/job.sh" <<SCRIPT
#!/bin/bash
${mpi_cmd[*]}
SCRIPT
chmod 0755 "$dir/job.sh"
as_user "$STASIS_TEST_USER" "${mpi_cmd[@]}" >"$dir/reference.out" </dev/null 251>&- 255>&- &
REFERENCE_PID=$!
cd "$dir"
job=$(submit_as "$STASIS_TEST_USER" -p low -n 2 --requeue --checkpoint-interval=3s -o "$dir/job.out" "$dir/job.sh")
log "job $job submitted"
wait_job_state "$job" RUNNING 60
periodic=$(wait_recorded_generation "$job" 2 60)
log "AdminComment names $periodic (periodic)"

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
log "PASS: the MPI job was preempted, requeued, resumed from $at_preemption, same output"
