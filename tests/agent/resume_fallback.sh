#!/usr/bin/env bash
# The generation LATEST names is damaged (a data file cut short): stasis list
# calls it corrupt, and `stasis run` on that ROOT says so in one line and
# resumes from the previous committed generation instead; the whole output
# equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/threads" 600 4 15
start_job first --interval 2s --keep 2
wait_generation "$ROOT" 2 30
kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"

latest=$(cat "$ROOT/LATEST")
previous=$(printf 'gen-%06d' $(($(latest_number "$ROOT") - 1)))
[[ -d $ROOT/$previous ]] || fail "the generation before $latest is not kept: $(ls "$ROOT")"
for f in "$ROOT/$latest"/pages-*.bin; do
    size=$(stat -c %s "$f")
    ((size > 0)) && truncate -s $((size / 2)) "$f"
done
log "cut the data files of $latest short"

stasis list 30 list "$ROOT" --json
expect_ok "stasis list --json"
"$PYTHON" - "$LOGS/list.out" "$previous" "$latest" <<'PY' || fail "stasis list --json: $(cat "$LOGS/list.out")"
import json, sys
gens = {g["name"]: g for g in json.load(open(sys.argv[1]))["generations"]}
assert gens[sys.argv[2]]["status"] == "committed", gens
assert gens[sys.argv[3]]["status"] == "corrupt" and "truncated" in gens[sys.argv[3]]["problem"], gens
PY
log "ok: stasis list calls $latest corrupt"

resume_job --interval 0
(($(log_lines "^stasis run: $latest does not verify \(.*\); resuming from $previous instead$") == 1)) ||
    fail "no single line saying that $latest is skipped for $previous: $(cat "$AGENT_LOG")"
grep -q "^stasis run: resumed $previous as pid" "$AGENT_LOG" || fail "did not resume from $previous"
log "ok: $(grep -m1 'does not verify' "$AGENT_LOG")"
log "PASS"
