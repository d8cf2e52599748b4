#!/usr/bin/env bash
# The generation LATEST names is damaged (a data file cut short): stasis list
# calls it corrupt, and `stasis run` on that ROOT says so in one line and
# resumes from the previous committed generation instead; the whole output
# equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

cmd=("$WORKLOADS/threads" 600 4 15)
mkdir -p "$T/ref" "$T/run"
run_timeout 90 "$T/ref/out" "$T/ref/out.err" "${cmd[@]}" || fail "reference run of ${cmd[*]} failed"

root=$T/run/ckpt
start_agent first "$T/run/out" --dir "$root" --interval 2s --keep 2 -- "${cmd[@]}"
wait_job 20
wait_generation "$root" 2 30
kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"

latest=$(cat "$root/LATEST")
previous=$(printf 'gen-%06d' $(($(latest_number "$root") - 1)))
[[ -d $root/$previous ]] || fail "the generation before $latest is not kept: $(ls "$root")"
for f in "$root/$latest"/pages-*.bin; do
    size=$(stat -c %s "$f")
    ((size > 0)) && truncate -s $((size / 2)) "$f"
done
log "cut the data files of $latest short"

stasis list 30 list "$root" --json
expect_ok "stasis list --json"
"$PYTHON" - "$LOGS/list.out" "$previous" "$latest" <<'PY' || fail "stasis list --json: $(cat "$LOGS/list.out")"
import json, sys
gens = {g["name"]: g for g in json.load(open(sys.argv[1]))["generations"]}
assert gens[sys.argv[2]]["status"] == "committed", gens
assert gens[sys.argv[3]]["status"] == "corrupt" and "truncated" in gens[sys.argv[3]]["problem"], gens
PY
log "ok: stasis list calls $latest corrupt"

resume_to_end "$root" "$T/ref/out" "$T/run/out" --interval 0 -- "${cmd[@]}"
(($(log_lines "^stasis run: $latest does not verify \(.*\); resuming from $previous instead$") == 1)) ||
    fail "no single line saying that $latest is skipped for $previous: $(cat "$AGENT_LOG")"
grep -q "^stasis run: resumed $previous as pid" "$AGENT_LOG" || fail "did not resume from $previous"
log "ok: $(grep -m1 'does not verify' "$AGENT_LOG")"
log "PASS"
