#!/usr/bin/env bash
# A parent and a child count in two SysV shared memory segments (one already
# removed with IPC_RMID). Run uninterrupted, then twice: dump the whole tree
# at a random moment, restore, compare the whole output: the counters must
# equal the uninterrupted run's and the segment ids the program kept must
# still be valid.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
tree_roundtrip sysv_shm 2
log "PASS"
