#!/usr/bin/env bash
# A parent fills 32 MiB and forks three workers that read all of it, as a
# multiprocessing pool does (tests/workloads/forked_pages.c). The image
# stores the pages the workers still share with their parent once: the
# memory it needs is about one copy, not four. Restored, every process finds
# its own rewritten pages and the shared ones as they were, and the output
# equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

mib=32
rounds=${STASIS_TEST_ROUNDS:-2}
tree_run_reference forked_pages "$T/ref"
for ((r = 1; r <= rounds; r++)); do
    dir=$T/run$r
    tree_start_and_dump forked_pages "$dir"
    stasis "info-run$r" 30 info --json --dir "$dir/img"
    expect_ok "stasis info of round $r's image"
    sizes=$("$PYTHON" - "$LOGS/info-run$r.out" "$mib" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
mib = int(sys.argv[2]) << 20
memory = sum(p["bytes"] for p in info["processes"])
stored = info["stored_bytes"]
# Four processes each hold the 32 MiB; the image stores the parent's copy,
# and of each child the 1 MiB chunks (two, where the buffer is not aligned to
# 1 MiB) around its rewritten 256 KiB and around the parent's, and the small
# rest (stacks, libc's data): 44 MiB at most.
if memory < 4 * mib:
    sys.exit(f"the processes hold {memory} bytes, less than four times {mib}")
if stored > 1.5 * mib:
    sys.exit(f"the image stores {stored} bytes of {memory} bytes of memory: the pages shared since the fork are stored more than once")
if info["owned_bytes"] != stored:
    sys.exit(f"owned_bytes {info['owned_bytes']} is not stored_bytes {stored} in a full image")
print(memory, stored)
PY
    ) || fail "round $r: $sizes"
    read -r memory stored <<<"$sizes"
    log "round $r: $((memory >> 20)) MiB of memory stored in $((stored >> 20)) MiB"
    tree_restore_and_check forked_pages "$dir" "$T/ref" "forked_pages round $r"
done
log "PASS"
