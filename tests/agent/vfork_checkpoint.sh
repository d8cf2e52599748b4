#!/usr/bin/env bash
# A checkpoint of `stasis run` never hangs on a task it cannot stop: while
# the job's vfork child sleeps longer than --freeze-timeout 2s, each periodic
# checkpoint fails with one log line naming the vfork parent, the job runs
# on (guarded again) and the generation committed before stays LATEST; once
# the child has exited, checkpoints succeed again, and the job finishes with
# the answer of an uninterrupted run. --freeze-timeout abc is a usage error.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

stasis bad-timeout 10 run --dir "$ROOT" --freeze-timeout abc -- /bin/true
if ((LAST_RC != 2)) || (($(line_count "$LAST_LOG") != 1)) || ! grep -q '^stasis: --freeze-timeout: invalid duration "abc"' "$LAST_LOG"; then
    check_fail "--freeze-timeout abc: expected exit 2 and one line naming it, got exit $LAST_RC: $(cat "$LAST_LOG")"
fi

gate=$T/vfork-now
: >"$T/ref-gate"
run_reference_job "$WORKLOADS/vfork_child" 120 20 7000 exit "$T/ref-gate"
JOB_CMD=("$WORKLOADS/vfork_child" 120 20 7000 exit "$gate")
start_job vfork --interval 1s --freeze-timeout 2s
wait_generation "$ROOT" 1 60
: >"$gate"
deadline=$((SECONDS + $(budget 30)))
until grep -q '^vfork child sleeping' "$T/run/out"; do
    alive "$JOB_PID" || fail "the job ended before its vfork: $(tail -3 "$AGENT_LOG")"
    ((SECONDS < deadline)) || fail "the job did not vfork within 30 s of the gate"
    sleep 0.02
done
read -r child _ < <(cat /proc/"$JOB_PID"/task/*/children)
log "vfork child $child"
failed="^stasis run: checkpoint gen-[0-9]+ failed \(periodic\): process $JOB_PID \(vfork_child\) could not be stopped within 2s: in vfork, waiting for child $child; the job runs on, gen-[0-9]+ is kept\$"
wait_log_lines "$failed" 1 30
line=$(grep -E "$failed" "$AGENT_LOG" | head -1)
log "ok: $line"
kept=${line##*, }
kept=${kept% is kept}
latest=$(cat "$ROOT/LATEST")
if [[ $(proc_state "$JOB_PID") == D ]]; then
    [[ $latest == "$kept" ]] || check_fail "LATEST moved to $latest during the vfork (the failed checkpoint kept $kept)"
    tracer=$(awk '/^TracerPid:/ {print $2}' "/proc/$JOB_PID/status")
    [[ $tracer == "$AGENT_PID" ]] || check_fail "the vfork parent is not held by the guard after the failed checkpoint (TracerPid $tracer)"
else
    log "note: the vfork ended before LATEST could be checked"
fi
# The child exits after 7 s; the checkpoints after it succeed again.
wait_generation "$ROOT" $(($(latest_number "$ROOT") + 1)) 60
wait_agent 60
expect_agent_rc 0 "the job after failed checkpoints"
: >"$T/run/out.err"
compare_outputs "$T/ref/out" "$T/run/out" "the job after failed checkpoints"
verify_generations "$ROOT"
finish
