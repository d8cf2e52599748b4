#!/usr/bin/env bash
# stasis run --resume-from GEN (a scheduler's requeued start, GEN from its
# job record): resumes GEN even when LATEST names a newer generation; when
# GEN does not verify, falls back to an older one with one line, never to a
# newer one; GEN must be a generation name, not a path (exit 2); GEN missing
# with nothing older is exit 1 with one line, and nothing is started. (The
# second run empties the output file: --keep-output puts it back.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

stasis path 10 run --dir "$ROOT" --resume-from ../x -- /bin/true
if ((LAST_RC != 2)) || (($(grep -c '' "$LAST_LOG") != 1)) ||
    ! grep -q -- '--resume-from: invalid generation "../x"' "$LAST_LOG"; then
    fail "--resume-from ../x: expected exit 2 and one line naming it, got $LAST_RC: $(cat "$LAST_LOG")"
fi
stasis both 10 run --dir "$ROOT" --resume-from gen-000001 --fresh -- /bin/true
((LAST_RC == 2)) || fail "--resume-from with --fresh: expected exit 2, got $LAST_RC: $(cat "$LAST_LOG")"
[[ -e $ROOT ]] && fail "a refused command line created ROOT $ROOT"

stasis none 30 run --dir "$T/empty" --resume-from gen-000003 -- /bin/true
check_error "--resume-from on a ROOT without generations" 1 \
    "cannot resume from $T/empty: --resume-from names gen-000003, which is not a committed generation"
[[ -s $LOGS/none.out ]] && check_fail "--resume-from of a missing generation started the command"

run_reference_job "$WORKLOADS/single_thread" 600 15
start_job first --interval 1s --keep 10 --keep-output
wait_generation "$ROOT" 4 60
kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"
latest=$(cat "$ROOT/LATEST")
log "committed: $(committed_generations "$ROOT" | paste -sd' '); LATEST is $latest"

# The named generation, though LATEST is newer.
start_job second --interval 0 --keep 10 --resume-from gen-000002 --stop-after 2s --keep-output
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "--stop-after 2s"
(($(log_lines '^stasis run: resumed gen-000002 as pid') == 1)) ||
    fail "--resume-from gen-000002 did not resume gen-000002 (LATEST was $latest): $(head -3 "$AGENT_LOG")"
second=$(cat "$ROOT/LATEST")
((10#${second#gen-} > 10#${latest#gen-})) || fail "the second run's checkpoint $second is not numbered above $latest"
log "ok: resumed gen-000002, not $latest; committed $second"

# The named generation is damaged: an older one, never a newer one.
for f in "$ROOT"/gen-000004/pages-*.bin; do
    size=$(stat -c %s "$f")
    ((size > 0)) && truncate -s $((size / 2)) "$f"
done
log "cut the data files of gen-000004 short"
resume_job --interval 0 --resume-from gen-000004
(($(log_lines '^stasis run: gen-000004 does not verify \(.*\); resuming from gen-000003 instead$') == 1)) ||
    fail "no single line saying that gen-000004 is skipped for gen-000003: $(head -3 "$AGENT_LOG")"
grep -q '^stasis run: resumed gen-000003 as pid' "$AGENT_LOG" || fail "did not resume from gen-000003"
log "PASS"
