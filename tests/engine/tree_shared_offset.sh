#!/usr/bin/env bash
# A parent and its children write to one file through an inherited fd (one
# offset, no O_APPEND), taking turns (signals) or one after another (waitpid).
# Run uninterrupted, then three times: dump the whole tree at a random moment
# (which kills it), restore, compare the whole output, which includes the
# file: after the restore the writers must still share one offset (no line
# written over another, no hole).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# Rounds 1 and 3 dump while the two take turns, round 2 while short-lived
# children write one after another.
# shellcheck disable=SC2034 # read by tree_roundtrip (lib.sh)
TREE_ROUND_WINDOWS=("200 1600" "1800 2150")
tree_roundtrip shared_offset 3
log "PASS"
