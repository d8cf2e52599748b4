#!/usr/bin/env bash
# stasis run --interval 2s --keep 2: generations appear one after another,
# only the newest 2 committed ones are kept and each verifies; SIGTERM to the
# agent checkpoints and ends the job (exit 75); a second `stasis run` on the
# same ROOT resumes it, numbers its checkpoints on, and the job's whole output
# equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/single_thread" 1000 15
start_job periodic --interval 2s --keep 2
wait_generation "$ROOT" 4 60
alive "$JOB_PID" || fail "the job finished before the fourth checkpoint; make it run longer"
wait_progress "$T/run/out" 10 "$JOB_PID" || fail "the job makes no progress between checkpoints"

kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"
alive "$JOB_PID" && fail "the job (pid $JOB_PID) still runs after the agent exited"
last=$(latest_number "$ROOT")
((last >= 5)) || fail "SIGTERM to the agent committed no generation after gen 4 (LATEST is $last)"
(($(log_lines '^stasis run: gen-[0-9]+ committed \(periodic\): [0-9.]+ [KMG]?i?B of memory( \([^)]*\))?, [0-9.]+ [KMG]?i?B stored(, [0-9.]+ [KMG]?i?B unchanged since gen-[0-9]+( \([^)]*\))?)?, [0-9.]+ s frozen$') >= 4)) ||
    fail "expected a log line per periodic checkpoint with its size and time frozen: $(head -8 "$AGENT_LOG")"
(($(log_lines "^stasis run: gen-0*$last committed \(SIGTERM to stasis\)") == 1)) ||
    fail "no log line for the checkpoint taken on SIGTERM: $(tail -4 "$AGENT_LOG")"

mapfile -t gens < <(committed_generations "$ROOT")
((${#gens[@]} == 2)) || fail "--keep 2 kept ${#gens[@]} committed generations: ${gens[*]}"
[[ ${gens[1]} == "$(cat "$ROOT/LATEST")" ]] || fail "LATEST ($(cat "$ROOT/LATEST")) is not the newest of ${gens[*]}"
[[ ${gens[0]} == $(printf 'gen-%06d' $((last - 1))) ]] || fail "the kept generations are not the newest two: ${gens[*]}"
verify_generations "$ROOT"

stasis list 30 list "$ROOT" --json
expect_ok "stasis list --json"
"$PYTHON" - "$LOGS/list.out" "${gens[@]}" <<'PY' || fail "stasis list --json does not describe the generations: $(cat "$LOGS/list.out")"
import json, sys
doc = json.load(open(sys.argv[1]))
# Older generations the kept ones still borrow from are listed as retired.
committed = [g for g in doc["generations"] if g["status"] != "retired"]
names = [g["name"] for g in committed]
assert names == sys.argv[2:], names
assert all(g["status"] == "committed" and g["bytes"] > 0 and g["time"].endswith("Z") for g in committed)
assert doc["latest"] == sys.argv[-1] and doc["generations"][-1]["latest"]
PY
log "ok: ${gens[*]} kept, verified and listed"

resume_job --interval 2s --keep 2
mapfile -t after < <(committed_generations "$ROOT")
newest=${after[-1]}
((10#${newest#gen-} > last)) || fail "the resumed run committed no generation after gen $last: ${after[*]}"
log "ok: the resumed run numbered its checkpoints on (${after[*]})"
log "PASS"
