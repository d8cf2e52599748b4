#!/usr/bin/env bash
# cluster_smoke.sh: the one-node test cluster works (no plugin): a job of an
# ordinary user runs and writes its output; a job in partition low is
# preempted by one in partition high, requeued, released, and runs again to
# its end with SLURM_RESTART_COUNT=1. Run as root (ctest label "root").
set -euo pipefail
# shellcheck source=tests/slurm/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GRACE=5   # seconds between preemption and the SIGTERM (GraceTime of low)
start_test_cluster --grace-time "$GRACE"

# --- a job computes something ----------------------------------------------
dir=$(job_dir compute)
cd "$dir" || exit 1
# shellcheck disable=SC2016 # expanded by the job
job=$(submit_as "$STASIS_TEST_USER" -J compute -o compute.out \
    --wrap 'echo "user=$(id -un) sum=$(seq 1 1000 | awk "{s += \$1} END {print s}")"')
log "job $job computes"
wait_job_state "$job" COMPLETED 60
[[ $(job_field "$job" ExitCode) == 0:0 ]] || fail "job $job: ExitCode $(job_field "$job" ExitCode)"
[[ $(cat compute.out) == "user=$STASIS_TEST_USER sum=500500" ]] ||
    fail "job $job wrote '$(cat compute.out)' to compute.out"
[[ $(stat -c %U compute.out) == "$STASIS_TEST_USER" ]] ||
    fail "compute.out belongs to $(stat -c %U compute.out), not $STASIS_TEST_USER"
log "ok: job $job ran as $STASIS_TEST_USER and wrote its result"

# --- preemption, requeue, release -------------------------------------------
dir=$(job_dir preempt)
cd "$dir" || exit 1
cat >counter.sh <<'EOF'
#!/bin/bash
# Counts four a second and traps nothing: until it is killed on its first
# run, to 40 on a requeued one. (A preempted job that ends by itself within
# its grace time ends TIMEOUT and is not requeued.)
echo "start restart_count=${SLURM_RESTART_COUNT:-unset}"
limit=1000000
[[ -z ${SLURM_RESTART_COUNT:-} ]] || limit=40
for ((i = 1; i <= limit; i++)); do
    echo "count $i"
    sleep 0.25
done
echo "done restart_count=${SLURM_RESTART_COUNT:-unset}"
EOF
chmod 0755 counter.sh
job=$(submit_as "$STASIS_TEST_USER" -p low -J counter -o counter.out counter.sh)
log "job $job counts in partition low"
wait_job_state "$job" RUNNING 30
wait_file_line counter.out '^count 3$' 30

preempt "$job" 3
# The job runs on for GraceTime, rounded up to slurmctld's next 30 s check,
# then gets SIGTERM (which ends the shell) and goes back to the queue, with
# Slurm's delay of about 120 s before it may start again.
wait_requeued "$job" 1 $((GRACE + 30 + 40))
[[ $(job_field "$job" Reason) == BeginTime ]] ||
    fail "requeued job $job waits for $(job_field "$job" Reason), not BeginTime"
grep -q '^count 1$' counter.out || fail "the first run of job $job printed no counter"
log "ok: job $job was preempted and requeued ($(job_summary "$job"))"

release_requeued "$job"
wait_job_state "$PREEMPTOR" COMPLETED 30
wait_job_state "$job" RUNNING 30
wait_job_state "$job" COMPLETED 60
[[ $(job_field "$job" ExitCode) == 0:0 ]] || fail "job $job: ExitCode $(job_field "$job" ExitCode)"
[[ $(job_field "$job" Restarts) == 1 ]] || fail "job $job: Restarts $(job_field "$job" Restarts), not 1"

# Slurm truncates the output file on the requeued start (--open-mode=truncate
# by default): only the second run's output is there.
[[ $(head -n1 counter.out) == "start restart_count=1" ]] ||
    fail "counter.out does not start with the second run: $(head -n3 counter.out | paste -sd'|')"
[[ $(tail -n1 counter.out) == "done restart_count=1" ]] ||
    fail "the second run of job $job did not finish: $(tail -n2 counter.out | paste -sd'|')"
[[ $(grep -c '^count' counter.out) == 40 ]] ||
    fail "counter.out has $(grep -c '^count' counter.out) counter lines, not 40"
log "ok: job $job ran again with SLURM_RESTART_COUNT=1 and completed"

log "PASS"
