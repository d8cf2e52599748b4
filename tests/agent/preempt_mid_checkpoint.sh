#!/usr/bin/env bash
# The scheduler's SIGTERM reaches the job while a periodic checkpoint of its
# 300 MB is being written, when the engine, not the guard, holds it. The
# engine lets the signal through once it lets the job go; an image that
# recorded it as pending is discarded (a job resumed from it would receive
# SIGTERM again at once), one that did not is kept. Either way stasis run
# exits 75 and a resumed run ends with the same whole output as an
# uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

cmd=("$PYTHON" "$WORKLOADS/py_loop.py" 500 300 20)
mkdir -p "$T/ref" "$T/run"
run_timeout 120 "$T/ref/out" "$T/ref/out.err" "${cmd[@]}" || fail "reference run of ${cmd[*]} failed"

root=$T/run/ckpt
start_agent first "$T/run/out" --dir "$root" --interval 3s --keep 2 -- "${cmd[@]}"
wait_job 20
wait_generation "$root" 1 60
deadline=$((SECONDS + $(budget 30)))
# The engine creates the partial directory once it holds the whole job.
until [[ -d $root/.gen-000002.partial ]]; do
    alive "$AGENT_PID" || fail "stasis run ended before its second checkpoint: $(tail -3 "$AGENT_LOG")"
    [[ -d $root/gen-000002 ]] && fail "gen-000002 was committed before it could be seen being written"
    ((SECONDS < deadline)) || fail "the second checkpoint did not start within 30 s"
    sleep 0.005
done
kill -TERM "$JOB_PID"
log "sent SIGTERM to the job while gen-000002 was being written"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the job during a checkpoint"
if grep -q '^stasis run: gen-000002 discarded: SIGTERM reached the job while it was being written' "$AGENT_LOG"; then
    [[ $(cat "$root/LATEST") == gen-000001 && ! -e $root/gen-000002 ]] ||
        fail "gen-000002 was discarded, but LATEST is $(cat "$root/LATEST"): $(ls -a "$root")"
    log "ok: gen-000002 held the SIGTERM as pending and was discarded; gen-000001 stands"
else
    log "ok: the SIGTERM came after the image's pending signals were read; $(cat "$root/LATEST") stands"
fi
verify_generations "$root"
resume_to_end "$root" "$T/ref/out" "$T/run/out" --interval 0 -- "${cmd[@]}"
log "PASS"
