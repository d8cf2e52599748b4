#!/usr/bin/env bash
# The producer | filter | consumer pipeline of tree_pipeline.c run by a bash
# script (bash is the root; it prints the stages' statuses from PIPESTATUS).
# Run uninterrupted, then twice: dump the whole tree once it has printed a
# random number of lines (which kills it), restore, compare the whole output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# Round 1 dumps while all three stages run, round 2 later, up to when the
# script waits for its go file after the pipeline.
# shellcheck disable=SC2034 # read by tree_roundtrip (lib.sh)
TREE_ROUND_LINES=("2 4" "8 19")
tree_roundtrip pipeline_sh 2
log "PASS"
