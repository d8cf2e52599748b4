#!/usr/bin/env bash
# stasis run checkpoints incrementally: every checkpoint after a run's first
# borrows what did not change since the one before (the job rewrites a
# quarter of its memory; its output file, kept with --keep-output, only
# grows). --keep 2 keeps two resume points and retires, rather than
# removes, older generations they still borrow from. SIGTERM, then a resume
# from the newest: the job's whole output equals an uninterrupted run's, and
# the resumed run's first checkpoint borrows from the generation it resumed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/rewrite_memory" 48 400 20
start_job incremental --interval 1s --keep 2 --keep-output
wait_generation "$ROOT" 5 90
alive "$JOB_PID" || fail "the job finished before the fifth checkpoint; make it run longer"

kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"
last=$(latest_number "$ROOT")

# Each checkpoint after the first borrowed from the one just before it.
mapfile -t committed < <(grep -Eo '^stasis run: gen-[0-9]+ committed .*' "$AGENT_LOG")
((${#committed[@]} >= 5)) || fail "fewer than 5 checkpoints logged: $(head -8 "$AGENT_LOG")"
for ((i = 1; i < ${#committed[@]}; i++)); do
    prev=$(grep -Eo 'gen-[0-9]+' <<<"${committed[i - 1]}" | head -1)
    [[ ${committed[i]} =~ ,\ [0-9.]+\ [KMG]?i?B\ unchanged\ since\ $prev(\ \([^)]*\))?,\ [0-9.]+\ s\ frozen$ ]] ||
        fail "checkpoint $((i + 1)) did not borrow from $prev: ${committed[i]}"
done
log "ok: every checkpoint after the first borrowed from the one before (${#committed[@]} logged)"

mapfile -t gens < <(committed_generations "$ROOT")
((${#gens[@]} == 2)) || fail "--keep 2 kept ${#gens[@]} committed generations: ${gens[*]}"
verify_generations "$ROOT"
stasis list 30 list "$ROOT" --json
expect_ok "stasis list --json"
"$PYTHON" - "$LOGS/list.out" "${gens[@]}" <<'PY' || fail "stasis list --json: $(cat "$LOGS/list.out")"
import json, sys
doc = json.load(open(sys.argv[1]))
kept = sys.argv[2:]
committed = [g for g in doc["generations"] if g["status"] == "committed"]
retired = [g for g in doc["generations"] if g["status"] == "retired"]
assert [g["name"] for g in committed] == kept, committed
# Three quarters of the job's memory never changes after the fill: the
# generation that stored it is retired, not removed, while kept ones borrow it.
assert retired, "no generation was retired"
assert all(r["number"] < committed[0]["number"] for r in retired), retired
for g in committed:
    assert g["borrowed_bytes"] > 2 * g["bytes"], g
    assert set(g["borrows_from"]) & {r["name"] for r in retired}, g
print("ok")
PY
log "ok: ${gens[*]} kept and verified; $(grep -c '"retired"' "$LOGS/list.out") retired generation(s) hold what they borrow"

resume_job --interval 1s --keep 2 --keep-output
resumed=$(grep -Eo '^stasis run: resumed gen-[0-9]+' "$AGENT_LOG" | grep -Eo 'gen-[0-9]+')
[[ $resumed == $(printf 'gen-%06d' "$last") ]] || fail "the resume started from $resumed, not gen $last"
first=$(grep -Eo '^stasis run: gen-[0-9]+ committed .*' "$AGENT_LOG" | head -1)
if [[ -n $first ]]; then
    [[ $first == *"unchanged since $resumed,"* ]] ||
        fail "the resumed run's first checkpoint did not borrow from $resumed: $first"
    log "ok: the resumed run's first checkpoint borrowed from $resumed"
fi
log "PASS"
