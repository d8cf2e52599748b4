#!/usr/bin/env bash
# A program that inherited pipes from outside its tree on fds 3 and 4, as a
# make jobserver or a wrapper hands them down, is checkpointed while their
# other ends are held outside (pipe_holder.py hold), killed, and restored: it
# finds each pipe with its other end closed, as if the holder had exited
# (fd 3 gives the bytes that were waiting, then end-of-file; a write to fd 4
# fails with EPIPE), and the restore says so in one warning line per fd. Its
# whole output equals a run whose holder let go of the pipes at once.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
HOLDER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pipe_holder.py
WL_CMD=("$WORKLOADS/outside_pipes" 60 25)

mkdir -p "$T/ref" "$T/run"
run_timeout 90 "$T/ref/out" "$T/ref/out.err" "$PYTHON" "$HOLDER" close "$T/ref/pid" "${WL_CMD[@]}" ||
    fail "reference run exited $?: $(tail -3 "$T/ref/out.err")"
grep -q '^result ' "$T/ref/out" || fail "the reference run printed no result line"
grep -q '^fd 3: a pipe, read 28 bytes then end-of-file: "hello from outside the tree"$' "$T/ref/out" ||
    fail "the reference run did not read the holder's line from fd 3: $(grep '^fd' "$T/ref/out")"
grep -q '^fd 4: a pipe, write: EPIPE$' "$T/ref/out" ||
    fail "the reference run's write to fd 4 did not fail with EPIPE: $(grep '^fd' "$T/ref/out")"

start_workload "$T/run/out" "$PYTHON" "$HOLDER" hold "$T/run/pid" "${WL_CMD[@]}"
HOLDER_PID=$WL_PID
deadline=$((SECONDS + $(budget 30)))
until [[ -s $T/run/pid ]]; do
    alive "$HOLDER_PID" || fail "pipe_holder.py ended before starting the workload: $(tail -3 "$T/run/out.err")"
    ((SECONDS < deadline)) || fail "pipe_holder.py wrote no pid file within 30 s"
    sleep 0.05
done
WL_PID=$(<"$T/run/pid")
STARTED_PIDS+=("$WL_PID")
wait_random_line "$T/run/out" 5 40 "$WL_PID"
stasis dump-run 60 dump --pid "$WL_PID" --dir "$T/run/img"
expect_ok "dump of a program holding pipes that lead outside its tree (pid $WL_PID)"
log "dumped at line $(line_count "$T/run/out")"
wait_child "$HOLDER_PID" 10 || fail "pipe_holder.py still runs 10 s after the dump killed its child"
((CHILD_RC == 137)) || fail "the dumped workload should have been killed by SIGKILL (137), pipe_holder.py says $CHILD_RC"

stasis restore-run 60 restore --dir "$T/run/img"
expect_ok "restore of the program whose pipes led outside its tree"
for fd in 3 4; do
    grep -q "^stasis: fd $fd (pipe:\[[0-9]*\]) led to a process outside the checkpointed tree; it comes back with its other end closed" "$LAST_LOG" ||
        check_fail "the restore did not warn about fd $fd: $(cat "$LAST_LOG")"
done
(($(grep -c '' "$LAST_LOG") == 2)) || check_fail "the restore printed more than the two warnings: $(cat "$LAST_LOG")"
compare_outputs "$T/ref/out" "$T/run/out" "the restored program"
finish
