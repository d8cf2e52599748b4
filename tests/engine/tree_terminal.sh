#!/usr/bin/env bash
# Jobs started on a terminal (a pty, as under script, tmux or ssh), each run
# by pty_driver.py, which plays the terminal: it records everything the job
# writes, and types a line when the job asks for input.
#
# counter: one process (tty_probe counter) that leads its session, holds
# the pty on fds 0-2, /dev/tty on fd 3 and the pty by name, non-blocking, on
# fd 4, turns ECHO off and sets a window size, and prints on every step what
# it sees of its terminal. Dumped at a random moment, then restored by
# `stasis restore` run on another pty; the driver resizes that pty and types
# a line once the job asks. The output before the dump and the restored
# output together must equal an uninterrupted run's (itself checked for the
# expected terminal state): controlling terminal (/dev/tty opens), the
# foreground group, ECHO off and the window size survive, the descriptions
# keep their flags, the new window size is passed on (SIGWINCH) and the
# typed line reaches the program.
#
# tty_loop: a bash script leading its session on the pty, running a child on
# every step that holds /dev/tty open. With job control (as an interactive
# shell): the child runs in a group of its own, the terminal's foreground
# group while it runs; restored under a pty, dumped again while `stasis
# restore` relays for it, and restored again. Without (a batch script):
# restored with stdin from a file and stdout to a file (no terminal at all
# on the restoring side). All print together what the reference prints.
#
# Also checks the manifest: every terminal fd is kind `terminal`, on one
# terminal, the controlling terminal of the saved session, with its
# foreground group. (A pty master inside the tree: pty_pair.sh.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

DRIVER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pty_driver.py
INPUT="hello from the restoring terminal"
COUNTER=("$WORKLOADS/tty_probe" counter 40 100 33 111)
TTY_LOOP=(/bin/bash "$WORKLOADS/tree_tty_loop.sh" "$WORKLOADS" 40 60)
JOBS="jobs"
ANSWER=(--answer "ready for input" "$INPUT")

# on_pty DIR NAME DRIVER_ARGS... -- CMD...: start CMD on a new pty in the
# background; what it writes goes to DIR/NAME.out (made anew). Sets
# DRIVER_PID.
on_pty() {
    local dir=$1 name=$2
    shift 2
    mkdir -p "$dir"
    rm -f "$dir/$name.pid" "$dir/$name.out"
    clean_exec "$PYTHON" "$DRIVER" "$dir/$name.out" "$dir/$name.pid" "$@" </dev/null >"$dir/$name.driver" 2>&1 &
    DRIVER_PID=$!
    STARTED_PIDS+=("$DRIVER_PID")
}

# pty_child DIR NAME: the pid of the command on_pty started (waits for it).
pty_child() {
    local deadline=$((SECONDS + $(budget 20)))
    until [[ -s $1/$2.pid ]]; do
        alive "$DRIVER_PID" || fail "pty driver ended early: $(cat "$1/$2.driver")"
        ((SECONDS < deadline)) || fail "pty driver did not start its command"
        sleep 0.05
    done
    cat "$1/$2.pid"
}

# wait_driver WHAT WANT OUT: the last on_pty driver must exit WANT within
# 60 s (OUT: what its command wrote, shown on failure).
wait_driver() {
    wait_child "$DRIVER_PID" 60 || fail "$1: still running after 60 s: $(tail -c 400 "$3" | tr -d '\r')"
    ((CHILD_RC == $2)) || fail "$1: exited $CHILD_RC, expected $2: $(tail -c 400 "$3" | tr -d '\r')"
}

# reference NAME CMD...: an uninterrupted run on a pty into $T/NAME-ref/run.out.
reference() {
    local name=$1 dir=$T/$1-ref
    shift
    log "reference run of $name: $*"
    on_pty "$dir" run "${ANSWER[@]}" "${RESIZE[@]}" -- "$@"
    wait_child "$DRIVER_PID" 60 || fail "reference run of $name did not finish"
    ((CHILD_RC == 0)) || fail "reference run of $name exited $CHILD_RC: $(tr -d '\r' <"$dir/run.out" | tail -5)"
    grep -q '^result ' <(tr -d '\r' <"$dir/run.out") || fail "reference run of $name printed no result line"
}

