#!/usr/bin/env bash
# A parent fills 32 MiB and forks three workers that read all of it, as a
# multiprocessing pool does, one of them with a worker of its own
# (tests/workloads/forked_pages.c). The image stores the pages the workers
# still share with their parents once: the memory it needs is about one
# copy, not five. Restored, the workers are forked from their restored
# parents and share those pages with them again (each worker's own dirty
# memory stays small), every process finds its own rewritten pages and the
# shared ones as they were, and the output equals an uninterrupted run's;
# so does that of the restored tree dumped again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

mib=32

# check_image_size ROUND: the image stores the shared pages once.
check_image_size() {
    local round=$1 sizes memory stored
    stasis "info-$round" 30 info --json --dir "$T/$round/img"
    expect_ok "stasis info of $round's image"
    sizes=$("$PYTHON" - "$LOGS/info-$round.out" "$mib" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
mib = int(sys.argv[2]) << 20
memory = sum(p["bytes"] for p in info["processes"])
stored = info["stored_bytes"]
# Five processes each hold the 32 MiB; the image stores the root's copy,
# and of each worker the 1 MiB chunks (two, where the buffer is not aligned
# to 1 MiB) around its rewritten 256 KiB and around its parent's, and the
# small rest (stacks, libc's data): 48 MiB at most.
if memory < 5 * mib:
    sys.exit(f"the processes hold {memory} bytes, less than five times {mib}")
if stored > 1.75 * mib:
    sys.exit(f"the image stores {stored} bytes of {memory} bytes of memory: the pages shared since the fork are stored more than once")
if info["owned_bytes"] != stored:
    sys.exit(f"owned_bytes {info['owned_bytes']} is not stored_bytes {stored} in a full image")
print(memory, stored)
PY
    ) || fail "$round: $sizes"
    read -r memory stored <<<"$sizes"
    log "$round: $((memory >> 20)) MiB of memory stored in $((stored >> 20)) MiB"
}

# kib FIELD PID: a field of the process's smaps_rollup, in KiB.
kib() {
    awk -v f="$1:" '$1 == f {print $2}' "/proc/$2/smaps_rollup"
}

# check_sharing ROOT: each of the root's descendants holds the buffer (its
# resident set), but little of it as its own dirty memory.
check_sharing() {
    local root=$1 child rss own n=0
    for child in $(descendants "$root"); do
        rss=$(kib Rss "$child")
        own=$(kib Private_Dirty "$child")
        log "restored worker $child: resident $((rss >> 10)) MiB, $((own >> 10)) MiB of it its own"
        ((rss >= mib * 1024)) || fail "restored worker $child has only $rss KiB resident, not the $mib MiB buffer"
        ((own <= 8 * 1024)) ||
            fail "restored worker $child holds $own KiB of its own: the pages it shared with its parent were copied"
        n=$((n + 1))
    done
    ((n == 4)) || fail "the restored root $root has $n descendants, not 4"
}

tree_run_reference forked_pages "$T/ref"

tree_start_and_dump forked_pages "$T/run1"
check_image_size run1
tree_restore_and_check forked_pages "$T/run1" "$T/ref" "forked_pages restored"

# Restored detached, checked for sharing, dumped again and restored.
dir=$T/run2
tree_start_and_dump forked_pages "$dir"
check_image_size run2
mv "$dir/img" "$dir/img1"
restore_detached "$dir/img1" "$dir/restored.pid" forked_pages
pid=$RESTORED_PID
wait_lines "$dir/out" $((DUMP_LINES + 2)) 30 "$pid"
check_sharing "$pid"
stasis dump-again 60 dump --pid "$pid" --dir "$dir/img"
expect_ok "forked_pages: dump of the restored tree (pid $pid)"
log "dumped the restored tree again at line $(line_count "$dir/out")"
wait_gone "$pid" 10 || fail "the restored tree (pid $pid) still runs 10 s after its dump"
check_image_size run2
tree_restore_and_check forked_pages "$dir" "$T/ref" "forked_pages restored, dumped again and restored"
log "PASS"
