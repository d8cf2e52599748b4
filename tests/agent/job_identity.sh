#!/usr/bin/env bash
# A generation records the job it belongs to (`stasis run --job`, which the
# scheduler glue fills with cluster, job id, user, ...). A job id used a
# second time (a cluster rebuilt, a wrapped counter) finds the first job's
# generations in the ROOT named after it: a run under another job's name
# refuses them in one line and starts nothing, and leaves them intact;
# the job they belong to resumes from them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

first="slurm:vm:4242:uid=1001:start=2026-11-30T05:00:00Z"
second="slurm:vm:4242:uid=1001:start=2026-12-07T09:30:00Z"
run_reference_job "$WORKLOADS/single_thread" 400 15
start_job job --interval 0 --job "$first"
wait_lines "$T/run/out" 20 60 "$JOB_PID"
kill -TERM "$AGENT_PID"
wait_agent 30
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM"
stasis info 20 info --json --dir "$ROOT/gen-000001"
expect_ok "info of gen-000001"
grep -q "\"job\": \"$first\"" "$LOGS/info.out" || fail "gen-000001 does not record its job: $(head -c 400 "$LOGS/info.out")"

stasis other 30 run --dir "$ROOT" --job "$second" -- "${JOB_CMD[@]}"
check_error "a run under another job's name" 1 \
    "cannot resume from $ROOT: no committed generation of this job verifies; gen-000001 belongs to another job \\($first\\), not to $second"
[[ -d $ROOT/gen-000001 && $(cat "$ROOT/LATEST") == gen-000001 ]] || fail "the other job's generation was touched"
log "ok: another job's generation is refused in one line and left as it was"

resume_job --interval 0 --job "$first"
log "PASS"
