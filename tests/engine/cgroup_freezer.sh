#!/usr/bin/env bash
# As root, a job in a cgroup of its own, delegated to the test user as
# Slurm's proctrack/cgroup or PBS's cgroups hook would give it, that forks
# all the time (fork_storm): the user's `stasis dump` freezes the cgroup
# first (the log says so), the cgroup is thawed again afterwards, and the
# restored job finishes with the answer of an uninterrupted run. For cgroup
# v2, and for the v1 freezer where it is mounted. A cgroup that also holds a
# process outside the tree is not frozen (the log says ptrace only): the
# dump still works and that process runs on. A v1 cgroup with a process
# stopped by job control in the tree (tree_stopped) is frozen too, and the
# job, left running, ends as an uninterrupted run.
# The freeze times of each way are printed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# shellcheck source=tests/run-as-user.sh
source "$(dirname "${BASH_SOURCE[0]}")/../run-as-user.sh"

(($(id -u) == 0)) || { log "SKIP: needs root"; exit 77; }

ensure_test_user
user=$STASIS_TEST_USER
# setpriv execs as the user: the pid is the one this test started.
RUN_AS=(setpriv "--reuid=$user" "--regid=$user" --init-groups)
chmod 711 "$T"

V2_MOUNT=$(findmnt -n -t cgroup2 -o TARGET | head -1)
V1_MOUNT=$(findmnt -n -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)freezer(,|$)/ {print $1; exit}')
CGROUPS=()

# shellcheck disable=SC2317 # run by lib.sh's cleanup
remove_cgroups() {
    local cg
    for cg in "${CGROUPS[@]}"; do
        rmdir "$cg" 2>/dev/null || echo "note: could not remove $cg: processes $(tr '\n' ' ' <"$cg/cgroup.procs")"
    done
}
AT_CLEANUP+=(remove_cgroups)

# make_cgroup MOUNT NAME: a cgroup under MOUNT owned by the test user (its
# directory and files: delegation). Sets CG.
make_cgroup() {
    CG=$1/stasis-test-$$-$2
    mkdir "$CG" || fail "cannot create the cgroup $CG"
    CGROUPS+=("$CG")
    chown -R "$user": "$CG"
}

# start_in_cgroup CG OUT CMD...: start CMD as the test user inside CG
# (written to its cgroup.procs as root, before the user's program runs).
# Sets WL_PID.
start_in_cgroup() {
    local cg=$1 out=$2
    shift 2
    touch "$out" "$out.err"
    chown "$user": "$out" "$out.err"
    # shellcheck disable=SC2016 # expanded by that shell
    start_workload "$out" /bin/bash -c 'echo $$ >"$1" && shift && exec "$@"' cgroup-join \
        "$cg/cgroup.procs" "${RUN_AS[@]}" "$@"
}

# frozen_state CG: what the cgroup's own freezer says now.
frozen_state() {
    if [[ -e $1/cgroup.events ]]; then
        awk '$1 == "frozen" {print "frozen " $2}' "$1/cgroup.events"
    else
        cat "$1/freezer.state"
    fi
}

# freeze_figure LOG: the "froze ... in X ms with HOW" line of a dump's log.
freeze_figure() {
    grep -Eo 'froze pid [0-9]+ and [0-9]+ more process\(es\) in [0-9.]+ ms with .*' "$1"
}