# run_and_dump NAME DIR CMD...: run CMD on a pty, dump it into DIR/img (which
# kills it) once it has printed a random number of lines within DUMP_LINES:
# its progress, not the clock, picks the moment, on a loaded machine too.
# Nobody types the line it asks for at its end, so it cannot finish before
# the dump. Sets WL_PID.
DUMP_LINES=(4 38)
run_and_dump() {
    local name=$1 dir=$2
    shift 2
    on_pty "$dir" run -- "$@"
    WL_PID=$(pty_child "$dir" run)
    wait_random_line "$dir/run.out" "${DUMP_LINES[@]}" "$WL_PID"
    alive "$WL_PID" || fail "$name finished before the dump"
    stasis "dump-$name-${dir##*/}" 60 dump --pid "$WL_PID" --dir "$dir/img"
    expect_ok "dump of $name on a pty (pid $WL_PID)"
    wait_child "$DRIVER_PID" 10 || fail "$name: still running 10 s after the dump"
    ((CHILD_RC == 137)) || fail "$name should have been killed by the dump (137), the driver says $CHILD_RC"
    log "dumped $name at line $(line_count "$dir/run.out")"
}

# check_manifest DIR [jobs]: the root's fds 0-2 in DIR/img are on one pty,
# the controlling terminal of the root's session, with ECHO off and the
# window size the job set; its foreground group is the root's. With `jobs`
# (bash with job control) it may be a child's group, or 0 (none of the
# tree's: the dump came just after a child ended, before bash took the
# terminal back).
check_manifest() {
    local verdict
    verdict=$("$PYTHON" - "$1/img/manifest.json" "${2:-}" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
jobs = sys.argv[2] == "jobs"
root = m["processes"][0]
fds = {f["fd"]: f for f in root["fds"]}
bad = []
for n in (0, 1, 2):
    f = fds.get(n)
    if f is None or f["kind"] != "terminal":
        bad.append(f"fd {n} is {f and f['kind']}, not a terminal")
        continue
    d = f["detail"]
    if d["terminal"] != 0 or d["type"] != "pty":
        bad.append(f"fd {n}: terminal {d['terminal']} ({d['type']}), expected 0 (pty)")
    groups = ({p["pgid"] for p in m["processes"] if not p["zombie"]} | {0}) if jobs else {root["pgid"]}
    if d["session"] != root["sid"] or d["foreground"] not in groups:
        bad.append(f"fd {n}: session {d['session']} / foreground {d['foreground']}, expected {root['sid']} / one of {groups}")
    if d["termios"]["lflag"] & 0o10 or (d["winsize"]["rows"], d["winsize"]["cols"]) != (33, 111):
        bad.append(f"fd {n}: ECHO set or size {d['winsize']['rows']}x{d['winsize']['cols']}")
fg = fds[0]["detail"]["foreground"] if not bad else 0
fg_name = "the root's" if fg == root["pgid"] else "none of the tree's" if fg == 0 else "a child's"
print("; ".join(bad) if bad else "ok, the foreground group is " + fg_name)
EOF
)
    if [[ $verdict == ok* ]]; then
        log "manifest $verdict"
    else
        check_fail "manifest of $1/img: $verdict"
    fi
}

# restore_on_pty NAME DIR: restore DIR/img with `stasis restore` on a pty,
# then compare run.out + restored.out with the reference. A job dumped while
# it waited for its line asks no more: the line is typed at once.
restore_on_pty() {
    local name=$1 dir=$2 answer=("${ANSWER[@]}")
    tr -d '\r' <"$dir/run.out" | tail -1 | grep -qx "${ANSWER[1]}" && answer[1]=""
    on_pty "$dir" restored "${answer[@]}" "${RESIZE[@]}" -- "$STASIS" restore --dir "$dir/img"
    wait_driver "$name: stasis restore on a pty" 0 "$dir/restored.out"
    cat "$dir/run.out" "$dir/restored.out" >"$dir/whole.out"
    compare_outputs "$T/$name-ref/run.out" "$dir/whole.out" "$name restored on a pty"
}

# expect_steps FILE REGEX WHAT: every line of FILE starting "step " matches REGEX.
expect_steps() {
    local n
    n=$(tr -d '\r' <"$1" | grep '^step ' | grep -cEv -- "$2")
    ((n == 0)) || fail "$3: $n step lines do not show /$2/: $(tr -d '\r' <"$1" | grep '^step ' | grep -Ev -- "$2" | head -2)"
}

