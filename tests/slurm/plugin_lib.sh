# shellcheck shell=bash
# plugin_lib.sh: what the tests of stasis.so share, on top of lib.sh.
#
# A test runs as   SCRIPT BUILD_DIR WORKLOAD_DIR   (tests/slurm/CMakeLists.txt),
# as root. start_stasis_cluster installs the build (cmake --install: the
# plugin execs the installed `stasis`), writes a site config for the test
# and starts a cluster whose plugstack.conf loads the plugin.

# shellcheck source=tests/slurm/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/site_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../site_setup.sh"

BUILD=${1:?usage: $0 BUILD_DIR WORKLOAD_DIR}
WORKLOADS=${2:?usage: $0 BUILD_DIR WORKLOAD_DIR}
PREFIX=/usr/local
PLUGIN=$PREFIX/lib/slurm-wlm/stasis.so
SPOOL=$T/spool

# start_stasis_cluster [KEY=VALUE...] [-- slurm-local.sh start options]:
# install stasis, write $T/stasis.yaml (short intervals for tests; a given
# KEY=VALUE replaces a default) and start the cluster with the plugin.
start_stasis_cluster() {
    # shellcheck disable=SC2034 # read through write_site_config's nameref
    local -A test_settings=([checkpoint_dir]=$SPOOL [keep]=2 [min_interval]=2s [walltime_margin]=25s)
    install_build "$BUILD" "$PREFIX" "$T/install.log"
    write_site_config "$T/stasis.yaml" test_settings "$@"
    start_test_cluster --plugin "$PLUGIN" --plugin-args "config=$T/stasis.yaml" "${SITE_REST[@]}"
}

# run_checkpointed_bash_loop NAME STEPS: a bash_loop_job NAME of STEPS
# steps (with its reference run), submitted to partition low with a
# checkpoint every 3 s, running, and with a second generation recorded.
# Sets DIR, JOB and PERIODIC (the generation AdminComment names by then) and
# leaves the shell in DIR.
run_checkpointed_bash_loop() {
    DIR=$(bash_loop_job "$1" "$2")
    start_reference "$DIR" "$2"
    cd "$DIR"
    JOB=$(submit_as "$STASIS_TEST_USER" -p low --requeue --checkpoint-interval=3s -o "$DIR/job.out" "$DIR/job.sh")
    log "job $JOB submitted"
    wait_job_state "$JOB" RUNNING 60
    PERIODIC=$(wait_recorded_generation "$JOB" 2 60)
    log "AdminComment names $PERIODIC (periodic)"
}

# preempt_and_resume DIR JOBID PERIODIC: preempt running job JOBID (its
# output in DIR/job.out) by a job of partition high; it must checkpoint at
# the preemption (a generation newer than PERIODIC in AdminComment), be
# requeued, and, released, resume from that generation and complete with the
# output of an uninterrupted run (check_output_matches), restarted once.
# Sets AT_PREEMPTION.
preempt_and_resume() {
    local dir=$1 job=$2 periodic=$3
    preempt "$job" 5
    wait_requeued "$job" 1 90
    grep -q 'committed (SIG' "$dir/job.out" || fail "no checkpoint at preemption in job.out: $(tail -n 5 "$dir/job.out")"
    AT_PREEMPTION=$(recorded_generation "$job")
    ((10#${AT_PREEMPTION#gen-} > 10#${periodic#gen-})) ||
        fail "AdminComment names $AT_PREEMPTION after the preemption, not a newer generation than $periodic"
    log "preempted and requeued; AdminComment names $AT_PREEMPTION"

    wait_job_state "$PREEMPTOR" COMPLETED 60
    release_requeued "$job"
    wait_job_state "$job" RUNNING 60
    wait_job_state "$job" COMPLETED 180
    grep -q "resumed $AT_PREEMPTION " "$dir/job.out" ||
        fail "the requeued job did not resume $AT_PREEMPTION: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
    check_output_matches "$dir"
    [[ $(job_field "$job" Restarts) == 1 ]] || fail "job $job restarted $(job_field "$job" Restarts) times, not once"
}

# recorded_generation JOBID: the generation AdminComment names, or nothing.
recorded_generation() {
    admin_comment "$1" | sed -n 's/.*stasis:{[^}]*"gen":"\(gen-[0-9]*\)".*/\1/p'
}

# wait_recorded_generation JOBID MIN TIMEOUT: wait until AdminComment names
# gen-N with N >= MIN; prints the name.
wait_recorded_generation() {
    local id=$1 min=$2 deadline=$((SECONDS + $3)) gen
    while :; do
        gen=$(recorded_generation "$id")
        if [[ -n $gen ]] && ((10#${gen#gen-} >= min)); then
            echo "$gen"
            return 0
        fi
        ((SECONDS < deadline)) || fail "job $id: AdminComment names no generation >= $min after $3 s: '$(admin_comment "$id")'"
        sleep 0.3
    done
}

# job_output_without_agent FILE: the job's output with the agent's log lines
# and Slurm's own notices (slurmstepd's "*** JOB N ... DUE TO PREEMPTION ***")
# taken out: what the program itself printed.
job_output_without_agent() {
    grep -Ev '^(stasis run|slurmstepd(-[^:]*)?): ' "$1" || true
}

# check_step_output JOBOUT EXPECTED: JOBOUT, less the agent's lines, equals
# EXPECTED, but for the lines of a two-task step ("solve task T ..."), which
# interleave as the nodes ran them: each task's own lines are in EXPECTED's
# order (a task started again would print its first lines twice), and so
# is everything else.
check_step_output() {
    local clean=$1.clean t
    job_output_without_agent "$1" >"$clean"
    for t in 0 1; do
        if ! diff <(grep "^solve task $t " "$clean") <(grep "^solve task $t " "$2") >"$clean.diff"; then
            head -n 20 "$clean.diff" >&2
            fail "task $t of the step did not continue where it was: its output differs from an uninterrupted run's"
        fi
    done
    if ! diff <(grep -v '^solve task ' "$clean") <(grep -v '^solve task ' "$2") >"$clean.diff"; then
        head -n 20 "$clean.diff" >&2
        fail "the job's output differs from an uninterrupted run's"
    fi
}

# check_output_matches DIR: job.out, less the agent's lines, equals
# reference.out exactly.
check_output_matches() { check_job_output "$1" job_output_without_agent; }
