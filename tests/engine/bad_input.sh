#!/usr/bin/env bash
# Bad input gets exit 1 and one stderr line naming the problem (exit 2 for
# usage errors), and a failed dump leaves its target running and no image
# that looks committed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# A target that runs long enough for all of the checks.
start_workload "$T/target.out" "$WORKLOADS/single_thread" 100000 50 1000
target=$WL_PID
wait_lines "$T/target.out" 2 30 "$target"

# --- a pid that does not exist ------------------------------------------------
"$WORKLOADS/single_thread" 1 0 1 >/dev/null &
gone=$!
wait "$gone"
while [[ -e /proc/$gone ]]; do gone=$((gone + 1000)); done
stasis dump-nopid 30 dump --pid "$gone" --dir "$T/img-nopid"
check_error "dump of pid $gone that does not exist" 1 'no such process|not found|does not exist|no process|not running|not exist'
[[ ! -e $T/img-nopid/manifest.json ]] || check_fail "a failed dump left $T/img-nopid/manifest.json"

# --- a process of another user -----------------------------------------------
if (($(id -u) != 0)); then
    stasis dump-pid1 30 dump --pid 1 --dir "$T/img-pid1" --leave-running
    check_error "dump of pid 1 (another user's process)" 1 'permission|not permitted|denied|owned by|another user|other user|uid|not yours|not allowed'
    [[ ! -e $T/img-pid1/manifest.json ]] || check_fail "a failed dump left $T/img-pid1/manifest.json"
else
    log "skip: dump of another user's process (running as root)"
fi

# --- into an existing, non-empty directory that is not an image --------------
mkdir -p "$T/notempty"
echo "precious" >"$T/notempty/data.txt"
stasis dump-notempty 30 dump --pid "$target" --dir "$T/notempty"
check_error "dump into a non-empty directory" 1 'not empty|non-empty|exists|nonempty'
[[ $(cat "$T/notempty/data.txt" 2>/dev/null) == precious && ! -e $T/notempty/manifest.json ]] ||
    check_fail "dump into a non-empty directory changed it: $(ls -a "$T/notempty")"
alive "$target" || fail "the target died when dump into a non-empty directory failed"
not_traced_or_stopped "$target" || check_fail "the target is stopped or traced after the failed dump"

# --- restore from a directory that is not an image ---------------------------
mkdir -p "$T/notimage"
echo "hello" >"$T/notimage/readme.txt"
stasis restore-notimage 30 restore --dir "$T/notimage"
check_error "restore from a directory that is not an image" 1 'not a stasis image'
stasis verify-notimage 30 verify --dir "$T/notimage"
check_error "verify of a directory that is not an image" 1 'not a stasis image'
stasis restore-missing 30 restore --dir "$T/does-not-exist"
check_error "restore from a directory that does not exist" 1 'no such|not exist|not found|not a stasis image'

# --- a target holding a socket of a kind stasis does not keep (netlink;
# Unix, TCP and UDP sockets inside the tree are kept) ---
clean_exec "$PYTHON" -c '
import socket, sys, time
a = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
a.bind((0, 0))
print("ready", flush=True)
time.sleep(120)
' </dev/null >"$T/sock.out" 2>"$T/sock.out.err" &
sock=$!
STARTED_PIDS+=("$sock")
wait_lines "$T/sock.out" 1 30 "$sock"
mkdir "$T/img-socket" # an existing empty directory is a valid --dir
stasis dump-socket 60 dump --pid "$sock" --dir "$T/img-socket"
check_error "dump of a process with an open socket" 1 'socket'
if [[ -d $T/img-socket ]] && [[ -n $(ls -A "$T/img-socket") ]]; then
    check_fail "a failed dump left files in its (empty) --dir: $(ls -A "$T/img-socket")"
fi
if ! alive "$sock"; then
    check_fail "the socket-holding target was killed by a failed dump"
elif ! not_traced_or_stopped "$sock"; then
    check_fail "the socket-holding target is stopped or traced after the failed dump (state $(proc_state "$sock"))"
else
    log "ok: the socket-holding target still runs"
fi
kill_tree "$sock"

# --- usage errors: exit 2 -------------------------------------------------------
usage() {
    local what=$1
    shift
    stasis "usage-$((++usage_n))" 30 "$@"
    check_error "usage error: $what (stasis $*)" 2 ''
}
usage_n=0
usage "no command"
usage "unknown command" frobnicate
usage "dump without --pid" dump --dir "$T/u1"
usage "dump without --dir" dump --pid "$target" --leave-running
usage "dump with a pid that is not a number" dump --pid abc --dir "$T/u2"
usage "dump with an unknown --compress" dump --pid "$target" --dir "$T/u3" --compress lz4 --leave-running
usage "dump with an unknown option" dump --pid "$target" --dir "$T/u4" --leave-running --frobnicate
usage "restore without --dir" restore
usage "verify without --dir" verify
usage "info without --dir" info
for d in u1 u2 u3 u4; do
    [[ ! -e $T/$d/manifest.json ]] || check_fail "a usage error still wrote an image into $T/$d"
done

alive "$target" || check_fail "the target died during the bad-input checks"
kill_tree "$target"
finish
