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

preempt_and_resume "$dir" "$job" "$periodic"
log "PASS: the MPI job was preempted, requeued, resumed from $AT_PREEMPTION, same output"
