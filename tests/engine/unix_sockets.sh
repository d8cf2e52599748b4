#!/usr/bin/env bash
# Unix sockets inside the checkpointed tree. unix_sockets (a parent and three
# children over a stream, a seqpacket and a datagram socketpair, a datagram
# socket with an abstract name, one bound to a path, a listening socket with
# an accepted connection and one waiting in its backlog; data unread in every
# queue, one stream shut down for writing, two sockets whose peers were
# closed with data left, options set) and py_mp_pipe
# (CPython's multiprocessing.Pipe between a parent and its Process) are each
# dumped at a line of their output (a state, not a time), killed, restored,
# and must end with the whole output of an uninterrupted run; each checks its
# own sockets after every read. The socket files the killed tree left behind
# are in the way of the restore, which must replace them. Then a program
# connected to a socket served outside its tree is refused in one line naming
# the process, the fd and the peer, and runs on to its normal end.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# sockets_cmd DIR: the unix_sockets workload working in DIR.
sockets_cmd() { WL_CMD=("$WORKLOADS/unix_sockets" "$1" 60 50); }

mkdir -p "$T/ref"
sockets_cmd "$T/ref"
run_built_reference unix_sockets "$T/ref"
grep -q '^shutdown: farewell read then end of file; the other way open (ack); write after SHUT_WR: EPIPE$' "$T/ref/out" ||
    fail "the reference run did not see the shutdown as it should: $(grep '^shutdown' "$T/ref/out")"
grep -q "^closed peers: 'orphaned datadgram', then end of file; sending to the closed datagram peer: ECONNREFUSED$" "$T/ref/out" ||
    fail "the reference run did not see its closed peers as it should: $(grep '^closed' "$T/ref/out")"
r=0
for lines in "3 12" "12 55"; do
    r=$((r + 1))
    sockets_cmd "$T/run$r"
    line_round unix_sockets "$T/run$r" "$T/ref" "$lines" "${WL_CMD[@]}"
done

WL_CMD=("$PYTHON" "$WORKLOADS/py_mp_pipe.py" 60 50)
mkdir -p "$T/py-ref"
run_built_reference py_mp_pipe "$T/py-ref"
line_round py_mp_pipe "$T/py-run" "$T/py-ref" "4 50" "${WL_CMD[@]}"

# A server outside the tree, and a client that keeps its connection open.
start_outside_server unix "$T/outside.sock"
dump_outside_client unix
check_error "dump of a program connected to a server outside its tree" 1 \
    "^stasis: process $CLIENT_PID: fd $CLIENT_FD is a Unix socket connected to socket:\[[0-9]+\] \($SERVER_ADDRESS\) of process $SERVER_PID \(python3\) outside the checkpointed tree"
outside_client_ran_on
finish
