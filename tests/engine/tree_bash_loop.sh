#!/usr/bin/env bash
# A bash batch script mid-way through a `for` loop that runs child programs
# on every step (/bin/sleep, expr, a small C helper that shares the script's
# stdout): the dump takes bash and whatever child runs at that moment. Run
# uninterrupted, then three times: dump the whole tree once it has printed a
# random number of lines (which kills it), restore, compare the whole output ($?, variables, arrays,
# the loop position and an fd offset must all come through).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 25" "25 50" "50 70")
tree_roundtrip bash_loop 3
log "PASS"
