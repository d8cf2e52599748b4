#!/usr/bin/env bash
# A pty pair inside the checkpointed tree: pty_pair's parent holds the master
# and talks through it to a child that leads a session with the slave as its
# controlling terminal (non-canonical, no echo, CR/NL mapped both ways, a
# window size set), two requests ahead of the answers, so bytes wait unread
# in both directions. Dumped at a line of its output (a state, not a time),
# killed, restored: the whole output must equal an uninterrupted run's,
# whose last lines are both sides' checks of the pair (settings, window
# size, session, controlling terminal, foreground group, the slave's name
# as ttyname and ptsname give it). One round dumps where a request is known
# to wait unread for the child. Dumps with --leave-running take the queued
# bytes out and put them back: the running tree must not notice, and the
# image restores too. A tree restored with --detach (nobody relays) gets its
# pair too, and is dumped again and restored. The manifest must link the master and the
# child's slave fds to one terminal, the controlling terminal of the
# child's session. script(1) running a bash loop is dumped and restored
# with the end-of-file it queued for its canonical slave, and again run on
# a terminal and restored on another (two ptys, one relayed); so is a pair with
# a typed line, a line ended by end-of-file and their echo unread. Slave
# output unread by a master in packet mode is refused in one line, and the
# program runs on.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

pair_cmd() { WL_CMD=("$WORKLOADS/pty_pair" "$1" 60 50); }

# start_round DIR "MIN MAX": start pty_pair in DIR, wait for a random line
# in MIN..MAX. Sets WL_PID.
start_round() {
    local dir=$1 lines=$2
    mkdir -p "$dir"
    pair_cmd "$dir"
    start_workload "$dir/out" "${WL_CMD[@]}"
    # shellcheck disable=SC2086 # "MIN MAX" splits into two arguments
    wait_random_line "$dir/out" $lines "$WL_PID"
}

