#!/usr/bin/env bash
# A heat-diffusion kernel (tests/workloads/heat_field.c) holds its plates in
# float and double arrays. Dumped with --compress zstd, those are stored
# byte-shuffled (codecs zstd-shuffle4 and zstd-shuffle8), in far less room
# than they hold; restored, the kernel goes on from its step and
# every later line, each hashing the plates' bits, equals an uninterrupted
# run's. With the default compression (auto) the restored run is checked
# too, whichever codecs the disk's speed made it choose.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# check_codecs ROUND: the float and double arrays were stored shuffled, and
# each in less room than it holds.
check_codecs() {
    local round=$1 summary
    summary=$("$PYTHON" - "$T/$round/img/manifest.json" <<'PY'
import collections, json, sys
chunks = collections.Counter()
stored = collections.Counter()
def walk(node):
    if isinstance(node, dict):
        if "codec" in node and "xxh3" in node:
            chunks[node["codec"]] += node["size"]
            stored[node["codec"]] += node["stored_size"]
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(json.load(open(sys.argv[1])))
mib = 1 << 20
# Two plates of 4 MiB of floats, two of 8 MiB of doubles.
if chunks["zstd-shuffle4"] < 6 * mib:
    sys.exit(f"only {chunks['zstd-shuffle4']} bytes stored with zstd-shuffle4: {dict(chunks)}")
if chunks["zstd-shuffle8"] < 14 * mib:
    sys.exit(f"only {chunks['zstd-shuffle8']} bytes stored with zstd-shuffle8: {dict(chunks)}")
# A float keeps 2 bytes of 4 in use, a double 6 of 8 (measured: 0.4, 0.65).
for codec, most in (("zstd-shuffle4", 0.5), ("zstd-shuffle8", 0.75)):
    if stored[codec] > most * chunks[codec]:
        sys.exit(f"{codec} stored {chunks[codec]} bytes in {stored[codec]}, more than {most} of them")
print(" ".join(f"{c} {chunks[c] >> 10} KiB in {stored[c] >> 10} KiB;" for c in sorted(chunks)))
PY
    ) || fail "$round: $summary"
    log "$round: $summary"
}

run_reference heat "$T/ref"
start_and_dump heat "$T/zstd" --compress zstd
check_codecs zstd
restore_and_check heat "$T/zstd" "$T/ref" "compression zstd"
start_and_dump heat "$T/auto"
restore_and_check heat "$T/auto" "$T/ref" "compression auto"
log "PASS"
