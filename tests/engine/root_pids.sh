#!/usr/bin/env bash
# As root, a restored process gets its original pid and its threads their
# original tids back (clone3 set_tid), and still finishes with the output of
# an uninterrupted run. tests/run.sh runs this one as root, after the others.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

(($(id -u) == 0)) || { log "SKIP: needs root"; exit 77; }

run_reference threads "$T/ref"
mkdir -p "$T/run"
workload_cmd threads "$T/run"
start_workload "$T/run/out" "${WL_CMD[@]}"
wait_lines "$T/run/out" "$(workload_ready_lines threads)" 60 "$WL_PID"
random_sleep
alive "$WL_PID" || fail "the workload finished before the dump"
tids_before=$(ls "/proc/$WL_PID/task" | sort -n | tr '\n' ' ')
stasis dump 90 dump --pid "$WL_PID" --dir "$T/run/img"
expect_ok "dump of pid $WL_PID"
wait_child "$WL_PID" 10 || fail "the dumped workload is still running"

stasis restore 60 restore --dir "$T/run/img" --detach --pidfile "$T/run/pid"
expect_ok "restore --detach"
PIDFILES+=("$T/run/pid")
restored=$(cat "$T/run/pid")
[[ $restored == "$WL_PID" ]] || fail "restored as pid $restored, not its original pid $WL_PID"
tids_after=$(ls "/proc/$restored/task" | sort -n | tr '\n' ' ')
[[ $tids_after == "$tids_before" ]] || fail "restored tids [$tids_after] differ from the original [$tids_before]"
log "ok: pid $restored and tids [$tids_after] are the original ones"
wait_gone "$restored" 60 || fail "the restored process did not finish"
compare_outputs "$T/ref/out" "$T/run/out" "restored with original ids"
log "PASS"
