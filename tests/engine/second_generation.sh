#!/usr/bin/env bash
# Dump, restore detached (--pidfile), dump the restored process again into a
# second image, restore that one: the output equals the uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference single "$T/ref"
start_and_dump single "$T/run"

pidfile=$T/restored.pid
PIDFILES+=("$pidfile")
stasis restore-detach 60 restore --dir "$T/run/img" --detach --pidfile "$pidfile"
expect_ok "restore --detach"
[[ -s $pidfile ]] || fail "restore --detach exited 0 but wrote no pid to $pidfile"
pid=$(tr -d '[:space:]' <"$pidfile")
[[ $pid =~ ^[0-9]+$ ]] || fail "pidfile $pidfile does not hold a pid: $(head -c 100 "$pidfile")"
alive "$pid" || fail "the detached restored process $pid is not running: $(tail -3 "$T/run/out")"
log "first restore is running as pid $pid"

# Let it make progress, then take the second-generation image.
wait_progress "$T/run/out" 20 "$pid" || fail "the restored process $pid printed nothing more in 20 s"
random_sleep 200 1000
alive "$pid" || fail "the restored process finished before the second dump; make the workload longer"
stasis dump-gen2 60 dump --pid "$pid" --dir "$T/img2"
expect_ok "dump of the restored process $pid"
lines=$(line_count "$T/run/out")
wait_gone "$pid" 10 || fail "restored process $pid still runs 10 s after dump without --leave-running"
log "second-generation image taken at line $lines"

stasis restore-gen2 60 restore --dir "$T/img2"
((LAST_RC != 124)) || fail "restore of the second-generation image did not finish in time"
((LAST_RC == 0)) || fail "restore of the second-generation image exited $LAST_RC"
compare_outputs "$T/ref/out" "$T/run/out" "second generation"
log "PASS"
