#!/usr/bin/env bash
# stasis run tracks its job's writes (userfaultfd write-protect, read back
# with PAGEMAP_SCAN): every checkpoint after the first borrows what was not
# written without reading it. The job changes its memory in every way that
# is not a plain store of its own (MADV_DONTNEED, the kernel's read() into
# it, a mapping replaced at the same address, two mappings swapped with
# mremap, a forked child writing its copy): a checkpoint that took any of
# those for unchanged resumes into another sum. Resumed from a generation in
# the middle of the chain and from the newest, the job's whole output equals
# an uninterrupted run's; a damaged chunk in the newest, found by the
# restore as it reads it, falls back to the one before. With
# --no-write-tracking the agent says so and compares checksums. Skipped (77) on a kernel without write tracking.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/tracked_writes" 300 25
start_job tracked --interval 1s --keep 20 --keep-output
wait_generation "$ROOT" 6 90
alive "$JOB_PID" || fail "the job finished before the sixth checkpoint; make it run longer"
if grep -q 'no write tracking: ' "$AGENT_LOG"; then
    log "SKIP: $(grep -o 'no write tracking: [^)]*' "$AGENT_LOG")"
    exit 77
fi
grep -q 'storing the pages written since the one before (write tracking)' "$AGENT_LOG" ||
    fail "the agent did not say which change detection the job got: $(head -1 "$AGENT_LOG")"
kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"

mapfile -t committed < <(grep -Eo '^stasis run: gen-[0-9]+ committed .*' "$AGENT_LOG")
((${#committed[@]} >= 6)) || fail "fewer than 6 checkpoints logged: $(head -8 "$AGENT_LOG")"
for ((i = 1; i < ${#committed[@]}; i++)); do
    [[ ${committed[i]} =~ unchanged\ since\ gen-[0-9]+\ \([0-9.]+\ [KMG]?i?B\ unwritten,\ not\ read\), ]] ||
        fail "checkpoint $((i + 1)) read what was not written: ${committed[i]}"
done
log "ok: every checkpoint after the first left unwritten memory unread (${#committed[@]} logged)"
grep -q 'its writes cannot be tracked' "$AGENT_LOG" && fail "a process of the job went untracked: $(cat "$AGENT_LOG")"
verify_generations "$ROOT"
# A pre-copy's data files keep only the chunks the image uses: the rest
# (written again before the freeze) are punched out, so each generation
# occupies about what it owns (a chunk's ends round to the block).
pre_copied=0
for g in $(committed_generations "$ROOT"); do
    compgen -G "$ROOT/$g/precopy*.bin" >/dev/null || continue
    pre_copied=$((pre_copied + 1))
    stasis "info-$g" 30 info --dir "$ROOT/$g" --json
    expect_ok "info --json of $g"
    read -r owned chunks < <("$PYTHON" -c 'import json, sys; i = json.load(open(sys.argv[1])); print(i["owned_bytes"], i["chunks"])' "$LOGS/info-$g.out")
    files=$(ls "$ROOT/$g"/*.bin | wc -l)
    used=$(du -c -B1 "$ROOT/$g"/*.bin | tail -1 | cut -f1)
    ((used <= owned + 8192 * (chunks + files))) ||
        fail "$g occupies $used bytes for the $owned it owns: $(ls -ls "$ROOT/$g")"
done
((pre_copied > 0)) || fail "no generation used a pre-copy: $(cat "$AGENT_LOG")"
log "ok: the $pre_copied generations with a pre-copy occupy about what they own"

# A link in the middle of the chain, then the newest, each from its own copy.
cp -a "$ROOT" "$T/run/ckpt-newest"
resume_job --interval 0 --resume-from gen-000003 --keep-output
log "ok: resumed from gen-000003, the output equals an uninterrupted run's"
# The newest copy's own data damaged inside (no length changes): only
# reading its chunks shows it, which the restore does as it fills memory
# (no verify pass before), and it falls back to the generation before.
# The checkpoint at SIGTERM may follow the last periodic one so closely
# that it stores next to nothing of its own: the newest generation that
# stores a chunk worth damaging stands for the newest, those after it gone.
ROOT=$T/run/ckpt-newest
newest=
for g in $(committed_generations "$ROOT" | tac); do
    data=$(ls -S "$ROOT/$g"/pages-*.bin 2>/dev/null | head -1)  # a pre-copy file may have holes
    if [[ -n $data ]] && (($(stat -c %s "$data") > 8192)); then
        newest=$g
        break
    fi
    rm -rf "${ROOT:?}/$g"
done
[[ -n $newest && $newest != gen-000001 ]] || fail "no generation after the first stored enough to damage: $(ls -l "$T/run/ckpt"/gen-*)"
echo "$newest" >"$ROOT/LATEST"
previous=$(printf 'gen-%06d' $((10#${newest#gen-} - 1)))
size=$(stat -c %s "$data")
printf '\x5a\xa5\x5a\xa5' | dd of="$data" bs=1 seek=$((size / 2)) conv=notrunc status=none
resume_job --interval 0 --keep-output
(($(log_lines "^stasis run: $newest does not verify \(.*\); resuming from $previous instead$") == 1)) ||
    fail "no single line saying that the damaged $newest is skipped for $previous: $(cat "$AGENT_LOG")"
grep -q "^stasis run: resumed $previous as pid" "$AGENT_LOG" || fail "did not resume from $previous"
log "ok: $(grep -m1 'does not verify' "$AGENT_LOG"); the output equals an uninterrupted run's"

# Turned off: the agent says so, and reads everything every time.
ROOT=$T/run/ckpt-untracked
start_job untracked --interval 1s --no-write-tracking
wait_generation "$ROOT" 2 60
kill -TERM "$AGENT_PID"
wait_agent 60
grep -q 'the chunks whose checksum changed (no write tracking: --no-write-tracking)' "$AGENT_LOG" ||
    fail "--no-write-tracking: the agent did not say so: $(head -1 "$AGENT_LOG")"
grep -q 'unwritten, not read' "$AGENT_LOG" && fail "--no-write-tracking still tracked: $(cat "$AGENT_LOG")"
log "PASS"
