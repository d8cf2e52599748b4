#!/usr/bin/env bash
# The scheduler's SIGTERM reaches the job while a periodic checkpoint of its
# 300 MB is being written, the job stopped. It stays pending, and the guard
# holds it as the job goes on and checkpoints for it. Only a signal that
# reaches a thread inside a system call the engine runs there is taken and
# sent again by the agent, recorded as pending: an image that recorded it is
# discarded (a job resumed from it would receive SIGTERM again at once), one
# that did not is kept. Either way stasis run exits 75 and a resumed run
# ends with the same whole output as an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$PYTHON" "$WORKLOADS/py_loop.py" 500 300 20
start_job first --interval 3s --keep 2
wait_generation "$ROOT" 1 60
wait_writing gen-000002 0 30 pages-
kill -TERM "$JOB_PID"
log "sent SIGTERM to the job while gen-000002 was being written"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the job during a checkpoint"
if grep -q '^stasis run: gen-000002 discarded: SIGTERM reached the job while it was being written' "$AGENT_LOG"; then
    [[ $(cat "$ROOT/LATEST") == gen-000001 && ! -e $ROOT/gen-000002 ]] ||
        fail "gen-000002 was discarded, but LATEST is $(cat "$ROOT/LATEST"): $(ls -a "$ROOT")"
    log "ok: gen-000002 held the SIGTERM as pending and was discarded; gen-000001 stands"
else
    log "ok: the SIGTERM came after the image's pending signals were read; $(cat "$ROOT/LATEST") stands"
fi
verify_generations "$ROOT"
resume_job --interval 0
log "PASS"
