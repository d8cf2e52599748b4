#!/usr/bin/env bash
# A three-step job on two nodes whose long srun step takes longer than the
# job's time limit: walltime_margin before each limit the batch script and
# the step's tasks on both nodes are checkpointed as one generation and the
# job is requeued; each run resumes the step's tasks from their parts, the
# step finishes across several runs, the short steps run once, and the
# output is that of an uninterrupted run: the job's output file, and the
# long step's own --output files (one per task), which the relaunched srun
# appends to.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster walltime_margin=35s -- --nodes 2
dir=$(job_dir steps_walltime)
cd "$dir"
cat >job.sh <<'SCRIPT'
#!/bin/bash
echo "job starts"
srun bash -c 'echo "prepare task $SLURM_PROCID" >prepare.$SLURM_PROCID'
cat prepare.* | sort
srun --output=solve.%t bash -c 'echo "solve task $SLURM_PROCID starts"; for i in $(seq 1 200); do echo "solve task $SLURM_PROCID step $i"; sleep 0.25; done'
echo "step 1 exit $?"
srun bash -c 'echo "post task $SLURM_PROCID" >post.$SLURM_PROCID'
cat post.* | sort
echo "job ends"
SCRIPT
chmod 0755 job.sh
{
    echo "job starts"
    echo "prepare task 0" && echo "prepare task 1"
    echo "step 1 exit 0"
    echo "post task 0" && echo "post task 1"
    echo "job ends"
} >expected.out

# --time=1: each run may last a minute, 25 s of it before the margin; step 1
# needs about 50 s: three runs.
job=$(submit_as "$STASIS_TEST_USER" -N 2 -p low --requeue --time=1 --checkpoint-interval=10s -o "$dir/job.out" "$dir/job.sh")
log "job $job submitted on 2 nodes with a one-minute time limit"
for run in 1 2 3 4 5; do
    wait_job_state "$job" "RUNNING|COMPLETED" 120
    wait_job_state "$job" "PENDING|COMPLETED|TIMEOUT|FAILED" 90
    state=$(job_field "$job" JobState)
    [[ $state == PENDING ]] || break
    log "run $run ended before the time limit; requeued with AdminComment $(admin_comment "$job")"
    sleep 2  # see walltime.sh: a start in the same second as the last end is refused
    release_requeued "$job"
done
[[ $state == COMPLETED ]] || fail "job $job ended $state ($(job_summary "$job")): $(tail -n 5 "$dir/job.out")"
restarts=$(job_field "$job" Restarts)
((restarts >= 1)) || fail "job $job finished without being requeued: the test did not exercise the time limit"
grep -q "the step resumes its 2 task(s) from gen-" "$T"/cluster/log/slurmd-node*.log ||
    fail "no run resumed the step's tasks from their parts"
for t in 0 1; do
    # Slurm's own notices ("*** STEP ... CANCELLED ... DUE TO JOB REQUEUE ***")
    # go into the file too, as into the job's output.
    if ! diff <(job_output_without_agent solve.$t) <(echo "solve task $t starts"; for i in $(seq 1 200); do echo "solve task $t step $i"; done) >output.diff; then
        head -n 20 output.diff >&2
        fail "task $t's --output file does not read as one run across the requeues"
    fi
done
if ! diff <(job_output_without_agent "$dir/job.out") expected.out >output.diff; then
    head -n 20 output.diff >&2
    fail "the job's output differs from an uninterrupted run's"
fi
log "PASS: step 1 finished on both nodes across $((restarts + 1)) runs of at most a minute; steps 0 and 2 ran once; same output, its --output files too"
