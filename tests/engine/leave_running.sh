#!/usr/bin/env bash
# dump --leave-running: the original keeps running and finishes with the same
# output as an uninterrupted run; the image verifies and `stasis info` reads it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference threads "$T/ref"
start_and_dump threads "$T/run" --leave-running

alive "$WL_PID" || fail "the workload is gone after dump --leave-running"
not_traced_or_stopped "$WL_PID" ||
    fail "after dump --leave-running pid $WL_PID is stopped or still traced (state $(proc_state "$WL_PID"))"
wait_child "$WL_PID" 60 || fail "the workload did not finish within 60 s after dump --leave-running"
((CHILD_RC == 0)) || fail "the workload exited $CHILD_RC after dump --leave-running"
compare_outputs "$T/ref/out" "$T/run/out" "original after dump --leave-running"

stasis verify 60 verify --dir "$T/run/img"
expect_ok "verify of the --leave-running image"
stasis info 30 info --dir "$T/run/img"
expect_ok "info"
stasis info-json 30 info --dir "$T/run/img" --json
expect_ok "info --json"
"$PYTHON" -c 'import json, sys; json.load(open(sys.argv[1]))' "$LOGS/info-json.out" ||
    fail "stasis info --json did not print valid JSON: $(head -c 500 "$LOGS/info-json.out")"
log "PASS"
