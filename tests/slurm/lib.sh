# shellcheck shell=bash
# lib.sh: helpers for tests on a real Slurm cluster (deploy/slurm-local.sh).
#
# A test script (run as root) starts with
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     start_test_cluster [--plugin SO [--plugin-args "K=V ..."]] [--grace-time S]
# which starts a cluster of the test's own in $T/cluster and stops it when
# the script exits, whatever happens. Jobs run as the ordinary user
# $STASIS_TEST_USER (stasis-test), in directories made by job_dir.
#
# Every wait has a deadline and fails the test with the job's state and the
# tails of the cluster's logs. Environment knobs:
#   STASIS_TEST_KEEP=1    keep $T (cluster logs, job outputs) after the test
#   STASIS_SLURM_*        passed on to deploy/slurm-local.sh (ports, proctrack, ...)

set -euo pipefail

SLURM_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SLURM_LOCAL=$(cd "$SLURM_TESTS/../../deploy" && pwd)/slurm-local.sh
TEST_NAME=$(basename "$0" .sh)
EXIT_SKIP=77   # ctest's SKIP_RETURN_CODE for these tests

# shellcheck source=tests/run-as-user.sh
source "$SLURM_TESTS/../run-as-user.sh"

log() { printf '[%s %s] %s\n' "$TEST_NAME" "$(date +%T)" "$*"; }

if (($(id -u) != 0)); then
    log "SKIP: needs root (it starts slurmctld, slurmd and munged)"
    exit "$EXIT_SKIP"
fi

T=$(mktemp -d "/tmp/stasis-$TEST_NAME.XXXXXX")
chmod 0755 "$T"
CLUSTER_STARTED=0

# fail MESSAGE: one line saying what went wrong, the tails of the cluster's
# logs, then end the test (the EXIT trap stops the cluster).
fail() {
    echo "FAIL: $*" >&2
    show_cluster_logs
    exit 1
}

show_cluster_logs() {
    local f
    for f in "$T/cluster/log/slurmctld.log" "$T"/cluster/log/slurmd*.log; do
        [[ -s $f ]] || continue
        echo "---- tail of $f" >&2
        tail -n 25 "$f" >&2
    done
}

cleanup() {
    local rc=$?
    trap - EXIT
    if ((CLUSTER_STARTED)); then
        STASIS_SLURM_DIR=$T/cluster "$SLURM_LOCAL" stop || rc=1
    fi
    if [[ ${STASIS_TEST_KEEP:-0} == 1 ]]; then
        echo "kept $T"
    else
        rm -rf "$T"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted"; exit 1' INT TERM

# start_test_cluster [slurm-local.sh start options]: start the test's own
# cluster in $T/cluster; exports SLURM_CONF. It is stopped on exit.
start_test_cluster() {
    ensure_test_user
    CLUSTER_STARTED=1
    local env_file
    env_file=$(STASIS_SLURM_DIR=$T/cluster "$SLURM_LOCAL" start "$@") ||
        fail "the test cluster did not start (deploy/slurm-local.sh start $*)"
    # shellcheck source=/dev/null
    source "$env_file"
    log "cluster up: $SLURM_CONF, proctrack/$STASIS_SLURM_PROCTRACK"
}

# stop_test_cluster: stop the cluster now (it is stopped on exit anyway).
stop_test_cluster() {
    STASIS_SLURM_DIR=$T/cluster "$SLURM_LOCAL" stop || fail "the test cluster did not stop"
    CLUSTER_STARTED=0
}

# job_dir NAME: a directory $T/jobs/NAME owned by the test user, for a job's
# working directory, script and output; prints its path.
job_dir() {
    local dir=$T/jobs/$1
    mkdir -p "$dir"
    chmod 0755 "$T/jobs"
    chown "$STASIS_TEST_USER": "$dir"
    echo "$dir"
}

# as_user USER CMD...: run CMD as USER with the cluster's SLURM_CONF.
as_user() {
    local user=$1
    shift
    if [[ $user == root ]]; then
        "$@"
    else
        runuser -u "$user" -- env PATH=/usr/local/bin:/usr/bin:/bin LC_ALL=C.UTF-8 \
            SLURM_CONF="$SLURM_CONF" "$@"
    fi
}

# submit_as USER SBATCH_ARGS...: sbatch as USER from the current directory
# (which USER must be able to enter); prints the job id.
submit_as() {
    local user=$1 out
    shift
    out=$(as_user "$user" sbatch --parsable "$@" 2>&1) ||
        fail "sbatch as $user failed: $out (sbatch $*)"
    out=${out%%;*}   # "ID;CLUSTER" with several clusters
    [[ $out =~ ^[0-9]+$ ]] || fail "sbatch as $user printed no job id: $out"
    echo "$out"
}

# job_record JOBID: the one line of `scontrol show job -o JOBID`.
job_record() {
    scontrol show job -o "$1" 2>/dev/null || true
}

# job_field JOBID FIELD: FIELD's value in `scontrol show job -o JOBID`
# (e.g. JobState, Reason, Restarts, ExitCode, StdOut). A value runs up to the
# next " Key=", so values with spaces (AdminComment, WorkDir) come out whole.
job_field() {
    job_record "$1" | awk -v field="$2" '{
        start = index(" " $0, " " field "=")
        if (!start) exit 1
        rest = substr($0, start + length(field) + 1)
        if (match(rest, / +[A-Za-z][A-Za-z0-9_:\/]*=/)) rest = substr(rest, 1, RSTART - 1)
        sub(/ +$/, "", rest)
        print rest
    }'
}

