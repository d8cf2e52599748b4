#!/usr/bin/env bash
# stasis run --keep-output: the job's stdout file is kept in each checkpoint.
# The job is killed some time after a checkpoint (it printed more meanwhile),
# its output file is then emptied, as Slurm does on a requeued start, and the
# job is resumed: the file must read as one uninterrupted run, with nothing
# lost, doubled or replaced by zero bytes.
#   MODE plain: stdout to the file (O_TRUNC), the agent's log elsewhere; the
#               file must equal an uninterrupted run's byte for byte.
#   MODE slurm: stdout and stderr of the agent, and so of the job, to one
#               file opened O_APPEND as Slurm opens it; the file is saved
#               once, and without the agent's own lines it must equal an
#               uninterrupted run's.
# Also: ROOT, the generations and their files are private (0700/0600).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

mode=${3:?usage: $0 STASIS_BINARY WORKLOAD_DIR plain|slurm}
TEST_NAME=keep_output_$mode
OUT=$T/run/out

run_reference_job "$WORKLOADS/single_thread" 500 15

# start_slurm_like NAME RUN_ARGS...: as start_job, but the agent's stdout and
# stderr both go to OUT, opened O_APPEND (bash's >>).
start_slurm_like() {
    local name=$1
    shift
    AGENT_LOG=$OUT
    clean_exec "$STASIS" run --dir "$ROOT" "$@" -- "${JOB_CMD[@]}" </dev/null >>"$OUT" 2>&1 &
    AGENT_PID=$!
    STARTED_PIDS+=("$AGENT_PID")
    log "started stasis run $* as pid $AGENT_PID, stdout and stderr appending to $OUT ($name)"
    wait_job 20
}

# kept_files GEN: "SIZE PATH" of each file kept in ROOT/GEN, one per line.
kept_files() {
    "$PYTHON" -c 'import json, sys
for f in json.load(open(sys.argv[1])).get("kept_output", []): print(f["size"], f["path"])' "$ROOT/$1/manifest.json"
}

# kept_size GEN: the size at which ROOT/GEN keeps OUT.
kept_size() {
    local size path
    while read -r size path; do
        [[ $path == "$(realpath "$OUT")" ]] && echo "$size"
    done < <(kept_files "$1")
}

# check_private ROOT: ROOT, its generations and their files are private.
check_private() {
    local root=$1 path mode
    [[ $(stat -c %a "$root") == 700 ]] || fail "ROOT was created with mode $(stat -c %a "$root"), not 700"
    while IFS= read -r path; do
        mode=$(stat -c %a "$path")
        if [[ -d $path && $mode != 700 ]] || [[ -f $path && $mode != 600 ]]; then
            fail "$path has mode $mode: a generation must be private (700 for directories, 600 for files)"
        fi
    done < <(find "$root"/gen-* -print)
    log "ok: ROOT, the generations and their files are private"
}

if [[ $mode == slurm ]]; then
    start_slurm_like first --interval 3s --keep-output
else
    start_job first --interval 3s --keep-output
fi
wait_generation "$ROOT" 1 30
gen=$(cat "$ROOT/LATEST")
mapfile -t files < <(kept_files "$gen")
# Plain: stdout, and stderr, which is the agent's log file; Slurm: one file.
expected=$([[ $mode == plain ]] && echo 2 || echo 1)
((${#files[@]} == expected)) || fail "$gen keeps ${#files[@]} output files, expected $expected: ${files[*]}"
[[ -n $(kept_size "$gen") ]] || fail "$gen does not keep $OUT: ${files[*]}"
wait_progress "$OUT" 10 "$JOB_PID" || fail "the job printed nothing after $gen"
wait_progress "$OUT" 10 "$JOB_PID" || fail "the job printed nothing after $gen"
kill -KILL "$AGENT_PID"
wait_agent 30
end_released_job 10
gen=$(cat "$ROOT/LATEST")
kept=$(kept_size "$gen")
size=$(stat -c %s "$OUT")
((size > kept)) || fail "the killed job printed nothing after $gen ($kept bytes kept, $size in the file): the test proves nothing"
log "ok: killed with $size bytes in $OUT, $kept of them kept in $gen"
check_private "$ROOT"
verify_generations "$ROOT"
grep -q 'kept output verified$' "$LOGS/verify-$gen.out" || fail "verify did not check the kept output: $(cat "$LOGS/verify-$gen.out")"

: >"$OUT"
log "emptied $OUT, as Slurm does on a requeued start"
if [[ $mode == plain ]]; then
    resume_job --interval 0 --keep-output
    log "PASS"
    exit 0
fi

start_slurm_like resumed --interval 0 --keep-output
wait_agent 60
expect_agent_rc 0 "the resumed job"
grep -q "^stasis run: resumed $gen as pid" "$OUT" || fail "the second run did not resume $gen: $(grep '^stasis run' "$OUT")"
(($(tr -cd '\0' <"$OUT" | wc -c) == 0)) || fail "$OUT holds zero bytes: the restored job wrote after a hole"
grep -v '^stasis run: ' "$OUT" >"$T/run/job-lines"
: >"$T/run/job-lines.err"
compare_outputs "$T/ref/out" "$T/run/job-lines" "resumed run, its lines without the agent's"
log "PASS"
