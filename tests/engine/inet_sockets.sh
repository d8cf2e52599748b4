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

# A server outside the tree, and a client that keeps its connection open,
# says which fd it is on, and ends by talking to the server.
# shellcheck disable=SC2016 # Python code, not shell
start_workload "$T/server.out" "$PYTHON" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()
'
SERVER_PID=$WL_PID
wait_lines "$T/server.out" 1 20 "$SERVER_PID"
read -r PORT <"$T/server.out"
# shellcheck disable=SC2016 # Python code, not shell
CLIENT=("$PYTHON" -c '
import socket, sys, time
sys.stdout.reconfigure(line_buffering=True)
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("fd", c.fileno())
for step in range(1, 61):
    print("step", step); time.sleep(0.05)
c.sendall(b"ping"); print("server said", c.recv(100).decode())
print("result ok")
' "$PORT")
mkdir -p "$T/outside"
start_workload "$T/outside/out" "${CLIENT[@]}"
CLIENT_PID=$WL_PID
wait_lines "$T/outside/out" 3 30 "$CLIENT_PID"
read -r _ client_fd <"$T/outside/out"
stasis dump-outside 60 dump --pid "$CLIENT_PID" --dir "$T/outside/img"
check_error "dump of a program connected to a TCP server outside its tree" 1 \
    "^stasis: process $CLIENT_PID: fd $client_fd is a TCP socket connected to 127\.0\.0\.1:$PORT \(socket:\[[0-9]+\] of process $SERVER_PID \(python3\)\) outside the checkpointed tree"
[[ ! -e $T/outside/img/manifest.json ]] || check_fail "the refused dump wrote an image"
not_traced_or_stopped "$CLIENT_PID" || check_fail "the client is stopped or traced after the refused dump"
wait_child "$CLIENT_PID" 30 || fail "the client did not finish within 30 s after the refused dump"
((CHILD_RC == 0)) || check_fail "the client exited $CHILD_RC after the refused dump: $(tail -3 "$T/outside/out.err")"
grep -q '^server said PING$' "$T/outside/out" || check_fail "the client did not talk to the server after the refused dump"
finish
