#!/usr/bin/env bash
# kill -9 of `stasis dump --leave-running` at random moments of dumps of a
# running multi-threaded program (vector code, so that its FPU state
# matters): after every kill the program runs on, neither traced nor
# stopped, and it finishes with the same output as an uninterrupted run. A
# killed dump never leaves an image that looks complete but does not verify,
# and the image committed before the kills still verifies and restores to
# the same output.
#   STASIS_KILL_ROUNDS=N  kills (default 20; tests/stress/killed_dumper.sh runs 100)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
ROUNDS=${STASIS_KILL_ROUNDS:-20}
# Long enough for every round (each waits for the program's progress).
WL_CMD=("$WORKLOADS/threads" $((ROUNDS * 60 + 200)) 8 10)

mkdir -p "$T/ref" "$T/run"
# The uninterrupted run goes alongside: the program mostly sleeps.
start_workload "$T/ref/out" "${WL_CMD[@]}"
REF_PID=$WL_PID
start_workload "$T/run/out" "${WL_CMD[@]}"
JOB=$WL_PID
log "started threads as pid $JOB (reference: pid $REF_PID)"
wait_lines "$T/run/out" 3 60 "$JOB"

started=$(date +%s%N)
stasis committed 60 dump --pid "$JOB" --dir "$T/run/img" --leave-running
expect_ok "the dump to be kept"
dump_ms=$((($(date +%s%N) - started) / 1000000))
log "committed $T/run/img in ${dump_ms} ms; now $ROUNDS dumps killed within $((dump_ms * 3 / 4)) ms of their start"

killed=0
finished=0
for ((i = 1; i <= ROUNDS; i++)); do
    # Mostly while the dump reads the threads' state (a dump that starts
    # again is faster: the files are in the page cache).
    delay=$((RANDOM % (dump_ms * 3 / 4 + 1)))
    clean_exec "$STASIS" dump --pid "$JOB" --dir "$T/kill$i" --leave-running </dev/null \
        >"$LOGS/kill$i.out" 2>"$LOGS/kill$i.err" &
    dumper=$!
    STARTED_PIDS+=("$dumper")
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -KILL "$dumper" 2>/dev/null
    { wait "$dumper"; } 2>/dev/null  # without bash's "Killed" notice
    rc=$?
    what="kill $i (after $delay ms, dumper status $rc)"
    alive "$JOB" || fail "$what: the program is gone: $(tail -3 "$T/run/out.err")"
    wait_released "$JOB" 10 || fail "$what: the program stays traced or stopped (state $(proc_state "$JOB"))"
    wait_progress "$T/run/out" 30 "$JOB" || fail "$what: the program makes no progress: $(tail -3 "$T/run/out.err")"
    if [[ -e $T/kill$i/manifest.json ]]; then
        finished=$((finished + 1))
        stasis "verify$i" 60 verify --dir "$T/kill$i"
        expect_ok "$what: the image it left has a manifest, so it must verify"
    else
        killed=$((killed + 1))
    fi
    rm -rf "$T/kill$i"
done
log "ok: $ROUNDS kills, $killed of them before the dump committed: the program ran on every time"

wait_child "$JOB" 120 || fail "the program did not finish within 120 s of the last kill"
((CHILD_RC == 0)) || fail "the program exited $CHILD_RC after the killed dumps: $(tail -3 "$T/run/out.err")"
wait_child "$REF_PID" 60 || fail "the uninterrupted run did not finish"
((CHILD_RC == 0)) || fail "the uninterrupted run exited $CHILD_RC"
compare_outputs "$T/ref/out" "$T/run/out" "the program after $ROUNDS killed dumps"

stasis verify 60 verify --dir "$T/run/img"
expect_ok "verify of the image committed before the kills"
# The restored program runs all the steps after the first few again.
RESTORE_SECS=$((ROUNDS * 2 + 60)) restore_and_check threads "$T/run" "$T/ref" "restore of the image committed before the kills"
log "PASS"
