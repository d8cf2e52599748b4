#!/usr/bin/env bash
# A task that cannot be stopped makes `stasis dump` give up, never hang:
# (1) a vfork parent whose child sleeps longer than --freeze-timeout 2s: exit
#     1 within a few seconds with one line naming it ("in vfork, waiting for
#     child C"), no image, and every task of the tree (the shell above it,
#     which was stopped first) let go: the job finishes with the answer of an
#     uninterrupted run; the same when the vfork parent is a thread other
#     than its process's leader, the others stopped first;
# (2) a vfork child that execs within the deadline is waited for: the dump
#     succeeds and the restored job finishes with the same answer;
# (3) a process held by another tracer: one line naming the tracer, and the
#     job finishes once that tracer lets go;
# (4) a bad --freeze-timeout is a usage error (exit 2, one line).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

LONG=("$WORKLOADS/vfork_child" 40 10 6000 exit)
SHORT=("$WORKLOADS/vfork_child" 40 10 3000 exec)
# A shell above the vfork parent, which the dump stops before it: the shell
# does not exec its last command when another follows.
WRAP=(/bin/bash -c '"$@"; echo "vfork_child exited $?"' wrap)

# wait_vfork OUT PID: wait until the vfork child of the tree of PID says it
# sleeps, and the task that vforked is in the vfork (state D). Sets VFORKER
# (its process), VTASK (the task) and VCHILD.
wait_vfork() {
    local out=$1 pid=$2 deadline=$((SECONDS + $(budget 30))) p t
    until grep -q '^vfork child sleeping' "$out" 2>/dev/null; do
        alive "$pid" || fail "the workload ended before its vfork: $(tail -3 "$out.err")"
        ((SECONDS < deadline)) || fail "no vfork child within 30 s"
        sleep 0.02
    done
    VFORKER=
    for p in $(tree_pids "$pid"); do
        for t in $(ls "/proc/$p/task" 2>/dev/null); do
            if [[ $(cat "/proc/$p/comm" 2>/dev/null) == vfork_child && $(proc_state "$p" "$t") == D ]]; then
                VFORKER=$p VTASK=$t
            fi
        done
    done
    [[ -n $VFORKER ]] || fail "no task of vfork_child in state D below pid $pid"
    read -r VCHILD _ < <(cat "/proc/$VFORKER/task/$VTASK/children")
    log "vfork parent: task $VTASK of process $VFORKER, child $VCHILD"
}

# let_go WHAT PID...: every task of each process runs on, neither stopped
# nor traced.
let_go() {
    local what=$1 p t st tracer
    shift
    for p in "$@"; do
        for t in $(ls "/proc/$p/task" 2>/dev/null); do
            st=$(proc_state "$p" "$t")
            tracer=$(awk '/^TracerPid:/ {print $2}' "/proc/$p/task/$t/status" 2>/dev/null)
            if [[ $st == [tTZ] || ${tracer:-0} != 0 ]]; then
                check_fail "$what: task $t of pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) is stopped or traced: state $st, TracerPid $tracer"
            fi
        done
    done
}

# finish_like_reference WHAT PID REF OUT: the job ends by itself, exit 0,
# with the uninterrupted run's output.
finish_like_reference() {
    wait_child "$2" 60 || fail "$1: the job did not finish within 60 s"
    ((CHILD_RC == 0)) || fail "$1: the job exited $CHILD_RC: $(tail -3 "$4.err")"
    compare_outputs "$3" "$4" "$1"
}

# --- (1) a long vfork: the dump gives up --------------------------------------
WL_CMD=("${WRAP[@]}" "${LONG[@]}")
mkdir -p "$T/ref-long" "$T/ref-short"
run_built_reference vfork_long "$T/ref-long"
mkdir -p "$T/long"
start_workload "$T/long/out" "${WL_CMD[@]}"
wait_vfork "$T/long/out" "$WL_PID"
mapfile -t tree < <(tree_pids "$WL_PID")
started=$SECONDS
stasis dump-long 30 dump --pid "$WL_PID" --dir "$T/long/img" --freeze-timeout 2s
took=$((SECONDS - started))
check_error "dump during a 6 s vfork with --freeze-timeout 2s" 1 \
    "^stasis: process $VFORKER \(vfork_child\) could not be stopped within 2s: in vfork, waiting for child $VCHILD\$"
