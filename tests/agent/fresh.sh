#!/usr/bin/env bash
# stasis run --fresh (a scheduler's first start of a job): a ROOT holding
# checkpoints is never resumed; the agent says so in one line, removes them
# and starts the command anew. On an empty ROOT it says nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

stasis fresh-empty 30 run --dir "$T/empty" --fresh -- /bin/true
expect_ok "--fresh on a new ROOT"
grep -q 'holds checkpoints' "$LAST_LOG" && fail "--fresh on a new ROOT spoke of checkpoints: $(cat "$LAST_LOG")"

run_reference_job "$WORKLOADS/single_thread" 300 15
start_job first --interval 1s --keep 2
wait_generation "$ROOT" 2 30
kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"
newest=$(committed_generations "$ROOT" | tail -1)

start_job second --interval 0 --fresh
wait_agent 60
expect_agent_rc 0 "the job started anew"
(($(log_lines "^stasis run: $ROOT holds checkpoints \(up to $newest\); --fresh: removing them and starting the command anew$") == 1)) ||
    fail "no single line saying that --fresh removes the checkpoints: $(head -3 "$AGENT_LOG")"
(($(log_lines '^stasis run: resumed ') == 0)) || fail "--fresh resumed the job: $(head -3 "$AGENT_LOG")"
grep -q '^stasis run: started ' "$AGENT_LOG" || fail "--fresh did not start the command: $(head -3 "$AGENT_LOG")"
[[ -z $(committed_generations "$ROOT") && ! -e $ROOT/LATEST ]] ||
    fail "the old checkpoints are still in ROOT: $(ls -a "$ROOT")"
: >"$T/run/out.err"
compare_outputs "$T/ref/out" "$T/run/out" "the job started anew"
log "PASS"
