#!/usr/bin/env bash
# A corrupt or truncated image is refused by `stasis verify` and
# `stasis restore` with exit 1 and one stderr line naming the problem; the
# good image stays good; a dump killed half-way never leaves an image that
# looks committed, and the target keeps running.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# flip_chunk_byte IMG: flip one byte in the middle of the largest stored
# chunk (found through manifest.json; the middle of the largest pages-*.bin
# if the manifest cannot be read). Prints "FILE OFFSET".
flip_chunk_byte() {
    "$PYTHON" - "$1" <<'PY'
import json, os, sys
img = sys.argv[1]
target = None
try:
    m = json.load(open(os.path.join(img, "manifest.json")))
    best = None
    for p in m.get("processes", []):
        for r in p.get("regions", []):
            for c in r.get("chunks", []):
                if "/" in c["file"] or c.get("stored_size", 0) <= 0:
                    continue
                if best is None or c["stored_size"] > best["stored_size"]:
                    best = c
    if best is not None:
        target = (best["file"], best["offset"] + best["stored_size"] // 2)
except Exception:
    pass
if target is None:
    files = [f for f in os.listdir(img) if f.startswith("pages-") and f.endswith(".bin")]
    files.sort(key=lambda f: os.path.getsize(os.path.join(img, f)), reverse=True)
    if not files or os.path.getsize(os.path.join(img, files[0])) == 0:
        sys.exit("no non-empty pages-*.bin in " + img)
    target = (files[0], os.path.getsize(os.path.join(img, files[0])) // 2)
name, off = target
with open(os.path.join(img, name), "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xFF]))
print(name, off)
PY
}

# change_manifest_digit IMG: change one digit of a number in manifest.json,
# so that it is still valid JSON and only its checksum can tell.
change_manifest_digit() {
    "$PYTHON" - "$1" <<'PY'
import json, os, re, sys
path = os.path.join(sys.argv[1], "manifest.json")
text = open(path, encoding="utf-8").read()
m = re.search(r'"(root_pid|pid|start|brk)"\s*:\s*(\d)', text)
if m:
    pos = m.start(2)
else:  # any digit that is not inside a string, past the middle
    pos = next(i for i in range(len(text) // 2, len(text)) if text[i].isdigit())
new = text[:pos] + str((int(text[pos]) + 1) % 10) + text[pos + 1:]
if new[pos] == "0" and pos + 1 < len(new) and new[pos + 1].isdigit() and not new[pos - 1].isdigit():
    new = text[:pos] + str((int(text[pos]) + 2) % 10) + text[pos + 1:]  # no leading zero
json.loads(new)
open(path, "w", encoding="utf-8").write(new)
print(pos)
PY
}

largest_data_file() {
    local f best="" size bestsize=-1
    for f in "$1"/pages-*.bin; do
        [[ -e $f ]] || continue
        size=$(stat -c %s "$f")
        if ((size > bestsize)); then
            best=$f
            bestsize=$size
        fi
    done
    echo "$best"
}

# --- a good image ------------------------------------------------------------
start_and_dump single_long "$T/good"
good=$T/good/img
stasis verify-good 60 verify --dir "$good"
expect_ok "verify of a good image"
[[ -n $(largest_data_file "$good") ]] || fail "the image has no pages-*.bin: $(ls "$good")"

RE_DATA='checksum|corrupt|mismatch|xxh|pages-[0-9]+\.bin|decompress|zstd'
RE_MANIFEST='manifest|checksum|corrupt|mismatch|xxh'
RE_TRUNC='pages-[0-9]+\.bin|truncat|short|size|eof|end of file|corrupt|checksum'

# --- one byte flipped in the page data --------------------------------------
cp -a "$good" "$T/c-pages"
where=$(flip_chunk_byte "$T/c-pages") || fail "could not corrupt the page data"
log "flipped the byte at $where"
stasis verify-pages 30 verify --dir "$T/c-pages"
check_error "verify, one byte flipped in $where" 1 "$RE_DATA"
stasis restore-pages 30 restore --dir "$T/c-pages"
check_error "restore, one byte flipped in $where" 1 "$RE_DATA"

# --- one digit changed in manifest.json (still valid JSON) ------------------
cp -a "$good" "$T/c-manifest"
pos=$(change_manifest_digit "$T/c-manifest") || fail "could not change manifest.json"
log "changed the digit at offset $pos of manifest.json"
stasis verify-manifest 30 verify --dir "$T/c-manifest"
check_error "verify, one digit changed in manifest.json" 1 "$RE_MANIFEST"
stasis restore-manifest 30 restore --dir "$T/c-manifest"
check_error "restore, one digit changed in manifest.json" 1 "$RE_MANIFEST"

# --- manifest.json cut in half (not JSON any more) ---------------------------
cp -a "$good" "$T/c-manifest-cut"
truncate -s $(($(stat -c %s "$good/manifest.json") / 2)) "$T/c-manifest-cut/manifest.json"
stasis verify-manifest-cut 30 verify --dir "$T/c-manifest-cut"
check_error "verify, manifest.json truncated" 1 'manifest|json|parse|corrupt|truncat|not a stasis image'
stasis restore-manifest-cut 30 restore --dir "$T/c-manifest-cut"
check_error "restore, manifest.json truncated" 1 'manifest|json|parse|corrupt|truncat|not a stasis image'

# --- a data file truncated ----------------------------------------------------
cp -a "$good" "$T/c-trunc"
data=$(largest_data_file "$T/c-trunc")
truncate -s $(($(stat -c %s "$data") / 2)) "$data"
log "truncated ${data##*/} to half its size"
stasis verify-trunc 30 verify --dir "$T/c-trunc"
check_error "verify, ${data##*/} truncated" 1 "$RE_TRUNC"
stasis restore-trunc 30 restore --dir "$T/c-trunc"
check_error "restore, ${data##*/} truncated" 1 "$RE_TRUNC"

# --- the good image was not touched by any of this ----------------------------
stasis verify-good-again 60 verify --dir "$good"
((LAST_RC == 0)) || check_fail "the good image no longer verifies: $(cat "$LAST_LOG")"

# --- a dump killed half-way ---------------------------------------------------
crash=$T/crash
mkdir -p "$crash"
workload_cmd python_big "$crash"
start_workload "$crash/out" "${WL_CMD[@]}"
target=$WL_PID
wait_lines "$crash/out" 3 90 "$target"
clean_exec "$STASIS" dump --pid "$target" --dir "$crash/img" </dev/null >"$LOGS/dump-killed.out" 2>"$LOGS/dump-killed.err" &
dump_pid=$!
STARTED_PIDS+=("$dump_pid")
random_sleep 30 300
if alive "$dump_pid"; then
    kill -KILL "$dump_pid"
    wait "$dump_pid" 2>/dev/null
    log "killed stasis dump (pid $dump_pid) half-way"
    [[ ! -e $crash/img/manifest.json ]] ||
        check_fail "a dump killed half-way left $crash/img/manifest.json: it looks committed"
    stasis verify-killed 60 verify --dir "$crash/img"
    ((LAST_RC == 1)) ||
        check_fail "verify of the image of a killed dump: expected exit 1, got $LAST_RC: $(cat "$LAST_LOG")"
    # The target must be released and go on.
    if ! wait_released "$target" 10; then
        check_fail "after the dump was killed the target $target is stopped, traced or gone (state $(proc_state "$target"))"
    elif ! wait_progress "$crash/out" 15 "$target"; then
        check_fail "after the dump was killed the target $target makes no progress"
    else
        log "ok: target $target runs on after the dump was killed"
        # A new dump into the same directory works.
        stasis dump-retry 120 dump --pid "$target" --dir "$crash/img" --leave-running
        if ((LAST_RC != 0)); then
            check_fail "a new dump after a killed one failed (exit $LAST_RC): $(cat "$LAST_LOG")"
        else
            stasis verify-retry 60 verify --dir "$crash/img"
            ((LAST_RC == 0)) || check_fail "the image of the new dump does not verify: $(cat "$LAST_LOG")"
        fi
    fi
else
    wait "$dump_pid"
    log "note: the dump finished (exit $?) before it could be killed; the killed-dump check did not run"
fi
kill_tree "$target"

finish
