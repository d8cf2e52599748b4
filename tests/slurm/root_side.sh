#!/usr/bin/env bash
# What root does for a job cannot be steered by the job's user through the
# files the user owns. Two jobs are preempted and requeued; before they run
# again their user
#   - forges job A's recorded generation so that it would run a setuid
#     program (/usr/bin/passwd, with the manifest's checksum made right), and
#   - swaps job B's recorded generation for a symlink to a copy of it that
#     root owns.
# Each resume is refused with one line in slurmd's log naming the reason;
# the job then runs from its start without checkpoints (its user's files
# are not trusted), and nothing of the forged image runs.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

setuid_program=/usr/bin/passwd
[[ -u $setuid_program ]] || fail "$setuid_program is not setuid here: the test needs a real setuid program"

start_stasis_cluster -- --grace-time 5

# bash_loop_submitted NAME STEPS: a checkpointed bash_loop_job in partition
# low; prints "DIR JOB".
bash_loop_submitted() {
    local dir job
    dir=$(bash_loop_job "$1" "$2")
    job=$(cd "$dir" && submit_as "$STASIS_TEST_USER" -p low --requeue --checkpoint-interval=2s -o "$dir/job.out" "$dir/job.sh")
    echo "$dir $job"
}

# Long enough to be running still when the preemption reaches them: on
# these machines slurmctld's signals of a preemption with a grace time come
# about 20 s after it logs them.
read -r dir_a job_a < <(bash_loop_submitted forged 400)
read -r dir_b job_b < <(bash_loop_submitted swapped 400)
start_reference "$dir_a" 400
wait_job_state "$job_a" RUNNING 60
wait_job_state "$job_b" RUNNING 60
wait_recorded_generation "$job_a" 2 60 >/dev/null
wait_recorded_generation "$job_b" 2 60 >/dev/null
preempt "$job_a" 3
wait_requeued "$job_a" 1 90
wait_requeued "$job_b" 1 90
gen_a=$(recorded_generation "$job_a")
gen_b=$(recorded_generation "$job_b")
[[ -n $gen_a && -n $gen_b ]] || fail "no generation recorded after the preemption: '$gen_a' '$gen_b'"

# A: the user rewrites the manifest the plugin reads as root.
forgery=$(as_user "$STASIS_TEST_USER" "$WORKLOADS/mutate_manifest" "$SPOOL/$job_a/$gen_a" \
    --set /processes/0/exe "\"$setuid_program\"") || fail "mutate_manifest failed: $forgery"
as_user "$STASIS_TEST_USER" "$BUILD/engine/stasis" verify --dir "$SPOOL/$job_a/$gen_a" >/dev/null 2>&1 ||
    fail "the forged generation does not verify: the test must forge a well-sealed image"
log "job $job_a: $gen_a forged ($forgery)"

# B: the user puts a symlink where the generation was.
copy=$T/root-owned-$gen_b
cp -a "$SPOOL/$job_b/$gen_b" "$copy"
chown -R root: "$copy"
as_user "$STASIS_TEST_USER" mv "$SPOOL/$job_b/$gen_b" "$SPOOL/$job_b/moved-$gen_b" ||
    fail "the user cannot move its own generation"
as_user "$STASIS_TEST_USER" ln -s "$copy" "$SPOOL/$job_b/$gen_b" || fail "the user cannot make the symlink"
log "job $job_b: $gen_b is now a symlink to $copy (root's)"

wait_job_state "$PREEMPTOR" COMPLETED 60
release_requeued "$job_a"
release_requeued "$job_b"
wait_job_state "$job_a" COMPLETED 180
wait_job_state "$job_b" COMPLETED 180

slurmd_log=$T/cluster/log/slurmd.log
# refused JOB REASON: slurmd's log has the one line of the refusal.
refused() {
    local line
    line=$(grep -E "stasis: job $1: .*$2.*; the job runs without checkpoints" "$slurmd_log") ||
        fail "job $1: slurmd's log has no refusal naming \"$2\": $(grep "stasis: job $1:" "$slurmd_log" | tail -n 5)"
    (($(grep -c '' <<<"$line") == 1)) || fail "job $1: the refusal was logged more than once: $line"
    log "ok: ${line#*stasis: }"
}
refused "$job_a" "would run $setuid_program, .*setuid"
refused "$job_b" "$SPOOL/$job_b/$gen_b is not a directory"

wait "$REFERENCE_PID" || fail "the reference run failed"
ref=$dir_a/reference.out
for dir in "$dir_a" "$dir_b"; do
    # The run from the start, whole (after what the first run printed, when
    # Slurm appends to the requeued job's output).
    diff <(job_output_without_agent "$dir/job.out" | tail -n "$(grep -c '' "$ref")") "$ref" >"$dir/output.diff" ||
        fail "$dir/job.out does not end with a whole uninterrupted run: $(head -n 10 "$dir/output.diff")"
done
log "PASS: a forged setuid program and a symlinked generation were refused; both jobs ran from their start"
