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

# A node that will not grant the AMX the process had (forged here: component
# 19, which this kernel does not hand out) refuses the restore in one line.
forged=$T/forged
cp -a "$T/run1/img" "$forged"
"$WORKLOADS/mutate_manifest" "$forged" --set /processes/0/attributes/dynamic_xfeatures 524288 >/dev/null ||
    fail "mutate_manifest failed on $forged"
stasis restore-forged 30 restore --dir "$forged"
check_error "restore of an image whose process had XSAVE component 19" 1 \
    "^stasis: the process used XSAVE component 19, which this node does not grant"
finish
