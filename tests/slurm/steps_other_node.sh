#!/usr/bin/env bash
# On a two-node cluster, a one-node job of srun steps:
# - cancelled with scancel while a step runs, it ends CANCELLED: the step's
#   tasks pass the signal on to the agent, which ends the job, and the
#   plugin does not requeue a job Slurm is ending itself;
# - preempted by a job that takes its node, it is requeued, runs next on the
#   other node, and resumes there: the batch script's copy in that node's
#   spool is another file, which the restored shell reads on; the step that
#   was cut short resumes its task from its part, now on the other node,
#   under a relaunched srun; the output equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster -- --grace-time 5 --nodes 2
cancel_dir=$(job_dir cancel)
dir=$(job_dir move)
cd "$dir"
cat >job.sh <<'SCRIPT'
#!/bin/bash
echo "job starts"
for s in 1 2 3 4; do
    srun bash -c ': >step.$0; for i in $(seq 1 30); do echo "step $0 part $i" >>step.$0; sleep 0.2; done' "$s"
    cat "step.$s"
done
echo "job ends"
SCRIPT
chmod 0755 job.sh
cp job.sh "$cancel_dir/job.sh"
{
    echo "job starts"
    for s in 1 2 3 4; do for i in $(seq 1 30); do echo "step $s part $i"; done; done
    echo "job ends"
} >expected.out

cancelled=$(cd "$cancel_dir" && submit_as "$STASIS_TEST_USER" -N 1 -p low --requeue --checkpoint-interval=3s \
    -o "$cancel_dir/job.out" "$cancel_dir/job.sh")
wait_job_state "$cancelled" RUNNING 60
wait_file_line "$cancel_dir/step.2" 'part 5$' 60
as_user "$STASIS_TEST_USER" scancel "$cancelled"
wait_job_state "$cancelled" CANCELLED 60
# The plugin could requeue it until the batch step's slurmstepd is done.
deadline=$((SECONDS + 60))
until grep -q "\[$cancelled.batch\] done with job" "$T"/cluster/log/slurmd-node*.log; do
    ((SECONDS < deadline)) || fail "the batch step of job $cancelled was not done 60 s after scancel"
    sleep 0.2
done
[[ $(job_field "$cancelled" JobState) == CANCELLED && $(job_field "$cancelled" Restarts) == 0 ]] ||
    fail "scancel: $(job_summary "$cancelled"), not cancelled for good"
log "ok: a cancelled job stays cancelled"

job=$(submit_as "$STASIS_TEST_USER" -N 1 -p low --requeue --checkpoint-interval=3s -o "$dir/job.out" "$dir/job.sh")
wait_job_state "$job" RUNNING 60
first=$(job_field "$job" NodeList)
wait_file_line "$dir/step.2" 'part 5$' 60
PREEMPTOR=$(cd / && submit_as root -p high --exclusive -N1 -w "$first" -J preemptor -o /dev/null --wrap "sleep 120")
log "job $PREEMPTOR takes $first from job $job"
wait_requeued "$job" 1 90
release_requeued "$job"
wait_job_state "$job" RUNNING 60
second=$(job_field "$job" NodeList)
[[ $second != "$first" ]] || fail "the requeued job runs on $first again"
wait_job_state "$job" COMPLETED 120
grep -q "^stasis run: the command is .*/spool-$second/job0*$job/slurm_script now, not .*/spool-$first/" "$dir/job.out" ||
    fail "the agent did not find the script moved: $(grep '^stasis run: ' "$dir/job.out" | tail -n 4)"
grep -q "the step resumes its 1 task(s) from gen-" "$T/cluster/log/slurmd-$second.log" ||
    fail "the step's task was not resumed from its part on $second"
if ! diff <(job_output_without_agent "$dir/job.out") expected.out >output.diff; then
    head -n 20 output.diff >&2
    fail "the job's output differs from an uninterrupted run's"
fi
scancel "$PREEMPTOR"
log "PASS: ran on $first, resumed on $second (its step's task from its part), same output"
