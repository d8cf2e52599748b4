#!/usr/bin/env bash
# A single process keeps its pid through a checkpoint, unprivileged too (in a
# user + PID namespace of the restore's own): pid_keeper named a file after
# its pid and checks at every step that getpid() and its tid are still that
# pid and the file is still found by it. Restored detached, the pid in the
# pidfile is the one stasis sees, whose innermost NSpid is the original;
# restored again in the foreground, its whole output equals an uninterrupted
# run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

mkdir -p "$T/ref" "$T/run"
WL_CMD=("$WORKLOADS/pid_keeper" "$T/ref" 150)
run_built_reference pid_keeper "$T/ref"
grep -q '^pid kept$' "$T/ref/out" || fail "the uninterrupted run did not keep its pid: $(grep PID "$T/ref/out")"

start_workload "$T/run/out" "$WORKLOADS/pid_keeper" "$T/run" 150
original=$WL_PID
wait_random_line "$T/run/out" 5 100 "$original"
stasis dump 60 dump --pid "$original" --dir "$T/run/img"
expect_ok "dump of pid_keeper (pid $original)"
wait_child "$original" 10 || fail "the dumped process still runs 10 s after dump"
cp "$T/run/out" "$T/run/out.at-dump"

stasis restore-detach 60 restore --dir "$T/run/img" --detach --pidfile "$T/run/pid"
expect_ok "restore --detach"
PIDFILES+=("$T/run/pid")
seen=$(cat "$T/run/pid")
inner=$(awk '/^NSpid:/ {print $NF}' "/proc/$seen/status")
[[ $inner == "$original" ]] ||
    fail "the restored process (pid $seen as stasis sees it) has pid $inner, not its original $original: $(grep NSpid "/proc/$seen/status")"
log "ok: restored detached as pid $seen, which is $inner in its own namespace"
wait_gone "$seen" 60 || fail "the restored process did not finish"
compare_outputs "$T/ref/out" "$T/run/out" "restored detached"

cp "$T/run/out.at-dump" "$T/run/out"
restore_and_check pid_keeper "$T/run" "$T/ref" "restored again in the foreground"
log "PASS"
