#!/usr/bin/env bash
# Incremental generations (`stasis dump --parent`): a job whose memory mostly
# stays as it was is dumped three times while it runs, each generation after
# the first borrowing what did not change. Each one borrows most of its
# memory, verifies, and restores to a run that finishes with the output of
# an uninterrupted one: the chain is restorable from every link. A damaged
# lent chunk then fails every generation that uses it, and only those; a
# parent that is not beside the new image is refused in one line, and the
# job runs on.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

WL_CMD=("$WORKLOADS/rewrite_memory" 48 220 20)
mkdir -p "$T/ref" "$T/run"
run_built_reference rewrite_memory "$T/ref"

start_workload "$T/run/out" "${WL_CMD[@]}"
log "started rewrite_memory as pid $WL_PID"
wait_lines "$T/run/out" 4 60 "$WL_PID"
lines=()
for n in 1 2 3; do
    gen=$(printf 'gen-%06d' "$n")
    args=(dump --pid "$WL_PID" --dir "$T/imgs/$gen" --leave-running)
    ((n == 1)) || args+=(--parent "$T/imgs/$(printf 'gen-%06d' $((n - 1)))")
    random_sleep 300 900
    alive "$WL_PID" || fail "the workload finished before $gen; make it run longer"
    stasis "dump-$gen" 60 "${args[@]}"
    expect_ok "dump of $gen"
    lines+=("$(line_count "$T/run/out")")
    log "$gen: $(du -sh "$T/imgs/$gen" | cut -f1) in its own directory"
done

# Not beside the new image: refused before the job is stopped.
mkdir -p "$T/elsewhere"
stasis dump-misplaced 60 dump --pid "$WL_PID" --dir "$T/elsewhere/gen-000004" --leave-running \
    --parent "$T/imgs/gen-000003"
check_error "a parent that is not a sibling" 1 'parent generation .* is not beside'
[[ ! -e $T/elsewhere/gen-000004 ]] || fail "a refused dump left $T/elsewhere/gen-000004 behind"
alive "$WL_PID" || fail "the workload is gone after a refused dump"
wait_child "$WL_PID" 60 || fail "the workload did not finish within 60 s"
((CHILD_RC == 0)) || fail "the workload exited $CHILD_RC after three dumps with --leave-running"
compare_outputs "$T/ref/out" "$T/run/out" "the job after three incremental dumps"

# What each generation owns and borrows.
for n in 1 2 3; do
    gen=$(printf 'gen-%06d' "$n")
    stasis "info-$gen" 30 info --dir "$T/imgs/$gen" --json
    expect_ok "info --json of $gen"
    stasis "verify-$gen" 60 verify --dir "$T/imgs/$gen"
    expect_ok "verify of $gen"
done
"$PYTHON" - "$LOGS"/info-gen-00000{1,2,3}.out <<'PY' || fail "the generations do not borrow as expected"
import json, sys
first, second, third = (json.load(open(p)) for p in sys.argv[1:])
assert first["borrowed_bytes"] == 0 and first["borrows_from"] == [], first["borrows_from"]
for gen, lenders in ((second, ["gen-000001"]), (third, ["gen-000001", "gen-000002"])):
    # A quarter of the 48 MiB is rewritten in turn; the rest never changes.
    assert gen["borrows_from"] in (lenders, ["gen-000001"]), gen["borrows_from"]
    assert gen["owned_bytes"] < first["owned_bytes"] * 0.4, (gen["owned_bytes"], first["owned_bytes"])
    assert gen["bytes"] == first["bytes"], (gen["bytes"], first["bytes"])
print("ok")
PY
log "ok: gen-000002 and gen-000003 borrow most of their memory ($(grep -h -o 'verified' "$LOGS"/verify-*.out | wc -l) verified)"

# Every link restores, and the job carries on to the same end.
for n in 3 1 2; do
    gen=$(printf 'gen-%06d' "$n")
    stasis "restore-$gen" 60 restore --dir "$T/imgs/$gen"
    ((LAST_RC == 0)) || fail "restore of $gen exited $LAST_RC: $(tail -3 "$LAST_LOG")"
    compare_outputs "$T/ref/out" "$T/run/out" "restored from $gen (dumped at line ${lines[n - 1]})"
done

# Damage a chunk gen-000001 stores and gen-000003 borrows.
read -r file offset < <("$PYTHON" - "$T/imgs/gen-000003/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for r in m["processes"][0]["regions"]:
    for c in r["chunks"]:
        if c["file"].startswith("../gen-000001/") and c["stored_size"] > 4096:
            print(c["file"][len("../gen-000001/"):], c["offset"] + c["stored_size"] // 2)
            sys.exit(0)
sys.exit(1)
PY
) || fail "gen-000003 borrows no chunk of gen-000001"
printf '\xff\x00\xff\x00' | dd of="$T/imgs/gen-000001/$file" bs=1 seek="$offset" conv=notrunc status=none
for n in 1 2 3; do
    gen=$(printf 'gen-%06d' "$n")
    stasis "verify-damaged-$gen" 60 verify --dir "$T/imgs/$gen"
    check_error "verify of $gen with a damaged chunk of gen-000001" 1 'checksum mismatch'
done
stasis restore-damaged 60 restore --dir "$T/imgs/gen-000003"
check_error "restore of gen-000003 with a damaged lent chunk" 1 'gen-000001/.*checksum mismatch'
finish
