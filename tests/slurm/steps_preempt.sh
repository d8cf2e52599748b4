#!/usr/bin/env bash
# A three-step batch job on two nodes (each srun step runs a task on both),
# with a stretch of the batch script alone between step 0 and step 1, is
# preempted while step 1 runs. Slurm cancels the step at once and signals
# the batch script only when the grace time is over: without stasis's step
# guard the script would go on to step 2 and the job could end COMPLETED
# with step 1 cut short. Here the step's tasks hold the signal, the agent
# is asked to stop the job through ROOT/STOP, and the plugin requeues it.
# The requeued job resumes from the generation committed between the two
# steps (a checkpoint inside srun is refused today: the srun client's
# sockets), so step 0 is not run again, step 1 runs in full, step 2 once,
# and the output is that of an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster -- --grace-time 5 --nodes 2
dir=$(job_dir steps)
cd "$dir"
cat >job.sh <<'SCRIPT'
#!/bin/bash
# Each step's tasks write files of their own; the script prints them sorted,
# so that the output does not depend on how the two nodes interleave.
echo "job starts"
srun bash -c 'echo "prepare task $SLURM_PROCID" >prepare.$SLURM_PROCID'
cat prepare.* | sort
for i in $(seq 1 40); do echo "alone $i"; sleep 0.25; done
srun bash -c ': >solve.$SLURM_PROCID; for i in $(seq 1 60); do echo "solve task $SLURM_PROCID step $i" >>solve.$SLURM_PROCID; sleep 0.25; done'
echo "step 1 exit $?"
sort solve.*
srun bash -c 'echo "post task $SLURM_PROCID" >post.$SLURM_PROCID'
cat post.* | sort
echo "job ends"
SCRIPT
chmod 0755 job.sh
{
    echo "job starts"
    echo "prepare task 0" && echo "prepare task 1"
    for i in $(seq 1 40); do echo "alone $i"; done
    echo "step 1 exit 0"
    for t in 0 1; do for i in $(seq 1 60); do echo "solve task $t step $i"; done; done | sort
    echo "post task 0" && echo "post task 1"
    echo "job ends"
} >expected.out

job=$(submit_as "$STASIS_TEST_USER" -N 2 -p low --requeue --checkpoint-interval=3s -o "$dir/job.out" "$dir/job.sh")
log "job $job submitted on 2 nodes"
wait_job_state "$job" RUNNING 60
wait_file_line "$dir/job.out" '^alone 40$' 60
wait_file_line "$dir/solve.1" 'step 8$' 30
between=$(recorded_generation "$job")
[[ -n $between ]] || fail "no generation was recorded while the batch script ran alone: $(admin_comment "$job")"
log "step 1 runs; AdminComment names $between"

preempt "$job" 5
wait_requeued "$job" 1 60
grep -q '^stasis run: a step of the job asks to stop it: SIGTERM to ' "$dir/job.out" ||
    fail "the agent was not asked to stop the job by a step: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
grep -q "a step asked to stop the job (.*STOP); requeueing the job" "$T"/cluster/log/slurmd-node1.log ||
    fail "the plugin did not requeue the job after the step's stop"
[[ $(recorded_generation "$job") == "$between" ]] ||
    fail "AdminComment names $(recorded_generation "$job"), not $between, after the preemption"
log "preempted during step 1 and requeued, never completed; resuming from $between"

wait_job_state "$PREEMPTOR" COMPLETED 60
release_requeued "$job"
wait_job_state "$job" RUNNING 60
wait_job_state "$job" COMPLETED 120
grep -q "^stasis run: resumed $between " "$dir/job.out" ||
    fail "the requeued job did not resume $between: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
if ! diff <(job_output_without_agent "$dir/job.out") expected.out >output.diff; then
    head -n 20 output.diff >&2
    fail "the job's output differs from an uninterrupted run's"
fi
[[ $(job_field "$job" Restarts) == 1 ]] || fail "job $job restarted $(job_field "$job" Restarts) times, not once"
log "PASS: step 0 ran once, step 1 ran in full after the requeue, step 2 once; same output"
