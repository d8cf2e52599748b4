#!/usr/bin/env bash
# A parent and its children write to one file through an inherited fd (one
# offset, no O_APPEND), taking turns (signals) or one after another (waitpid).
# Run uninterrupted, then three times: dump the whole tree at a random moment
# (which kills it), restore, compare the whole output, which includes the
# file: after the restore the writers must still share one offset (no line
# written over another, no hole).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# Rounds 1 and 3 dump while the two take turns (the root prints "round N" as
# line N+1 of 30 rounds), round 2 while short-lived children write one after
# another (lines 32-40 report them).
# shellcheck disable=SC2034 # read by tree_roundtrip (lib.sh)
TREE_ROUND_LINES=("5 28" "33 35")
tree_roundtrip shared_offset 3
log "PASS"
