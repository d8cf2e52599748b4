#!/usr/bin/env bash
# qhold of a running checkpointed job checkpoints it first (MoM's
# checkpoint_abort action) and holds it. The generation it was held with is
# then damaged; released, the job resumes from the one before, says so, and
# still ends with the output of an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_stasis_pbs
run_checkpointed_bash_loop corrupt 400
pbs_cmd qhold "$JOB" || fail "qhold $JOB failed"
wait_job "$JOB" job_state H 120
gen=$("$PREFIX/bin/stasis" list --json "$SPOOL/$JOB" | python3 -c 'import json, sys; print(json.load(sys.stdin)["latest"])')
grep -q "committed $gen" "$SPOOL/$JOB.pbs-actions.log" ||
    fail "qhold did not checkpoint the job: $(cat "$SPOOL/$JOB.pbs-actions.log")"
log "held with $gen"

# Damage the middle of the largest data file of that generation.
data=$(ls -S "$SPOOL/$JOB/$gen"/pages-*.bin | head -n 1)
size=$(stat -c %s "$data")
printf 'garbage!' | dd of="$data" bs=1 seek=$((size / 2)) conv=notrunc status=none
log "damaged $data at offset $((size / 2))"
pbs_cmd qrls "$JOB"

resumed_to_the_end "$JOB" "$DIR" 1   # a restart from a checkpoint is the same run for PBS
grep -qs "^stasis run: $gen does not verify (.*); resuming from gen-[0-9]* instead" \
    "$DIR/job.out" "$SPOOL/$JOB.pbs-actions.log" ||
    fail "neither job.out nor the actions log says that $gen was damaged"
log "PASS: qhold checkpointed $gen; damaged, the job resumed from the one before, same output"
