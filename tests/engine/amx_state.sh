#!/usr/bin/env bash
# AMX, the tile registers of Intel Xeons since Sapphire Rapids (oneDNN and
# PyTorch use them): a worker thread holds live tile data across the
# checkpoint, and the main thread uses AMX for the first time after the
# restore, which needs the process's AMX permission back. Dumped at a random
# moment, restored, the whole output compared with an uninterrupted run.
# Skipped (exit 77) where the CPU or kernel offers no AMX.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
if ! "$WORKLOADS/amx_tiles" 0 0 >/dev/null 2>"$T/probe.err"; then
    log "SKIP: $(cat "$T/probe.err")"
    exit 77
fi
roundtrip amx 2
