#!/usr/bin/env bash
# producer | filter | consumer (tree_pipeline.c: a root that makes the pipes
# and forks the three stages) with data in flight: the consumer reads slowly,
# so both pipes are full and the producer blocked. Run uninterrupted, then
# three times: dump the whole tree once it has printed a random number of lines (which kills it),
# restore, compare the whole output (the consumer checks that every line
# arrives once, in order, and prints a checksum).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# Round 1 dumps while all three stages run, round 2 after the producer has
# written everything and exited (the first pipe still full, its writer
# gone), round 3 when only the consumer is left (lines 2-5, 7-9 and 11-16
# of the consumer's progress, measured; the last lines leave it time).
# shellcheck disable=SC2034 # read by tree_roundtrip (lib.sh)
TREE_ROUND_LINES=("2 4" "7 8" "10 12")
tree_roundtrip pipeline_c 3
log "PASS"