# job_json JOBID FIELD: FIELD of job JOBID in `squeue --json` (e.g.
# admin_comment, restart_cnt, job_state). squeue --json of Slurm 22.05
# ignores -j and lists every job: this picks JOBID out.
job_json() {
    squeue --json 2>/dev/null | python3 -c '
import json, sys
jobs = [j for j in json.load(sys.stdin)["jobs"] if str(j["job_id"]) == sys.argv[1]]
if not jobs:
    sys.exit(1)
value = jobs[0].get(sys.argv[2])
print(json.dumps(value) if isinstance(value, (dict, list)) else value)
' "$1" "$2"
}

# admin_comment JOBID: the job's AdminComment, exactly (from squeue --json).
admin_comment() { job_json "$1" admin_comment; }

# job_summary JOBID: state, reason and restart count, for messages.
job_summary() {
    echo "job $1: $(job_field "$1" JobState || echo '?') reason=$(job_field "$1" Reason || echo '?')" \
        "restarts=$(job_field "$1" Restarts || echo '?')"
}

# wait_job_state JOBID STATE TIMEOUT: wait until the job's JobState is STATE
# (or one of STATE's |-separated alternatives: "COMPLETED|FAILED").
wait_job_state() {
    local id=$1 want=$2 deadline=$((SECONDS + $3)) state
    while :; do
        state=$(job_field "$id" JobState || true)
        [[ -n $state && "|$want|" == *"|$state|"* ]] && return 0
        ((SECONDS < deadline)) || fail "$(job_summary "$id"), not $want after $3 s"
        sleep 0.2
    done
}

# wait_job_field JOBID FIELD VALUE TIMEOUT: wait until FIELD is VALUE.
wait_job_field() {
    local id=$1 field=$2 want=$3 deadline=$((SECONDS + $4))
    until [[ $(job_field "$id" "$field" || true) == "$want" ]]; do
        ((SECONDS < deadline)) ||
            fail "job $id: $field is '$(job_field "$id" "$field" || true)', not '$want' after $4 s ($(job_summary "$id"))"
        sleep 0.2
    done
}

# wait_file_line FILE REGEX TIMEOUT: wait until a line of FILE matches REGEX
# (extended).
wait_file_line() {
    local file=$1 re=$2 deadline=$((SECONDS + $3))
    until grep -Eq -- "$re" "$file" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "no line matching /$re/ in $file after $3 s"
        sleep 0.2
    done
}

# job_pids JOBID: the pids of the job's processes on the node (scontrol
# listpids), one per line.
job_pids() {
    scontrol listpids "$1" 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}'
}

# preempt JOBID [SECONDS]: submit, as root, a job in partition high that
# takes the whole node for SECONDS (default 5), so that the running job
# JOBID (in partition low) is preempted. Sets PREEMPTOR to its job id.
preempt() {
    local id=$1 hold=${2:-5}
    [[ $(job_field "$id" JobState || true) == RUNNING ]] ||
        fail "preempt: $(job_summary "$id") is not running"
    PREEMPTOR=$(cd / && submit_as root -p high --exclusive -N1 -J preemptor \
        -o /dev/null --wrap "sleep $hold")
    log "job $PREEMPTOR (partition high, whole node, ${hold} s) preempts job $id"
}

# wait_requeued JOBID RESTARTS TIMEOUT: wait until the job is back in the
# queue (PENDING) after its RESTARTS-th requeue.
wait_requeued() {
    local id=$1 restarts=$2 deadline=$((SECONDS + $3))
    until [[ $(job_field "$id" JobState || true) == PENDING &&
        $(job_field "$id" Restarts || true) == "$restarts" ]]; do
        ((SECONDS < deadline)) || fail "$(job_summary "$id"), not requeued ($restarts) after $3 s"
        sleep 0.2
    done
}

# release_requeued JOBID: let a requeued (PENDING, Reason=BeginTime) job run
# as soon as the node is free, instead of Slurm's delay (about 120 s). Not
# within the second its last run was killed in: slurmd refuses a credential
# made no later than the second it revoked the job's old one ("Job
# credential revoked"), and the job fails.
release_requeued() {
    [[ $(job_field "$1" JobState || true) == PENDING ]] ||
        fail "release_requeued: $(job_summary "$1") is not pending"
    sleep "$(date +%N | awk '{ printf "%.3f", 1.1 - $1 / 1e9 }')"
    scontrol update jobid="$1" StartTime=now || fail "scontrol update jobid=$1 StartTime=now failed"
    log "job $1 released (StartTime=now)"
}

# requeue JOBID: requeue a job as root (scontrol requeue).
requeue() {
    scontrol requeue "$1" || fail "scontrol requeue $1 failed ($(job_summary "$1"))"
    log "job $1 requeued"
}

# cancel JOBID: cancel a job (it no longer counts for the test).
cancel() {
    scancel "$1" 2>/dev/null || true
}
