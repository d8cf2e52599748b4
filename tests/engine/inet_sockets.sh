#!/usr/bin/env bash
# TCP and UDP sockets inside the checkpointed tree. inet_sockets (a parent
# listening on 127.0.0.1 and ::1 when there is IPv6 loopback, its child
# connected to both, a UDP pair; frames and datagrams left unread in both
# directions across every step, TCP_NODELAY on one end) is dumped at a line
# of its output (a state, not a time), killed, restored, and must end with the
# whole output of an uninterrupted run; each process checks after every step
# that its sockets have their addresses, the bytes waiting in each queue and
# their TCP_NODELAY, and the listener must take a new connection at its port
# at the end; the first image is restored a second time, while the first
# restore's connections linger in TIME_WAIT; an image whose ports are still
# taken (dumped with --leave-running) fails to restore in one line naming the
# address, and its original runs on. Then a program connected to a
# TCP server outside its tree is refused in one line naming the process, the
# fd and the server's address, writes no image, and runs on to its normal
# end.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

WL_CMD=("$WORKLOADS/inet_sockets" 60 50)
mkdir -p "$T/ref"
run_built_reference inet_sockets "$T/ref"
log "reference: $(head -1 "$T/ref/out")"
r=0
for lines in "3 12" "12 55"; do
    r=$((r + 1))
    line_round inet_sockets "$T/run$r" "$T/ref" "$lines" "${WL_CMD[@]}"
done

# The first image again, once the tree restored from it has ended: its
# connections linger in TIME_WAIT on the same ports. The output is cut back
# to where the dumped run had written it (fd 1's offset in the image).
at_dump=$("$PYTHON" -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(next(f["pos"] for f in m["processes"][0]["fds"] if f["fd"] == 1))
' "$T/run1/img/manifest.json") || fail "cannot read fd 1's offset from the first image"
truncate -s "$at_dump" "$T/run1/out"
tree_restore_and_check inet_sockets "$T/run1" "$T/ref" "inet_sockets restored a second time from one image"

# An image whose ports are taken when it is restored: dumped with
# --leave-running, restored while the original still holds them. The
# restore fails in one line naming the socket and its address, before any
# process of the image runs (it would write into the original's output),
# and the original runs on to the reference's end.
mkdir -p "$T/taken"
start_workload "$T/taken/out" "${WL_CMD[@]}"
TAKEN_PID=$WL_PID
wait_random_line "$T/taken/out" 3 12 "$TAKEN_PID"
stasis dump-taken 60 dump --pid "$TAKEN_PID" --dir "$T/taken/img" --leave-running
expect_ok "inet_sockets: dump --leave-running (pid $TAKEN_PID)"
stasis restore-taken 60 restore --dir "$T/taken/img"
check_error "restore while the checkpointed tree still holds its ports" 1 \
    "^stasis: cannot bind the (TCP|UDP) socket socket:\[[0-9]+\] \((127\.0\.0\.1|\[::1\]):[0-9]+\) again: Address already in use$"
wait_child "$TAKEN_PID" 60 || fail "the original did not finish within 60 s after the refused restore"
((CHILD_RC == 0)) || check_fail "the original exited $CHILD_RC after the refused restore: $(tail -3 "$T/taken/out.err")"
compare_outputs "$T/ref/out" "$T/taken/out" "the original after its image's refused restore"

# A TCP server outside the tree, and a client that keeps its connection open.
start_outside_server tcp
dump_outside_client tcp
check_error "dump of a program connected to a TCP server outside its tree" 1 \
    "^stasis: process $CLIENT_PID: fd $CLIENT_FD is a TCP socket connected to 127\.0\.0\.1:$SERVER_ADDRESS \(socket:\[[0-9]+\] of process $SERVER_PID \(python3\)\) outside the checkpointed tree"
outside_client_ran_on
finish
