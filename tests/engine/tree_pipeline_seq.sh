#!/usr/bin/env bash
# A bash script `seq 1 N | while read ...; do ...; sleep; done`: the loop
# (a subshell) reads slowly, runs expr in a command substitution and
# /bin/sleep, and checks the sequence. Run uninterrupted, then twice: dump
# the whole tree once it has printed a random number of lines (which kills it), restore, compare the
# whole output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# Round 1 dumps while seq is blocked on the full pipe, round 2 after seq
# has exited (unread data left in the pipe, its writer gone).
# shellcheck disable=SC2034 # read by tree_roundtrip (lib.sh)
TREE_ROUND_LINES=("2 18" "26 48")
tree_roundtrip pipeline_seq 2
log "PASS"
