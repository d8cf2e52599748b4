#!/usr/bin/env bash
# kill -9 of the agent while it writes a checkpoint of a 300 MB process (in
# its pre-copy, the job running, or in the dump, the job held): the
# half-written generation stays a partial one that nothing reads, LATEST
# still names the previous generation, which verifies, and a new
# `stasis run` resumes from it to the same whole output as an uninterrupted
# run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$PYTHON" "$WORKLOADS/py_loop.py" 500 300 20
start_job first --interval 3s --keep 2
wait_generation "$ROOT" 1 60
wait_writing gen-000002 $((2 * 1024 * 1024)) 30
kill -KILL "$AGENT_PID"
wait_child "$AGENT_PID" 10 || fail "stasis run survived SIGKILL"
log "killed stasis run while it wrote gen-000002 ($(partial_bytes gen-000002) bytes of page data written)"
# Held by the agent at that moment, or traced by its guard, the job was
# released by the kernel.
end_released_job 10

[[ $(committed_generations "$ROOT") == gen-000001 ]] || fail "committed generations: $(ls -a "$ROOT")"
[[ $(cat "$ROOT/LATEST") == gen-000001 ]] || fail "LATEST names $(cat "$ROOT/LATEST"), not gen-000001"
verify_generations "$ROOT"
stasis list 30 list "$ROOT" --json
expect_ok "stasis list --json"
"$PYTHON" - "$LOGS/list.out" <<'PY' || fail "stasis list --json: $(cat "$LOGS/list.out")"
import json, sys
gens = {g["name"]: g["status"] for g in json.load(open(sys.argv[1]))["generations"]}
assert gens == {"gen-000001": "committed", "gen-000002": "partial"}, gens
PY
log "ok: gen-000001 is intact and LATEST; gen-000002 is listed as partial"

resume_job --interval 0
log "PASS"
