#!/usr/bin/env bash
# A checkpointed job whose walltime is shorter than its work: walltime_margin
# before the limit the agent checkpoints it and ends it (exit 75), the
# epilogue hook has PBS rerun it, each run resumes where the last stopped,
# and the job ends, across several runs, with the output of an
# uninterrupted run, never killed at its limit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Each run is stopped 12 s after its start (walltime 37 s, margin 25 s).
start_stasis_pbs walltime_margin=25s
DIR=$(bash_loop_job walltime 500)
start_reference "$DIR" 500
JOB=$(submit -c c -l walltime=00:00:37 -o "$DIR/job.out" -j oe "$DIR/job.sh")
log "job $JOB submitted (walltime 37 s)"
wait_job "$JOB" job_state F 400
[[ $(job_attr "$JOB" Exit_status) == 0 ]] || fail "job $JOB ended with exit status $(job_attr "$JOB" Exit_status)"
runs=$(job_attr "$JOB" run_count)
((runs >= 2)) || fail "job $JOB ran $runs times: it was never stopped before its walltime"
grep -q '^stasis run: resumed gen-' "$DIR/job.out" || fail "job $JOB never resumed"
! grep -q 'walltime .* exceeded' "$DIR/job.out" || fail "PBS killed job $JOB at its walltime"
check_output "$DIR"
log "PASS: stopped before its walltime and rerun $((runs - 1)) times, same output"
