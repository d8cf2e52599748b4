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

# A server outside the tree, and a client that keeps its connection open,
# says which fd it is on, and ends by talking to the server.
SERVER=$T/outside.sock
# shellcheck disable=SC2016 # Python code, not shell
start_workload "$T/server.out" "$PYTHON" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
while True:
    c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()
' "$SERVER"
SERVER_PID=$WL_PID
deadline=$((SECONDS + $(budget 20)))
until [[ -S $SERVER ]]; do
    alive "$SERVER_PID" || fail "the outside server ended: $(cat "$T/server.out.err")"
    ((SECONDS < deadline)) || fail "the outside server did not bind $SERVER within 20 s"
    sleep 0.05
done
# shellcheck disable=SC2016 # Python code, not shell
CLIENT=("$PYTHON" -c '
import socket, sys, time
sys.stdout.reconfigure(line_buffering=True)
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
print("fd", c.fileno())
for step in range(1, 61):
    print("step", step); time.sleep(0.05)
c.sendall(b"ping"); print("server said", c.recv(100).decode())
print("result ok")
' "$SERVER")
mkdir -p "$T/outside"
start_workload "$T/outside/out" "${CLIENT[@]}"
CLIENT_PID=$WL_PID
wait_lines "$T/outside/out" 3 30 "$CLIENT_PID"
read -r _ client_fd <"$T/outside/out"
stasis dump-outside 60 dump --pid "$CLIENT_PID" --dir "$T/outside/img"
check_error "dump of a program connected to a server outside its tree" 1 \
    "^stasis: process $CLIENT_PID: fd $client_fd is a Unix socket connected to socket:\[[0-9]+\] \($SERVER\) of process $SERVER_PID \(python3\) outside the checkpointed tree"
[[ ! -e $T/outside/img/manifest.json ]] || check_fail "the refused dump wrote an image"
not_traced_or_stopped "$CLIENT_PID" || check_fail "the client is stopped or traced after the refused dump"
wait_child "$CLIENT_PID" 30 || fail "the client did not finish within 30 s after the refused dump"
((CHILD_RC == 0)) || check_fail "the client exited $CHILD_RC after the refused dump: $(tail -3 "$T/outside/out.err")"
grep -q '^server said PING$' "$T/outside/out" || check_fail "the client did not talk to the server after the refused dump"
finish
