#!/usr/bin/env bash
# Restore two times from one image. The restored process appends to its
# stdout file at the offset it had when dumped, so the file is put back as it
# was at dump time before each restore.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference single "$T/ref"
start_and_dump single "$T/run"
cp "$T/run/out" "$T/out.at-dump"
cp "$T/run/out.err" "$T/err.at-dump"

for i in 1 2; do
    cp "$T/out.at-dump" "$T/run/out"
    cp "$T/err.at-dump" "$T/run/out.err"
    restore_and_check single "$T/run" "$T/ref" "restore $i"
    cp "$T/run/out" "$T/out.restore$i"
done
log "PASS"
