# shellcheck shell=bash
# lib.sh: helpers for the tests of stasis on a real one-node OpenPBS
# (deploy/pbs-local.sh), with the hooks installed by pbs_hooks/install.sh.
#
# A test runs as   SCRIPT BUILD_DIR WORKLOAD_DIR   (tests/pbs/CMakeLists.txt)
# as root, and starts with
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     start_stasis_pbs [KEY=VALUE...] [-- pbs-local.sh start options]
# which installs the build (cmake --install, as the Slurm tests do), writes a
# site config, starts OpenPBS and installs the hooks; the EXIT trap removes
# the test's jobs and the hooks and stops PBS, whatever happens. Jobs run as
# the ordinary user $STASIS_TEST_USER (stasis-test).
#
# It is skipped (exit 77) when not root or when PBS_EXEC (default /opt/pbs)
# holds no OpenPBS: docs/pbs.md says how to build one.
#   STASIS_TEST_KEEP=1    keep $T (site config, job outputs, checkpoints)

set -euo pipefail

PBS_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$PBS_TESTS/../.." && pwd)
PBS_LOCAL=$SRC/deploy/pbs-local.sh
TEST_NAME=pbs_$(basename "$0" .sh)
EXIT_SKIP=77
export PBS_EXEC=${PBS_EXEC:-/opt/pbs}
PBS_HOME=/var/spool/pbs
PREFIX=/usr/local

# shellcheck source=tests/run-as-user.sh
source "$SRC/tests/run-as-user.sh"
# shellcheck source=tests/site_setup.sh
source "$SRC/tests/site_setup.sh"

log() { printf '[%s %s] %s\n' "$TEST_NAME" "$(date +%T)" "$*"; }

if (($(id -u) != 0)); then
    log "SKIP: needs root (it starts OpenPBS's daemons)"
    exit "$EXIT_SKIP"
fi
if [[ ! -x $PBS_EXEC/sbin/pbs_server ]]; then
    log "SKIP: no OpenPBS in PBS_EXEC=$PBS_EXEC (docs/pbs.md, \"A test server\")"
    exit "$EXIT_SKIP"
fi

BUILD=${1:?usage: $0 BUILD_DIR WORKLOAD_DIR}
WORKLOADS=${2:?usage: $0 BUILD_DIR WORKLOAD_DIR}
T=$(mktemp -d "/tmp/stasis-$TEST_NAME.XXXXXX")
chmod 0755 "$T"
SPOOL=$T/spool
PBS_STARTED=0

pbs_cmd() { env -i PATH="$PBS_EXEC/bin:/usr/bin:/bin" PBS_CONF_FILE=/etc/pbs.conf "$@"; }

fail() {
    echo "FAIL: $*" >&2
    show_pbs_logs
    exit 1
}

