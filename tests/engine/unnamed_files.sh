#!/usr/bin/env bash
# Files without a name (tests/workloads/unnamed_files.c): a deleted file
# open twice on one description and mapped privately, a sealed memfd mapped
# shared by the root and its child, an O_TMPFILE file, and a deleted POSIX
# shared memory segment only mapped, shared by both. Run uninterrupted,
# then three times: dump the tree once it has printed a chosen line (which
# kills it), restore, compare the whole output. The restored root checks
# every step the offsets, sizes, link counts, names, seals and the private
# mapping, and waits to see its child's counts in both shared mappings; the
# final line holds checksums of every file's bytes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 8" "15 25" "30 40")
tree_roundtrip unnamed_files 3
log "PASS"
