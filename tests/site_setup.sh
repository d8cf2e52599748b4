# shellcheck shell=bash
# site_setup.sh: what the scheduler tests (tests/slurm, tests/pbs) share:
# the build installed under a prefix, a site config of the test's own, the
# tree_bash_loop job with its uninterrupted reference run, and the check of
# a job's output. Needs fail(), log(), job_dir() and WORKLOADS from the
# sourcing lib, as_test_user() from tests/run-as-user.sh.

# install_build BUILD PREFIX LOG: cmake --install BUILD under PREFIX.
install_build() {
    cmake --install "$1" --prefix "$2" >"$3" 2>&1 || fail "cmake --install $1 failed: $(tail -n 3 "$3")"
}

# write_site_config FILE DEFAULTS [KEY=VALUE...] [-- REST...]: FILE gets the
# settings of the associative array named DEFAULTS, each KEY=VALUE replacing
# or adding one; what follows `--` is left in SITE_REST for the caller.
write_site_config() {
    local file=$1 key
    local -n defaults=$2
    local -A keys=()
    shift 2
    for key in "${!defaults[@]}"; do
        keys[$key]=${defaults[$key]}
    done
    SITE_REST=()
    while (($#)); do
        if [[ $1 == -- ]]; then
            shift
            # shellcheck disable=SC2034 # read by the caller
            SITE_REST=("$@")
            break
        fi
        keys[${1%%=*}]=${1#*=}
        shift
    done
    for key in "${!keys[@]}"; do
        echo "$key: ${keys[$key]}"
    done >"$file"
}

# check_job_output DIR CLEAN: DIR/job.out, less what the command CLEAN
# takes out (the agent's and the scheduler's lines), equals
# DIR/reference.out, the output of an uninterrupted run, exactly. Waits for
# the reference run, REFERENCE_PID.
check_job_output() {
    local dir=$1 clean=$2
    wait "$REFERENCE_PID" || fail "the reference run failed"
    if ! diff <("$clean" "$dir/job.out") "$dir/reference.out" >"$dir/output.diff"; then
        echo "---- job.out" >&2
        tail -n 30 "$dir/job.out" >&2
        echo "---- diff (job, reference)" >&2
        head -n 30 "$dir/output.diff" >&2
        fail "the job's output differs from an uninterrupted run's"
    fi
    log "the job's output equals an uninterrupted run's ($(wc -l <"$dir/reference.out") lines)"
}

# bash_loop_job NAME STEPS: a job directory NAME holding job.sh, a batch
# script running the tree_bash_loop workload for STEPS steps in work/.
# reference.out, the output of an uninterrupted run of the same workload, is
# made by start_reference (check_job_output waits for it). Prints the
# directory.
REFERENCE_PID=
bash_loop_job() {
    local dir
    dir=$(job_dir "$1")
    as_test_user mkdir "$dir/work" "$dir/reference"
    cat >"$dir/job.sh" <<SCRIPT
#!/bin/bash
bash "$WORKLOADS/tree_bash_loop.sh" "$WORKLOADS" "$dir/work" "$2"
SCRIPT
    chmod 0755 "$dir/job.sh"
    echo "$dir"
}

# start_reference DIR STEPS: the uninterrupted run for bash_loop_job DIR, in
# the background.
start_reference() {
    as_test_user bash "$WORKLOADS/tree_bash_loop.sh" "$WORKLOADS" "$1/reference" "$2" \
        >"$1/reference.out" </dev/null 251>&- 255>&- &
    REFERENCE_PID=$!
}