show_pbs_logs() {
    local day f
    day=$(date +%Y%m%d)
    for f in "$PBS_HOME/server_logs/$day" "$PBS_HOME/mom_logs/$day" "$SPOOL"/*.pbs-actions.log; do
        [[ -s $f ]] || continue
        echo "---- tail of $f" >&2
        grep -v 'Type 71\|Type 0 request\|Type 49\|Type 51' "$f" | tail -n 25 >&2
    done
}

cleanup() {
    local rc=$? jobs
    trap - EXIT
    if ((PBS_STARTED)); then
        jobs=$(pbs_cmd qselect 2>/dev/null | tr '\n' ' ')
        [[ -z $jobs ]] || pbs_cmd qdel -W force $jobs >/dev/null 2>&1 || true
        jobs=$(pbs_cmd qselect -x 2>/dev/null | tr '\n' ' ')
        [[ -z $jobs ]] || pbs_cmd qdel -x -W force $jobs >/dev/null 2>&1 || true
        bash "$SRC/pbs_hooks/install.sh" --uninstall >"$T/uninstall.log" 2>&1 || rc=1
        bash "$PBS_LOCAL" stop || rc=1
    fi
    if [[ ${STASIS_TEST_KEEP:-0} == 1 ]]; then
        log "kept $T"
    else
        rm -rf "$T"
    fi
    exit "$rc"
}
trap cleanup EXIT

# start_stasis_pbs [KEY=VALUE...] [-- pbs-local.sh start options]: install
# the build, write $T/stasis.yaml (short intervals for tests; KEY=VALUE
# replaces a default), start PBS and install the hooks.
start_stasis_pbs() {
    # shellcheck disable=SC2034 # read through write_site_config's nameref
    local -A test_settings=([checkpoint_dir]=$SPOOL [keep]=2 [min_interval]=2s [default_interval]=3s
        [walltime_margin]=25s)
    install_build "$BUILD" "$PREFIX" "$T/install.log"
    write_site_config "$T/stasis.yaml" test_settings "$@"
    PBS_STARTED=1
    bash "$PBS_LOCAL" start "${SITE_REST[@]}" || fail "deploy/pbs-local.sh start failed"
    STASIS=$PREFIX/bin/stasis bash "$SRC/pbs_hooks/install.sh" --config "$T/stasis.yaml" \
        --checkpoint-timeout 120 >"$T/hooks.log" 2>&1 || fail "install.sh failed: $(tail -n 5 "$T/hooks.log")"
}

# job_dir NAME: a directory of the test user's for one job.
job_dir() {
    local dir=$T/$1
    mkdir -p "$dir"
    chown "$STASIS_TEST_USER": "$dir"
    echo "$dir"
}

as_user() {
    local user=$1
    shift
    runuser -u "$user" -- env -i PATH="$PBS_EXEC/bin:/usr/bin:/bin" HOME="$T" PBS_CONF_FILE=/etc/pbs.conf "$@"
}

# submit QSUB_ARGS...: qsub as the test user; prints the job id.
submit() {
    local id
    id=$(cd "$T" && as_user "$STASIS_TEST_USER" qsub "$@") || fail "qsub $* failed"
    echo "$id"
}

# job_attr JOBID NAME: one attribute of the job (also a finished one) as
# `qstat -f -F json` shows it; a dotted NAME goes into a resource list
# (resources_used.stasis). Nothing when it is not set.
job_attr() {
    pbs_cmd qstat -fx -F json "$1" 2>/dev/null | python3 -c '
import json, sys
value = next(iter(json.load(sys.stdin)["Jobs"].values()))
for part in sys.argv[1].split("."):
    value = value.get(part) if isinstance(value, dict) else None
print("" if value is None else value)' "$2" || true
}

# wait_job JOBID ATTR VALUE SECONDS: wait until the job's ATTR is VALUE.
wait_job() {
    local id=$1 attr=$2 want=$3 deadline=$((SECONDS + $4))
    until [[ $(job_attr "$id" "$attr") == "$want" ]]; do
        ((SECONDS < deadline)) || fail "job $id: $attr is '$(job_attr "$id" "$attr")', not '$want' after $4 s (state $(job_attr "$id" job_state), comment '$(job_attr "$id" comment)')"
        sleep 0.5
    done
}

# committed_generations JOBID: how many committed generations the job's ROOT holds.
committed_generations() {
    "$PREFIX/bin/stasis" list --json "$SPOOL/$1" 2>/dev/null |
        python3 -c 'import json, sys; print(sum(g["status"] == "committed" for g in json.load(sys.stdin)["generations"]))' 2>/dev/null ||
        echo 0
}

# latest_number JOBID: the number of the generation LATEST names (0: none).
latest_number() {
    "$PREFIX/bin/stasis" list --json "$SPOOL/$1" 2>/dev/null |
        python3 -c 'import json, sys; print(int((json.load(sys.stdin)["latest"] or "gen-0")[4:]))' 2>/dev/null ||
        echo 0
}

wait_generations() {
    local id=$1 want=$2 deadline=$((SECONDS + $3))
    until (($(committed_generations "$id") >= want)); do
        ((SECONDS < deadline)) || fail "job $id: $(committed_generations "$id") committed generations after $3 s, not $want"
        sleep 0.5
    done
}

# check_output DIR: DIR/job.out (PBS's copy of the job's output, all its
# runs), less the agent's lines, equals the uninterrupted run's output.
check_output() { check_job_output "$1" job_output_without_agent; }
job_output_without_agent() { grep -v '^stasis run: ' "$1" || true; }

# run_checkpointed_bash_loop NAME STEPS [QSUB_ARGS...]: a bash_loop_job of
# STEPS steps (with its reference run), submitted with `qsub -c c` (the
# site's default_interval, 3 s here) on all the node's cpus, running, with
# two committed generations. Sets DIR and JOB.
run_checkpointed_bash_loop() {
    local name=$1 steps=$2
    shift 2
    DIR=$(bash_loop_job "$name" "$steps")
    start_reference "$DIR" "$steps"
    JOB=$(submit -c c -l "select=1:ncpus=$(nproc)" -o "$DIR/job.out" -j oe "$@" "$DIR/job.sh")
    log "job $JOB submitted"
    wait_job "$JOB" job_state R 60
    wait_generations "$JOB" 2 60
    log "job $JOB runs under stasis, LATEST gen-$(latest_number "$JOB")"
}

# preempt_by_express JOBID: a job of queue express that needs the whole
# node; PBS preempts JOBID for it. Prints the express job's id.
preempt_by_express() {
    printf '#!/bin/bash\nsleep 2\n' >"$T/express.sh"
    chmod 0755 "$T/express.sh"
    submit -q express -l "select=1:ncpus=$(nproc)" -o "$T/express.out" -j oe "$T/express.sh"
}

# resumed_to_the_end JOBID DIR RUNS: the job finishes with exit status 0
# after RUNS runs, resumed (the agent says so in the job's output or, after
# MoM's restart action, in the actions log), its output equal to an
# uninterrupted run's.
resumed_to_the_end() {
    local id=$1 dir=$2 runs=$3
    wait_job "$id" job_state F 240
    [[ $(job_attr "$id" Exit_status) == 0 ]] || fail "job $id ended with exit status $(job_attr "$id" Exit_status)"
    [[ $(job_attr "$id" run_count) == "$runs" ]] || fail "job $id ran $(job_attr "$id" run_count) times, not $runs"
    grep -qs '^stasis run: resumed gen-' "$dir/job.out" "$SPOOL/$id.pbs-actions.log" ||
        fail "job $id did not resume: $(grep '^stasis run: ' "$dir/job.out" | tail -n 5)"
    check_output "$dir"
    local record
    record=$(job_attr "$id" resources_used.stasis)
    # PBS quotes a string resource that holds commas.
    python3 -c '
import json, sys
record = json.loads(sys.argv[1].strip("\x27"))
assert record["gen"].startswith("gen-") and record["path"] == sys.argv[2] and record["nodes"] == 1
' "$record" "$SPOOL/$id" 2>/dev/null || fail "job $id: resources_used.stasis does not name a generation in $SPOOL/$id: $record"
    log "qstat -f: resources_used.stasis = $record"
}
