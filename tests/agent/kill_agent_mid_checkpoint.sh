#!/usr/bin/env bash
# kill -9 of the agent while it writes a checkpoint of a 300 MB process: the
# half-written generation stays a partial one that nothing reads, LATEST
# still names the previous generation, which verifies, and a new
# `stasis run` resumes from it to the same whole output as an uninterrupted
# run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

cmd=("$PYTHON" "$WORKLOADS/py_loop.py" 500 300 20)
mkdir -p "$T/ref" "$T/run"
run_timeout 120 "$T/ref/out" "$T/ref/out.err" "${cmd[@]}" || fail "reference run of ${cmd[*]} failed"

root=$T/run/ckpt
start_agent first "$T/run/out" --dir "$root" --interval 3s --keep 2 -- "${cmd[@]}"
wait_job 20
wait_generation "$root" 1 60

# partial_bytes: page data written so far into the second generation.
partial_bytes() {
    local f n=0 size
    for f in "$root"/.gen-000002.partial/pages-*.bin; do
        size=$(stat -c %s "$f" 2>/dev/null) && n=$((n + size))
    done
    echo "$n"
}

deadline=$((SECONDS + $(budget 30)))
until (($(partial_bytes) >= 2 * 1024 * 1024)); do
    alive "$AGENT_PID" || fail "stasis run ended before its second checkpoint: $(tail -3 "$AGENT_LOG")"
    [[ -d $root/gen-000002 ]] && fail "gen-000002 was committed before it could be seen being written"
    ((SECONDS < deadline)) || fail "the second checkpoint did not start within 30 s"
    sleep 0.01
done
kill -KILL "$AGENT_PID"
wait_child "$AGENT_PID" 10 || fail "stasis run survived SIGKILL"
log "killed stasis run while it wrote gen-000002 ($(partial_bytes) bytes of page data written)"
# Held by the engine at that moment, the job was released by the kernel.
kill -KILL "$JOB_PID" 2>/dev/null
wait_gone "$JOB_PID" 10 || fail "the job (pid $JOB_PID) survived SIGKILL"

[[ $(committed_generations "$root") == gen-000001 ]] || fail "committed generations: $(ls -a "$root")"
[[ $(cat "$root/LATEST") == gen-000001 ]] || fail "LATEST names $(cat "$root/LATEST"), not gen-000001"
verify_generations "$root"
stasis list 30 list "$root" --json
expect_ok "stasis list --json"
"$PYTHON" - "$LOGS/list.out" <<'PY' || fail "stasis list --json: $(cat "$LOGS/list.out")"
import json, sys
gens = {g["name"]: g["status"] for g in json.load(open(sys.argv[1]))["generations"]}
assert gens == {"gen-000001": "committed", "gen-000002": "partial"}, gens
PY
log "ok: gen-000001 is intact and LATEST; gen-000002 is listed as partial"

resume_to_end "$root" "$T/ref/out" "$T/run/out" --interval 0 -- "${cmd[@]}"
log "PASS"
