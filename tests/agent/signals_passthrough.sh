#!/usr/bin/env bash
# The signal guard is transparent to a job that handles signals itself:
# SIGUSR1 and SIGTERM from outside are held for a checkpoint, then delivered
# unchanged (the job's handler runs once, with that signal) and the job keeps
# running; a signal the job sends itself passes without a checkpoint;
# SIGSTOP/SIGCONT stop and continue it; SIGWINCH passes at once. The job ends
# on its own and stasis run exits with its status.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# 20 s of steps: room for two checkpoints on a loaded machine before the end.
JOB_CMD=("$PYTHON" "$AGENT_TESTS/signal_job.py" 1000 20)
start_job signals --interval 0
out=$T/run/out

# wait_line REGEX SECS: wait until the job's output has a line matching REGEX.
wait_line() {
    local deadline=$((SECONDS + $(budget "$2")))
    until grep -Eq -- "$1" "$out"; do
        alive "$JOB_PID" || fail "the job ended before printing /$1/: $(tail -3 "$out")"
        ((SECONDS < deadline)) || fail "the job printed no line /$1/ in $2 s: $(tail -3 "$out"); $(tail -3 "$AGENT_LOG")"
        sleep 0.05
    done
}

# signal_held_then_handled SIG GEN: SIG from outside commits generation GEN,
# then the job's handler runs exactly once and the job runs on, guarded again.
signal_held_then_handled() {
    local sig=$1 gen=$2
    kill -"$sig" "$JOB_PID"
    wait_line "^handled SIG$sig \\($(kill -l "$sig")\\)$" 20
    (($(grep -c "^handled SIG$sig " "$out") == 1)) || fail "the job's SIG$sig handler ran more than once"
    [[ $(latest_number "$ROOT") == "$gen" ]] || fail "SIG$sig to the job did not commit generation $gen first"
    (($(log_lines "^stasis run: gen-0*$gen committed \(SIG$sig to the job\)") == 1)) ||
        fail "no log line for the checkpoint on SIG$sig: $(tail -3 "$AGENT_LOG")"
    wait_progress "$out" 10 "$JOB_PID" || fail "the job does not run on after handling SIG$sig"
    [[ $(awk '/^TracerPid:/ {print $2}' "/proc/$JOB_PID/status") == "$AGENT_PID" ]] ||
        fail "after the checkpoint on SIG$sig the job is no longer held by the agent"
    log "ok: SIG$sig held for gen $gen, then handled by the job, which runs on"
}

wait_line '^handled SIGUSR2 \(12\)$' 30
[[ $(latest_number "$ROOT") == 0 ]] || fail "a signal the job sent itself caused a checkpoint"
log "ok: the job's own SIGUSR2 passed without a checkpoint"

signal_held_then_handled USR1 1
signal_held_then_handled TERM 2

kill -STOP "$JOB_PID"
deadline=$((SECONDS + 10))
until [[ $(proc_state "$JOB_PID") == [Tt] ]]; do
    ((SECONDS < deadline)) || fail "SIGSTOP did not stop the job (state $(proc_state "$JOB_PID"))"
    sleep 0.05
done
n=$(line_count "$out")
sleep 1
(($(line_count "$out") == n)) || fail "the job printed while stopped by SIGSTOP"
kill -CONT "$JOB_PID"
wait_progress "$out" 10 "$JOB_PID" || fail "SIGCONT did not continue the job"
log "ok: SIGSTOP stopped the job, SIGCONT continued it"

kill -WINCH "$JOB_PID"
wait_progress "$out" 10 "$JOB_PID" || fail "the job stopped running after SIGWINCH"

wait_agent 90
expect_agent_rc 0 "a job that ends on its own"
grep -q "^result steps=1000$" "$out" || fail "the job did not finish: $(tail -3 "$out")"
(($(grep -c "^step " "$out") == 1000)) || fail "the job's steps are not all there exactly once"
[[ $(latest_number "$ROOT") == 2 ]] || fail "unexpected checkpoints: $(ls "$ROOT")"
log "PASS"