((VTASK == VFORKER)) || check_fail "the task that vforked ($VTASK) is not its process's leader ($VFORKER)"
((took <= 5)) || check_fail "the dump gave up after $took s, not about 2 s"
[[ ! -e $T/long/img && -z $(compgen -G "$T/long/.img*") ]] ||
    check_fail "the failed dump left an image behind: $(ls -a "$T/long")"
let_go "after the dump gave up" "${tree[@]}"
finish_like_reference "the job after the dump gave up" "$WL_PID" "$T/ref-long/out" "$T/long/out"

# --- (1b) the same from a thread other than the leader -----------------------
WL_CMD=("$WORKLOADS/vfork_child" 40 10 6000 thread-exit)
mkdir -p "$T/ref-thread" "$T/thread"
run_built_reference vfork_thread "$T/ref-thread"
start_workload "$T/thread/out" "${WL_CMD[@]}"
wait_vfork "$T/thread/out" "$WL_PID"
((VTASK != VFORKER)) || fail "the vfork came from the leader, not from a second thread"
stasis dump-thread 30 dump --pid "$WL_PID" --dir "$T/thread/img" --freeze-timeout 2s
check_error "dump during a 6 s vfork of a second thread" 1 \
    "^stasis: thread $VTASK \(vfork_child\) of process $VFORKER \(vfork_child\) could not be stopped within 2s: in vfork, waiting for child $VCHILD\$"
[[ ! -e $T/thread/img ]] || check_fail "the failed dump left $T/thread/img"
let_go "after the dump gave up on a thread" "$WL_PID" "$VCHILD"
finish_like_reference "the job after the dump gave up on a thread" "$WL_PID" "$T/ref-thread/out" "$T/thread/out"

# --- (2) a short vfork: waited for, then dumped and restored ------------------
WL_CMD=("${SHORT[@]}")
run_built_reference vfork_short "$T/ref-short"
mkdir -p "$T/short"
start_workload "$T/short/out" "${WL_CMD[@]}"
wait_vfork "$T/short/out" "$WL_PID"
stasis dump-short 30 dump --pid "$WL_PID" --dir "$T/short/img" --freeze-timeout 30s
expect_ok "dump during a 3 s vfork (the child execs within the deadline)"
grep -q '^child exited 0$' "$T/short/out" && check_fail "the vfork ended before the dump began; make the child sleep longer"
wait_child "$WL_PID" 10 || fail "the dumped job still runs 10 s after dump"
restore_and_check vfork_short "$T/short" "$T/ref-short" "restored after a vfork it waited for"

# --- (3) another tracer holds the job -----------------------------------------
WL_CMD=("${SHORT[@]}")
mkdir -p "$T/traced"
start_workload "$T/traced/out" "${WL_CMD[@]}"
job=$WL_PID
wait_lines "$T/traced/out" 3 30 "$job"
start_workload "$T/traced/holder.out" "$WORKLOADS/ptrace_holder" "$job"
holder=$WL_PID
wait_lines "$T/traced/holder.out" 1 30 "$holder"
stasis dump-traced 30 dump --pid "$job" --dir "$T/traced/img" --freeze-timeout 2s
check_error "dump of a process another tracer holds" 1 \
    "^stasis: process $job \(vfork_child\) cannot be checkpointed: traced by $holder \(ptrace_holder\); checkpoint it through that tracer\$"
[[ ! -e $T/traced/img ]] || check_fail "the refused dump left $T/traced/img"
kill -TERM "$holder"
wait_child "$holder" 10 && ((CHILD_RC == 0)) || fail "ptrace_holder did not let go (exit $CHILD_RC)"
let_go "after the other tracer let go" "$job"
finish_like_reference "the job after the other tracer let go" "$job" "$T/ref-short/out" "$T/traced/out"

# --- (4) bad values -----------------------------------------------------------
for bad in abc 0 -1s 2x; do
    stasis "bad-$bad" 10 dump --pid $$ --dir "$T/bad" --freeze-timeout "$bad"
    if ((LAST_RC != 2)) || (($(line_count "$LAST_LOG") != 1)) || ! grep -q -- '^stasis: --freeze-timeout' "$LAST_LOG"; then
        check_fail "--freeze-timeout '$bad': expected exit 2 and one line naming the option, got exit $LAST_RC: $(cat "$LAST_LOG")"
    else
        log "ok: --freeze-timeout '$bad' -> $(cat "$LAST_LOG")"
    fi
done
finish
