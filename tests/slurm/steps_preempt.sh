#!/usr/bin/env bash
# A three-step batch job on two nodes (each srun step runs a task on both),
# with a stretch of the batch script alone between step 0 and step 1, is
# preempted while step 1 runs. Slurm cancels the step at once and signals
# the batch script only when the grace time is over: without stasis's step
# guard the script would go on to step 2 and the job could end COMPLETED
# with step 1 cut short. Here the step's tasks hold the signal, the agent
# is asked to stop the job through ROOT/STOP, checkpoints the batch script
# inside srun with the parts of step 1's tasks, one on each node (the srun
# client itself is not checkpointed but started anew at restore:
# --relaunch), and the plugin requeues the job. The requeued job resumes
# from that generation: step 0 is not run again, the relaunched srun's
# tasks resume step 1 from their parts where they were (a task started
# again would print its first lines twice), step 2 runs once, and the
# output is that of an uninterrupted run.
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
srun bash -c 'echo "solve task $SLURM_PROCID starts"; for i in $(seq 1 60); do echo "solve task $SLURM_PROCID step $i"; sleep 0.25; done'
echo "step 1 exit $?"
srun bash -c 'echo "post task $SLURM_PROCID" >post.$SLURM_PROCID'
cat post.* | sort
echo "job ends"
SCRIPT
chmod 0755 job.sh
{
    echo "job starts"
    echo "prepare task 0" && echo "prepare task 1"
    for i in $(seq 1 40); do echo "alone $i"; done
    for t in 0 1; do echo "solve task $t starts"; for i in $(seq 1 60); do echo "solve task $t step $i"; done; done
    echo "step 1 exit 0"
    echo "post task 0" && echo "post task 1"
    echo "job ends"
} >expected.out

job=$(submit_as "$STASIS_TEST_USER" -N 2 -p low --requeue --checkpoint-interval=3s -o "$dir/job.out" "$dir/job.sh")
log "job $job submitted on 2 nodes"
wait_job_state "$job" RUNNING 60
wait_file_line "$dir/job.out" '^alone 40$' 60
wait_file_line "$dir/job.out" '^solve task 1 step 8$' 30
periodic=$(recorded_generation "$job")
[[ -n $periodic ]] || fail "no generation was recorded while the job ran: $(admin_comment "$job")"
log "step 1 runs; AdminComment names $periodic"

preempt "$job" 5
wait_requeued "$job" 1 60
grep -q '^stasis run: a step of the job asks to stop it: SIGTERM to ' "$dir/job.out" ||
    fail "the agent was not asked to stop the job by a step: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
grep -q '^stasis run: gen-[0-9]* committed (stop asked by a step: SIGTERM to .*, with the parts of 2 step task' "$dir/job.out" ||
    fail "the agent did not checkpoint the job and its step's tasks inside srun: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
grep -q "a step asked to stop the job (.*STOP); requeueing the job" "$T"/cluster/log/slurmd-node1.log ||
    fail "the plugin did not requeue the job after the step's stop"
at_stop=$(recorded_generation "$job")
((10#${at_stop#gen-} > 10#${periodic#gen-})) ||
    fail "AdminComment names $at_stop after the preemption, not a newer generation than $periodic"
comment=$(admin_comment "$job")
[[ $comment == *'"nodes":2'* && $comment == *'"steps":[{"nodes":["node1","node2"],"step":"1","tasks":2}]'* ]] ||
    fail "AdminComment does not name step 1's parts on both nodes: $comment"
log "preempted during step 1 and requeued, never completed; resuming from $at_stop"

wait_job_state "$PREEMPTOR" COMPLETED 60
release_requeued "$job"
wait_job_state "$job" RUNNING 60
wait_job_state "$job" COMPLETED 120
grep -q "^stasis run: resumed $at_stop " "$dir/job.out" ||
    fail "the requeued job did not resume $at_stop: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
! grep -q '^stasis run: checkpoint .* failed' "$dir/job.out" ||
    fail "a checkpoint failed: $(grep '^stasis run: checkpoint .* failed' "$dir/job.out" | head -n 1)"
grep -q "the step resumes its 2 task(s) from $at_stop" "$T"/cluster/log/slurmd-node*.log ||
    fail "the relaunched srun's step did not resume its tasks from $at_stop"
check_step_output "$dir/job.out" expected.out
[[ $(job_field "$job" Restarts) == 1 ]] || fail "job $job restarted $(job_field "$job" Restarts) times, not once"
log "PASS: step 0 ran once, step 1's tasks resumed from their parts on both nodes, step 2 once; same output"
