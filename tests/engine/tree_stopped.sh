#!/usr/bin/env bash
# A child stopped by job control (SIGSTOP) stays stopped through a restore:
# run uninterrupted, then twice: dump the tree once it has printed a random
# number of lines (which kills it), restore, compare the whole output (every
# step the parent checks that the child is stopped and has not counted on;
# at the end it continues it, and the child counts to its limit and exits).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 15" "20 55")
tree_roundtrip stopped 2
log "PASS"