# dump_case NAME CG REF CMD...: run CMD in CG (with OUTSIDER, a command of
# the user, beside it but not in its tree, if set), dump it at a random
# line, check how it was frozen, restore, and compare with the output of
# the uninterrupted run in REF. With LEAVE_RUNNING=1 the dump leaves the
# job running instead, and the job must end as the uninterrupted run did.
# Sets FIGURE.
OUTSIDER=()
LEAVE_RUNNING=0
dump_case() {
    local name=$1 cg=$2 ref=$3 dir=$T/$1 outsider=
    shift 3
    mkdir -p "$dir"
    chown "$user": "$dir"
    if ((${#OUTSIDER[@]} > 0)); then
        start_in_cgroup "$cg" "$dir/outsider.out" "${OUTSIDER[@]}"
        outsider=$WL_PID
    fi
    start_in_cgroup "$cg" "$dir/out" "$@"
    log "$name: $1 is pid $WL_PID in $cg${outsider:+, beside pid $outsider outside its tree}"
    wait_random_line "$dir/out" 5 40 "$WL_PID"
    local leave=()
    ((LEAVE_RUNNING == 0)) || leave=(--leave-running)
    stasis "dump-$name" 60 -v dump --pid "$WL_PID" --dir "$dir/img" "${leave[@]}"
    expect_ok "dump of $1 in $cg"
    FIGURE=$(freeze_figure "$LAST_LOG")
    log "$name: $FIGURE"
    if [[ -z $outsider ]]; then
        [[ $FIGURE == *"with the cgroup v"?" freezer of $cg, then ptrace" ]] ||
            check_fail "$name: the dump did not say it froze $cg first: $(cat "$LAST_LOG")"
    else
        [[ $FIGURE == *"with ptrace only" ]] ||
            check_fail "$name: a cgroup with a process outside the tree was frozen: $(cat "$LAST_LOG")"
        not_traced_or_stopped "$outsider" || check_fail "$name: the process outside the tree is stopped or traced"
    fi
    [[ $(frozen_state "$cg") == @("frozen 0"|THAWED) ]] ||
        check_fail "$name: $cg is not thawed after the dump: $(frozen_state "$cg")"
    if ((LEAVE_RUNNING == 1)); then
        wait_child "$WL_PID" 60 || fail "$name: $1 did not end within 60 s after the dump"
        ((CHILD_RC == 0)) || fail "$name: $1 exited $CHILD_RC after the dump: $(tail -3 "$dir/out.err")"
        compare_outputs "$ref/out" "$dir/out" "$name left running"
    else
        wait_child "$WL_PID" 10 || fail "$name: $1 still runs 10 s after the dump"
        ((CHILD_RC == 137)) || fail "$name: the dumped $1 should have been killed (137), it exited $CHILD_RC"
        restore_and_check "$1" "$dir" "$ref" "$name restored"
    fi
    if [[ -n $outsider ]]; then
        kill -KILL "$outsider"
        wait_child "$outsider" 10
    fi
}

WL_CMD=("$WORKLOADS/fork_storm" 100 4 1000)
STORM=("${WL_CMD[@]}")
mkdir -p "$T/ref"
run_built_reference fork_storm "$T/ref"

[[ -n $V2_MOUNT ]] || fail "no cgroup2 mount"
make_cgroup "$V2_MOUNT" v2
dump_case v2 "$CG" "$T/ref" "${STORM[@]}"
v2_figure=$FIGURE

v1_figure="(no v1 freezer mounted)"
if [[ -n $V1_MOUNT ]]; then
    make_cgroup "$V1_MOUNT" v1
    dump_case v1 "$CG" "$T/ref" "${STORM[@]}"
    v1_figure=$FIGURE
    # A process stopped by job control is not seized while v1 freezes it
    # (the attach would wait for it to run): it is seized after the thaw,
    # and stays stopped. (Left running: a restore releases the parent
    # before it stops the child again, and the parent may look first.)
    tree_workload_cmd stopped "$T/ref-stopped"
    STOPPED=("${WL_CMD[@]}")
    mkdir -p "$T/ref-stopped"
    run_built_reference tree_stopped "$T/ref-stopped"
    make_cgroup "$V1_MOUNT" v1-stopped
    LEAVE_RUNNING=1
    dump_case v1-stopped "$CG" "$T/ref-stopped" "${STOPPED[@]}"
    LEAVE_RUNNING=0
fi

make_cgroup "$V2_MOUNT" shared
OUTSIDER=(/bin/sleep 1000)
dump_case shared "$CG" "$T/ref" "${STORM[@]}"
log "freeze times: v2: $v2_figure; v1: $v1_figure; ptrace only: $FIGURE"
finish
