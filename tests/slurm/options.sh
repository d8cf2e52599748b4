#!/usr/bin/env bash
# The plugin's options at submission: shown in sbatch --help, bad values
# refused with one line (and no job queued), --no-checkpoint runs untouched.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster
dir=$(job_dir options)
cd "$dir"
printf '#!/bin/bash\necho plain job $((6 * 7))\ngrep -c stasis /proc/$$/status || true\ngrep TracerPid /proc/$$/status\n' >"$dir/job.sh"
chmod 0755 "$dir/job.sh"

help=$(as_user "$STASIS_TEST_USER" sbatch --help 2>&1)
for option in --checkpoint-interval=time --checkpoint-dir=path --checkpoint-keep=n --no-checkpoint; do
    grep -q -- "$option" <<<"$help" || fail "sbatch --help does not show $option"
done

# refused OPTION EXPECTED: sbatch with OPTION fails, says EXPECTED, queues nothing.
refused() {
    local before after out
    before=$(squeue -h | wc -l)
    if out=$(as_user "$STASIS_TEST_USER" sbatch -o "$dir/refused.out" "$@" "$dir/job.sh" 2>&1); then
        fail "sbatch $* was accepted: $out"
    fi
    after=$(squeue -h | wc -l)
    ((after == before)) || fail "sbatch $* queued a job although it failed"
    echo "$out"
}
out=$(refused --checkpoint-interval=soon)
grep -q 'stasis: --checkpoint-interval: invalid duration "soon"' <<<"$out" || fail "no clear line for a bad interval: $out"
out=$(refused --checkpoint-keep=0)
grep -q 'stasis: --checkpoint-keep: expected a number of generations from 1 to 1000, got "0"' <<<"$out" ||
    fail "no clear line for a bad keep: $out"
out=$(refused --checkpoint-dir=relative/dir)
grep -q 'stasis: --checkpoint-dir: expected an absolute path' <<<"$out" || fail "no clear line for a relative dir: $out"
out=$(refused --no-checkpoint --checkpoint-interval=10m)
grep -q 'stasis: --no-checkpoint cannot be combined with --checkpoint-interval' <<<"$out" ||
    fail "no clear line for --no-checkpoint with an interval: $out"
log "bad values refused at submission, each with one line"

job=$(submit_as "$STASIS_TEST_USER" -p low --no-checkpoint -o "$dir/plain.out" "$dir/job.sh")
wait_job_state "$job" COMPLETED 60
grep -q '^plain job 42$' "$dir/plain.out" || fail "the --no-checkpoint job did not run: $(cat "$dir/plain.out")"
grep -q '^TracerPid:[[:space:]]*0$' "$dir/plain.out" || fail "the --no-checkpoint job ran traced: $(cat "$dir/plain.out")"
! grep -q '^stasis run:' "$dir/plain.out" || fail "the --no-checkpoint job ran under stasis: $(cat "$dir/plain.out")"
[[ -z $(admin_comment "$job") ]] || fail "the --no-checkpoint job has an AdminComment: $(admin_comment "$job")"
[[ ! -e $SPOOL/$job ]] || fail "the --no-checkpoint job got a checkpoint directory"

job=$(submit_as "$STASIS_TEST_USER" -p low --checkpoint-interval=0 -o "$dir/guarded.out" "$dir/job.sh")
wait_job_state "$job" COMPLETED 60
grep -q '^plain job 42$' "$dir/guarded.out" || fail "the checkpointed job did not run: $(cat "$dir/guarded.out")"
grep -q '^TracerPid:[[:space:]]*[1-9]' "$dir/guarded.out" || fail "the checkpointed job ran without the agent: $(cat "$dir/guarded.out")"
[[ $(stat -c '%U %a' "$SPOOL/$job") == "$STASIS_TEST_USER 700" ]] ||
    fail "$SPOOL/$job is $(stat -c '%U %a' "$SPOOL/$job"), not the user's with mode 700"
log "PASS: options shown, bad values refused, --no-checkpoint untouched, checkpointed job guarded"