# --- one process ----------------------------------------------------------
RESIZE=(--resize 50 132)
reference counter "${COUNTER[@]}"
ref=$T/counter-ref/run.out
expect_steps "$ref" 'isatty=1 devtty=1 fg=own leader=1 echo=off size=33x111 nonblock=1 same=1 winch=0' \
    "the reference run (is the pty driver working?)"
grep -q 'after input isatty=1 devtty=1 fg=own leader=1 echo=off size=50x132 winch=1' <(tr -d '\r' <"$ref") ||
    fail "the reference run did not see the resize: $(tr -d '\r' <"$ref" | tail -3)"
for r in 1 2; do
    dir=$T/counter-run$r
    run_and_dump counter "$dir" "${COUNTER[@]}"
    check_manifest "$dir"
    restore_on_pty counter "$dir"
done

# --- a bash script and its children ---------------------------------------
RESIZE=()
reference tty_loop "${TTY_LOOP[@]}" "$JOBS"
expect_steps "$T/tty_loop-ref/run.out" 'stdin=tty' "the reference run of tty_loop"
grep -q '^  child 1 isatty=1 devtty=1 fg=own leader=0 echo=off size=33x111' <(tr -d '\r' <"$T/tty_loop-ref/run.out") ||
    fail "the reference run of tty_loop: the child does not see its terminal as expected"
dir=$T/tty_loop-run1
DUMP_LINES=(4 40)  # early: the restored run is dumped again
run_and_dump tty_loop "$dir" "${TTY_LOOP[@]}" "$JOBS"
check_manifest "$dir" "$JOBS"
on_pty "$dir" restored -- "$STASIS" restore --dir "$dir/img" --pidfile "$dir/restored.pidfile"
deadline=$((SECONDS + $(budget 30)))
until [[ -s $dir/restored.pidfile ]]; do
    alive "$DRIVER_PID" || fail "tty_loop: stasis restore ended before writing its pid file: $(tr -d '\r' <"$dir/restored.out")"
    ((SECONDS < deadline)) || fail "tty_loop: stasis restore wrote no pid file within 30 s"
    sleep 0.05
done
RESTORED=$(cat "$dir/restored.pidfile")
# the restored run prints the rest of the reference's lines, up to the
# question nobody answers here
left=$(($(line_count "$T/tty_loop-ref/run.out") - $(line_count "$dir/run.out")))
wait_random_line "$dir/restored.out" 3 $((left > 8 ? left - 4 : 3)) "$RESTORED"
stasis "dump-tty_loop-again" 60 dump --pid "$RESTORED" --dir "$dir/img2"
expect_ok "dump of the restored tty_loop (pid $RESTORED) while stasis restore relays for it"
wait_driver "tty_loop: stasis restore whose tree was dumped (and so killed)" 137 "$dir/restored.out"
mv "$dir/img" "$dir/img1" && mv "$dir/img2" "$dir/img"
check_manifest "$dir" "$JOBS"
cat "$dir/run.out" "$dir/restored.out" >"$dir/run-and-restored.out"
mv "$dir/run-and-restored.out" "$dir/run.out"
log "dumped the restored tty_loop again at line $(line_count "$dir/run.out")"
restore_on_pty tty_loop "$dir"
DUMP_LINES=(4 70)

# No terminal on the restoring side: stdin a file, stdout a file.
dir=$T/tty_loop-run2
run_and_dump tty_loop "$dir" "${TTY_LOOP[@]}"
check_manifest "$dir"
echo "$INPUT" >"$dir/input"
clean_exec "$STASIS" restore --dir "$dir/img" <"$dir/input" >"$dir/restored.out" 2>"$LOGS/restore-files.err" &
pid=$!
STARTED_PIDS+=("$pid")
wait_child "$pid" 60 || fail "tty_loop: stasis restore from files still runs after 60 s"
LAST_RCS["restore-files.err"]=$CHILD_RC
((CHILD_RC == 0)) || fail "tty_loop: stasis restore from files exited $CHILD_RC: $(tr -d '\r' <"$dir/restored.out" | tail -3)"
cat "$dir/run.out" "$dir/restored.out" >"$dir/whole.out"
compare_outputs "$T/tty_loop-ref/run.out" "$dir/whole.out" "tty_loop restored from files"

finish
