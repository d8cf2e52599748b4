#!/usr/bin/env bash
# A checkpoint whose writes fail (the agent's file size limit stands in for a
# full disk: tests run unprivileged, and RLIMIT_FSIZE makes writes fail with
# EFBIG) logs one clear line, leaves the job running and the previous
# generation intact and LATEST; the next interval retries, and once writes
# work again a checkpoint is committed. The job's output is unharmed: a
# resumed run ends with the same whole output as an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/single_thread" 1000 15
start_job disk_full --interval 2s --keep 2
wait_generation "$ROOT" 1 30

# Only the agent's limit: the job's own writes go on.
prlimit --pid "$AGENT_PID" --fsize=4096:unlimited || fail "prlimit on the agent failed"
failure='^stasis run: checkpoint gen-[0-9]+ failed \(periodic\): .*File too large.*; the job runs on, gen-[0-9]+ is kept$'
wait_log_lines "$failure" 2 30
kept=$(latest_number "$ROOT")
grep -E -- "$failure" "$AGENT_LOG" | tail -1 | grep -q "gen-$(printf '%06d' "$kept") is kept" ||
    fail "the failure line does not name the kept generation gen $kept: $(grep -E -- "$failure" "$AGENT_LOG" | tail -1)"
log "ok: $(grep -E -- "$failure" "$AGENT_LOG" | tail -1)"
(($(grep -c 'File too large' "$AGENT_LOG") == $(log_lines "$failure"))) ||
    fail "a failed checkpoint logged more than its one line: $(cat "$AGENT_LOG")"
alive "$JOB_PID" || fail "the job did not survive the failed checkpoints"
wait_progress "$T/run/out" 10 "$JOB_PID" || fail "the job makes no progress after failed checkpoints"
compgen -G "$ROOT/.gen-*.partial" >/dev/null && fail "a failed checkpoint left a partial generation: $(ls -a "$ROOT")"
verify_generations "$ROOT"
log "ok: the job runs on; gen $kept is intact and LATEST"

prlimit --pid "$AGENT_PID" --fsize=unlimited:unlimited || fail "prlimit on the agent failed"
wait_generation "$ROOT" $((kept + 1)) 30
log "ok: the next interval's retry committed $(cat "$ROOT/LATEST")"

kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"
resume_job --interval 0
log "PASS"
