#!/usr/bin/env bash
# As root, a job in a cgroup of its own, delegated to the test user as
# Slurm's proctrack/cgroup or PBS's cgroups hook would give it, that forks
# all the time (fork_storm): the user's `stasis dump` freezes the cgroup
# first (the log says so), the cgroup is thawed again afterwards, and the
# restored job finishes with the answer of an uninterrupted run. For cgroup
# v2, and for the v1 freezer where it is mounted. A cgroup that also holds a
# process outside the tree is not frozen (the log says ptrace only): the
# dump still works and that process runs on.
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
STORM=("$WORKLOADS/fork_storm" 100 4 1000)

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

# dump_storm NAME CG [OUTSIDER_CMD...]: run fork_storm in CG (with another
# program of the user beside it, not in its tree, if given), dump it at a
# random line, check how it was frozen, restore, and compare with the
# reference. Sets FIGURE.
dump_storm() {
    local name=$1 cg=$2 dir=$T/$1 outsider=
    shift 2
    mkdir -p "$dir"
    chown "$user": "$dir"
    if (($# > 0)); then
        start_in_cgroup "$cg" "$dir/outsider.out" "$@"
        outsider=$WL_PID
    fi
    start_in_cgroup "$cg" "$dir/out" "${STORM[@]}"
    log "$name: fork_storm is pid $WL_PID in $cg${outsider:+, beside pid $outsider outside its tree}"
    wait_random_line "$dir/out" 5 40 "$WL_PID"
    stasis "dump-$name" 60 -v dump --pid "$WL_PID" --dir "$dir/img"
    expect_ok "dump of fork_storm in $cg"
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
    wait_child "$WL_PID" 10 || fail "$name: fork_storm still runs 10 s after the dump"
    ((CHILD_RC == 137)) || fail "$name: the dumped fork_storm should have been killed (137), it exited $CHILD_RC"
    restore_and_check fork_storm "$dir" "$T/ref" "$name restored"
    if [[ -n $outsider ]]; then
        kill -KILL "$outsider"
        wait_child "$outsider" 10
    fi
}

WL_CMD=("${STORM[@]}")
mkdir -p "$T/ref"
run_built_reference fork_storm "$T/ref"

[[ -n $V2_MOUNT ]] || fail "no cgroup2 mount"
make_cgroup "$V2_MOUNT" v2
dump_storm v2 "$CG"
v2_figure=$FIGURE

v1_figure="(no v1 freezer mounted)"
if [[ -n $V1_MOUNT ]]; then
    make_cgroup "$V1_MOUNT" v1
    dump_storm v1 "$CG"
    v1_figure=$FIGURE
fi

make_cgroup "$V2_MOUNT" shared
dump_storm shared "$CG" /bin/sleep 1000
log "freeze times: v2: $v2_figure; v1: $v1_figure; ptrace only: $FIGURE"
finish
