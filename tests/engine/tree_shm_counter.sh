#!/usr/bin/env bash
# A parent and two children share MAP_SHARED|MAP_ANONYMOUS memory and count
# in it (a process-shared pthread mutex, atomics, per-process records). Run
# uninterrupted, then twice: dump the whole tree at a random moment (which
# kills it), restore, compare the whole output: the final counters, which the
# root prints after waiting for both children, must equal the uninterrupted
# run's, so the memory must still be shared after the restore.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
tree_roundtrip shm_counter 2
log "PASS"
