#!/usr/bin/env bash
# TCP and UDP sockets inside the checkpointed tree. inet_sockets (a parent
# listening on 127.0.0.1 and ::1 when there is IPv6 loopback, its child
# connected to both, a UDP pair; frames and datagrams left unread in both
# directions across every step, TCP_NODELAY on one end) is dumped at a line
# of its output (a state, not a time), killed, restored, and must end with the
# whole output of an uninterrupted run; each process checks after every step
# that its sockets have their addresses, the bytes waiting in each queue and
# their TCP_NODELAY, and the listener must take a new connection at its port
# at the end. Then a program connected to a TCP server outside its tree is
# refused in one line naming the process, the fd and the server's address,
# writes no image, and runs on to its normal end.
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

# A TCP server outside the tree, and a client that keeps its connection open.
start_outside_server tcp
dump_outside_client tcp
check_error "dump of a program connected to a TCP server outside its tree" 1 \
    "^stasis: process $CLIENT_PID: fd $CLIENT_FD is a TCP socket connected to 127\.0\.0\.1:$SERVER_ADDRESS \(socket:\[[0-9]+\] of process $SERVER_PID \(python3\)\) outside the checkpointed tree"
outside_client_ran_on
finish