# check_manifest IMG CHILD [TO_SLAVE]: the manifest of image IMG has one
# pty_master fd, and the child's fds 0 and 1 on its slave, the controlling
# terminal of the child's session; the bytes queued for the slave are
# TO_SLAVE (hex) if given. Logs how much was queued each way.
check_manifest() {
    local img=$1 child=$2 to_slave=${3:-} problem
    problem=$("$PYTHON" - "$img/manifest.json" "$child" "$to_slave" 2>&1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); child = int(sys.argv[2]); to_slave = sys.argv[3]
procs = m["processes"]
masters = [f for p in procs for f in p["fds"] if f["kind"] == "pty_master"]
assert len(masters) == 1, masters
slave = masters[0]["detail"]["slave"]
kid = [p for p in procs if p["pid"] == child]
assert kid, [p["pid"] for p in procs]
ttys = {f["fd"]: f["detail"] for f in kid[0]["fds"] if f["kind"] == "terminal"}
assert set(ttys) >= {0, 1}, ttys
for t in ttys.values():
    assert t["terminal"] == slave["terminal"] and t["device"] == slave["device"], (t, slave)
assert slave["session"] == child and slave["foreground"] == child, slave
assert slave["winsize"]["rows"] == 37 and slave["winsize"]["cols"] == 111, slave
d = masters[0]["detail"]
assert not to_slave or d["to_slave"] == to_slave, d["to_slave"]
print("queued for the master: %d bytes, for the slave: %d bytes" % (len(d["to_master"]) // 2, len(d["to_slave"]) // 2))
PY
    ) || check_fail "the manifest of $img is not as it should be: $(tail -1 <<<"$problem")"
    log "$img: $problem"
}

mkdir -p "$T/ref"
pair_cmd "$T/ref"
touch "$T/ref/go"
run_built_reference pty_pair "$T/ref"
grep -q '^child: check termios yes, window yes, session leader yes, controlling terminal yes, foreground yes, ttyname yes$' "$T/ref/out" ||
    fail "the reference run's child did not see its terminal as set: $(grep '^child' "$T/ref/out")"
grep -q '^parent: slave termios yes, window yes, session of child yes, foreground child yes, packet 0, locked 0, ptsname is the child.s ttyname yes$' "$T/ref/out" ||
    fail "the reference run's parent did not see the pair as set: $(grep '^parent' "$T/ref/out")"

# Rounds at random lines, and at line 62 ("check asked"), where the check
# request waits in the pair, unread by the child until the test says go.
CHECK_HEX=636865636b0a # "check\n": its CR became NL on the way in (ICRNL)
r=0
for lines in "2 20" "20 61" "62 62"; do
    r=$((r + 1))
    dir=$T/run$r
    start_round "$dir" "$lines"
    child=$(descendants "$WL_PID" | head -1)
    stasis "dump-run$r" 60 dump --pid "$WL_PID" --dir "$dir/img"
    expect_ok "pty_pair round $r: dump (pid $WL_PID)"
    log "round $r: dumped at line $(line_count "$dir/out")"
    touch "$dir/go"
    wait_child "$WL_PID" 10 || fail "round $r: still running 10 s after the dump"
    ((CHILD_RC == 137)) || fail "round $r: the dumped root should have been killed (137), it exited $CHILD_RC"
    check_manifest "$dir/img" "$child" "$([[ $lines == "62 62" ]] && echo "$CHECK_HEX")"
    tree_restore_and_check pty_pair "$dir" "$T/ref" "pty_pair round $r restored"
done

# --leave-running, three times on one run: each time the queues are taken
# while the tree is frozen and put back before it goes on; the running tree
# ends as an uninterrupted run does, and the last image restores too.
dir=$T/leave
start_round "$dir" "5 15"
child=$(descendants "$WL_PID" | head -1)
n=0
for lines in "" "25 45" "62 62"; do
    n=$((n + 1))
    img=$dir/img$n
    ((n < 3)) || img=$dir/img
    if [[ -n $lines ]]; then
        # shellcheck disable=SC2086 # "MIN MAX" splits into two arguments
        wait_random_line "$dir/out" $lines "$WL_PID"
    fi
    stasis "dump-leave$n" 60 dump --pid "$WL_PID" --dir "$img" --leave-running
    expect_ok "pty_pair: dump $n --leave-running (pid $WL_PID)"
    log "leave-running: dump $n at line $(line_count "$dir/out")"
    check_manifest "$img" "$child" "$([[ $lines == "62 62" ]] && echo "$CHECK_HEX")"
done
touch "$dir/go"
wait_child "$WL_PID" 60 || fail "leave-running: the tree did not end within 60 s after the dumps"
((CHILD_RC == 0)) || fail "leave-running: the tree exited $CHILD_RC after the dumps: $(tail -3 "$dir/out.err")"
compare_outputs "$T/ref/out" "$dir/out" "pty_pair left running after three dumps"
tree_restore_and_check pty_pair "$dir" "$T/ref" "pty_pair restored from the last --leave-running image"

# Restored detached (no relay: the pair is made all the same), dumped again
# while it runs on, and that second image restored.
dir=$T/detach
start_round "$dir" "3 15"
stasis dump-detach 60 dump --pid "$WL_PID" --dir "$dir/img1"
expect_ok "pty_pair: dump before the detached restore (pid $WL_PID)"
wait_child "$WL_PID" 10 || fail "detach: still running 10 s after the dump"
restore_detached "$dir/img1" "$dir/restored.pid" pty_pair
pid=$RESTORED_PID
wait_random_line "$dir/out" 25 45 "$pid"
stasis dump-detach2 60 dump --pid "$pid" --dir "$dir/img"
expect_ok "pty_pair: dump of the detached restored tree (pid $pid)"
log "detach: dumped the restored tree again at line $(line_count "$dir/out")"
wait_gone "$pid" 10 || fail "detach: the restored tree (pid $pid) still runs 10 s after its dump"
touch "$dir/go"
tree_restore_and_check pty_pair "$dir" "$T/ref" "pty_pair restored detached, dumped again and restored"

# script(1) holds a master, a bash script leads its session on the slave;
# with stdin at its end, script has queued an end-of-file for the slave
# (canonical mode) that the script reads only at its end.
if command -v script >/dev/null; then
    SCRIPT_CMD=(script -q -e -c "bash $WORKLOADS/tree_tty_loop.sh $WORKLOADS 20 60 jobs" /dev/null)
    mkdir -p "$T/script-ref"
    WL_CMD=("${SCRIPT_CMD[@]}")
    run_built_reference script "$T/script-ref"
    grep -q $'^got: \r$' "$T/script-ref/out" || fail "the reference script run did not read an end of file: $(grep '^got' "$T/script-ref/out")"
    dir=$T/script
    mkdir -p "$dir"
    start_workload "$dir/out" "${SCRIPT_CMD[@]}"
    wait_random_line "$dir/out" 4 36 "$WL_PID"
    stasis dump-script 60 dump --pid "$WL_PID" --dir "$dir/img"
    expect_ok "script: dump (pid $WL_PID)"
    log "script: dumped at line $(line_count "$dir/out")"
    wait_child "$WL_PID" 10 || fail "script: still running 10 s after the dump"
    tree_restore_and_check script "$dir" "$T/script-ref" "script restored"

    # The same on a terminal (pty_driver.py plays it), restored under
    # another one that `stasis restore` relays for: its pty and script's own
    # pair are both made again, and the line typed once the job asks for it
    # reaches the bash loop through both.
    DRIVER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pty_driver.py
    dir=$T/script-tty
    mkdir -p "$dir"
    run_timeout 60 "$dir/ref.driver" "$dir/ref.driver.err" "$PYTHON" "$DRIVER" "$dir/ref.out" "$dir/ref.pid" \
        --answer "ready for input" "typed at the end" -- "${SCRIPT_CMD[@]}" ||
        fail "script on a terminal: the reference run failed: $(tr -d '\r' <"$dir/ref.out" | tail -3)"
    clean_exec "$PYTHON" "$DRIVER" "$dir/run.out" "$dir/run.pid" -- "${SCRIPT_CMD[@]}" </dev/null >"$dir/run.driver" 2>&1 &
    driver=$!
    STARTED_PIDS+=("$driver")
    wait_lines "$dir/run.out" 3 30 "$driver"
    WL_PID=$(cat "$dir/run.pid")
    wait_random_line "$dir/run.out" 4 36 "$WL_PID"
    stasis dump-script-tty 60 dump --pid "$WL_PID" --dir "$dir/img"
    expect_ok "script on a terminal: dump (pid $WL_PID)"
    wait_child "$driver" 10 || fail "script on a terminal: still running 10 s after the dump"
    clean_exec "$PYTHON" "$DRIVER" "$dir/restored.out" "$dir/restored.pid" --answer "" "typed at the end" \
        -- "$STASIS" restore --dir "$dir/img" </dev/null >"$dir/restored.driver" 2>&1 &
    driver=$!
    STARTED_PIDS+=("$driver")
    wait_child "$driver" 60 || fail "script on a terminal: the restore did not end within 60 s"
    ((CHILD_RC == 0)) || fail "script on a terminal: the restore exited $CHILD_RC: $(tr -d '\r' <"$dir/restored.out" | tail -3)"
    cat "$dir/run.out" "$dir/restored.out" >"$dir/whole.out"
    compare_outputs "$dir/ref.out" "$dir/whole.out" "script on a terminal restored on another"
else
    log "script(1) is not installed: its rounds are left out"
fi

# A canonical slave's typed line and a line ended by end-of-file, and the
# echo of both, wait unread in a pair one process holds both ends of; a
# dump with --leave-running puts them back, the next one takes them along.
# shellcheck disable=SC2016 # Python code, not shell
CANONICAL=("$PYTHON" -c '
import os, pty, sys, time
master, slave = pty.openpty()
os.write(master, b"typed but not read\n" + b"half" + b"\x04")
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
print("slave reads", os.read(slave, 100), "then", os.read(slave, 100))
print("master reads", os.read(master, 100))
print("result ok")' "$T/canonical/go")
mkdir -p "$T/canonical-ref" "$T/canonical"
touch "$T/canonical/go"
WL_CMD=("${CANONICAL[@]}")
run_built_reference canonical "$T/canonical-ref"
grep -q "^slave reads b'typed but not read\\\\n' then b'half'$" "$T/canonical-ref/out" ||
    fail "the reference canonical run read otherwise: $(cat "$T/canonical-ref/out")"
rm "$T/canonical/go"
dir=$T/canonical
start_workload "$dir/out" "${CANONICAL[@]}"
wait_lines "$dir/out" 1 20 "$WL_PID"
# First with --leave-running: the lines go back into the live pair, where
# the second dump must find them as they were.
stasis dump-canonical-leave 30 dump --pid "$WL_PID" --dir "$dir/img-leave" --leave-running
expect_ok "canonical: dump --leave-running (pid $WL_PID)"
stasis dump-canonical 30 dump --pid "$WL_PID" --dir "$dir/img"
expect_ok "canonical: dump (pid $WL_PID)"
wait_child "$WL_PID" 10 || fail "canonical: still running 10 s after the dump"
touch "$dir/go"
tree_restore_and_check canonical "$dir" "$T/canonical-ref" "canonical lines restored"

# Slave output a master in packet mode has not read is refused in one line,
# and the program runs on to read it.
dir=$T/packet
mkdir -p "$dir"
# shellcheck disable=SC2016 # Python code, not shell
start_workload "$dir/out" "$PYTHON" -c '
import fcntl, os, pty, struct, termios, time
master, slave = pty.openpty()
os.dup2(master, 7)
fcntl.ioctl(7, termios.TIOCPKT, struct.pack("i", 1))
os.write(slave, b"x")
print("ready", flush=True)
time.sleep(3)
print("master reads", os.read(7, 100), flush=True)'
wait_lines "$dir/out" 1 20 "$WL_PID"
stasis dump-packet 30 dump --pid "$WL_PID" --dir "$dir/img"
check_error "dump of a packet-mode pty master with output unread" 1 \
    "^stasis: process $WL_PID: fd (3|7) is a pty master in packet mode with output of its slave /dev/pts/[0-9]+ not read yet \(/dev/(pts/)?ptmx\)"
[[ ! -e $dir/img/manifest.json ]] || check_fail "the refused dump wrote an image"
not_traced_or_stopped "$WL_PID" || check_fail "the process holding the pair is not running freely after the refused dump"
wait_child "$WL_PID" 30 || fail "the process holding the pair did not end within 30 s after the refused dump"
grep -q "^master reads b'\\\\x00x'$" "$dir/out" || check_fail "the slave's output was lost: $(cat "$dir/out")"

finish
