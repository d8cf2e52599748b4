#!/usr/bin/env bash
# A two-node srun step whose task on node2 opens a TCP connection to a
# process on another host (slurmctld's port, standing in for an MPI peer on
# another node) half-way through. From then on that task's part cannot be
# written: each generation fails as a whole, in one line naming the task,
# its node and the peer, while the job runs on and the last generation
# taken before the connection stays LATEST. Preempted then, the job's stop
# checkpoint fails the same way; the requeued job resumes from that older
# generation, both tasks continue from their parts taken before the
# connection, and the output is that of an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster -- --grace-time 5 --nodes 2
ctld=$(sed -n 's/^SlurmctldHost=.*(\(.*\))$/\1/p' "$T/cluster/slurm.conf")
port=$(sed -n 's/^SlurmctldPort=//p' "$T/cluster/slurm.conf")
[[ -n $ctld && -n $port ]] || fail "cannot find slurmctld's address in $T/cluster/slurm.conf"
dir=$(job_dir refused)
cd "$dir"
cat >job.sh <<SCRIPT
#!/bin/bash
echo "job starts"
srun bash -c 'echo "solve task \$SLURM_PROCID starts"
for i in \$(seq 1 60); do
    echo "solve task \$SLURM_PROCID step \$i"
    if [[ \$SLURM_PROCID == 1 && \$i == 16 ]]; then exec 3<>/dev/tcp/$ctld/$port; fi
    sleep 0.25
done'
echo "step 1 exit \$?"
echo "job ends"
SCRIPT
chmod 0755 job.sh
{
    echo "job starts"
    for t in 0 1; do echo "solve task $t starts"; for i in $(seq 1 60); do echo "solve task $t step $i"; done; done
    echo "step 1 exit 0"
    echo "job ends"
} >expected.out

job=$(submit_as "$STASIS_TEST_USER" -N 2 -p low --requeue --checkpoint-interval=3s -o "$dir/job.out" "$dir/job.sh")
log "job $job submitted on 2 nodes"
wait_job_state "$job" RUNNING 60
wait_file_line "$dir/job.out" '^stasis run: checkpoint gen-[0-9]* failed \(periodic\): the part of task 1 of step 0 on node2 failed: ' 60
refusal=$(grep -m 1 '^stasis run: checkpoint gen-[0-9]* failed (periodic)' "$dir/job.out")
[[ $refusal == *"$ctld:$port"*"the job runs on, gen-"*" is kept" ]] ||
    fail "the failed generation's line does not name the peer and the generation kept: $refusal"
log "a generation with task 1's connection fails as a whole: ${refusal#stasis run: }"
kept=$(sed -n 's/.*the job runs on, \(gen-[0-9]*\) is kept$/\1/p' <<<"$refusal")
wait_file_line "$dir/job.out" '^solve task 1 step 24$' 30
[[ $(cat "$SPOOL/$job/LATEST") == "$kept" ]] ||
    fail "LATEST is $(cat "$SPOOL/$job/LATEST"), not $kept, after failed generations"
[[ ! -e $SPOOL/$job/parts ]] || fail "a failed generation's parts were left in ROOT"
# The failure is logged just before its round's staging is removed, and the
# next round may already be staging: whatever is staged now must be gone
# once its round is over.
staged=$(ls -a "$SPOOL/$job" | grep '\.parts$' || true)
deadline=$((SECONDS + 20))
for name in $staged; do
    while [[ -e $SPOOL/$job/$name ]]; do
        ((SECONDS < deadline)) || fail "a failed generation's staging $name was left in ROOT"
        sleep 0.2
    done
done

preempt "$job" 5
wait_requeued "$job" 1 60
grep -q '^stasis run: checkpoint gen-[0-9]* failed (stop asked by a step: .*the part of task 1 of step 0 on node2 failed: ' "$dir/job.out" ||
    fail "the stop checkpoint did not fail on task 1's part: $(grep '^stasis run: ' "$dir/job.out" | tail -n 3)"
wait_job_state "$PREEMPTOR" COMPLETED 60
release_requeued "$job"
wait_job_state "$job" COMPLETED 120
grep -q "^stasis run: resumed $kept " "$dir/job.out" ||
    fail "the requeued job did not resume $kept: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
check_step_output "$dir/job.out" expected.out
log "PASS: generations with a part refused failed whole, $kept stayed, the job resumed from it on both nodes"
