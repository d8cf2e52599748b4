#!/usr/bin/env bash
# Bad input to `stasis run` and `stasis list` gets one line that names the
# problem: usage errors (bad durations, --keep 0, --log-level loud, no
# command) exit 2; a
# command that cannot be run, a missing ROOT, a ROOT in use by another
# agent, and a ROOT whose every generation is damaged exit 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# check_usage WHAT NEEDLE: the last stasis command exited 2 with exactly one
# stderr line, starting "stasis: " and containing NEEDLE.
check_usage() {
    local err
    err=$(cat "$LAST_LOG")
    if ((LAST_RC != 2)) || (($(grep -c '' "$LAST_LOG") != 1)) || [[ $err != "stasis: "* || $err != *"$2"* ]]; then
        check_fail "$1: expected exit 2 and one line naming '$2', got exit $LAST_RC: $err"
        return
    fi
    log "ok: $1 -> $err"
}

for bad in 5x -5 1:2:3:4 1-2-3 1.5h 10ms '' 1d2h; do
    stasis "interval-$bad" 10 run --dir "$ROOT" --interval "$bad" -- /bin/true
    check_usage "--interval '$bad'" "\"$bad\""
done
stasis keep-0 10 run --dir "$ROOT" --keep 0 -- /bin/true
check_usage "--keep 0" "--keep"
stasis no-command 10 run --dir "$ROOT" --interval 10s
check_usage "no command" "command"
stasis log-level-loud 10 run --dir "$ROOT" --log-level loud -- /bin/true
check_usage "--log-level loud" "--log-level"
[[ -e $ROOT ]] && check_fail "a refused command line created ROOT $ROOT"

stasis not-found 10 run --dir "$ROOT" -- no-such-program-here
check_error "a command not in PATH" 1 'cannot run no-such-program-here: command not found'
printf 'not a program\n' >"$T/data.txt"
chmod 644 "$T/data.txt"
stasis not-executable 10 run --dir "$ROOT" -- "$T/data.txt"
check_error "a command that is not executable" 1 "cannot run $T/data.txt: permission denied"

stasis list-missing 10 list "$T/missing"
check_error "stasis list of a missing ROOT" 1 "$T/missing is not a checkpoint directory: no such directory"

start_agent busy "$T/busy.out" --dir "$ROOT" --interval 1s -- "$WORKLOADS/single_thread" 1000 15
wait_job 20
wait_generation "$ROOT" 1 30
stasis in-use 10 run --dir "$ROOT" -- /bin/true
check_error "a ROOT in use" 1 "$ROOT is in use by another stasis run \\(pid $AGENT_PID\\)"
kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"

for g in $(committed_generations "$ROOT"); do
    for f in "$ROOT/$g"/*.bin; do
        [[ -s $f ]] && : >"$f"
    done
done
stasis all-corrupt 30 run --dir "$ROOT" -- /bin/true
check_error "a ROOT where no generation verifies" 1 "cannot resume from $ROOT: no committed generation verifies; gen-[0-9]+ does not verify"
finish
