#!/usr/bin/env bash
# A job that ends by itself is done: `stasis run` marks its ROOT FINISHED, and
# the next `stasis run` on that ROOT starts the command anew (forgetting the
# old checkpoints) instead of resuming a job that already finished.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/single_thread" 200 15
start_job first --interval 1s --keep 2
wait_generation "$ROOT" 1 60
wait_agent 60
expect_agent_rc 0 "a job that finishes by itself"
[[ -f $ROOT/FINISHED ]] || fail "no FINISHED in $ROOT after the job ended by itself: $(ls "$ROOT")"
# The job's stderr is the agent's log; the workload prints nothing there.
[[ ! -s $T/ref/out.err ]] || fail "the reference run printed to stderr: $(head -3 "$T/ref/out.err")"
: >"$T/run/out.err"
compare_outputs "$T/ref/out" "$T/run/out" "first run"

start_job second --interval 1s --keep 2
wait_agent 60
expect_agent_rc 0 "the second run"
(($(log_lines '^stasis run: .* holds the checkpoints of a job that finished; starting the command anew$') == 1)) ||
    fail "the second run did not say it starts anew: $(head -3 "$AGENT_LOG")"
(($(log_lines '^stasis run: resumed ') == 0)) || fail "the second run resumed a finished job: $(head -3 "$AGENT_LOG")"
: >"$T/run/out.err"
compare_outputs "$T/ref/out" "$T/run/out" "second run, started anew"
log "PASS"
