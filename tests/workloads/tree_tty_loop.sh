#!/bin/bash
# tree_tty_loop.sh: a batch script started on a terminal (a pty) that runs a
# child on every step, for checkpoint/restart tests of terminals
# (tests/engine/tree_terminal.sh).
#
# usage: bash tree_tty_loop.sh WORKLOAD_DIR [STEPS] [HOLD_MS] [jobs]
#
# The script leads its session and the pty is its controlling terminal. It
# turns ECHO off and sets the window size (tty_probe setup), then on each
# step runs `tty_probe check`, which holds /dev/tty open for HOLD_MS and
# prints what it sees of the terminal (controlling terminal, foreground
# group, ECHO, size), and prints a line of its own. At the end it reads a
# line from the terminal and prints it back. With `jobs`, the script has job
# control (set -m), as an interactive shell has: each child runs in a
# process group of its own, which bash makes the terminal's foreground group
# while it runs. The output depends only on STEPS and that line.
set -u
W=${1:?usage: tree_tty_loop.sh WORKLOAD_DIR [STEPS] [HOLD_MS] [jobs]}
N=${2:-40}
HOLD=${3:-60}
[[ ${4:-} == jobs ]] && set -m

echo "tty_loop start steps=$N"
"$W/tty_probe" setup 33 111 || exit 1
sum=0
for ((i = 1; i <= N; i++)); do
    "$W/tty_probe" check "  child $i" "$HOLD"
    rc=$?
    sum=$((sum + i * i))
    if [[ -t 0 ]]; then stdin="tty"; else stdin="not a tty"; fi
    echo "step $i rc=$rc sum=$sum stdin=$stdin"
done
echo "ready for input"
read -r line
echo "got: $line"
"$W/tty_probe" check "  final"
echo "result steps=$N sum=$sum"
