#!/usr/bin/env bash
# Damaged and forged images against `stasis verify`, `info` and `restore`:
# one image of memory_kinds (many kinds of state) is copied and, each round,
# damaged one way: its manifest changed at random and sealed again with a
# correct checksum (a forged manifest: tests/tools/mutate_manifest), bytes of
# a data file flipped, a data file cut short, or a data file deleted. Every
# command must exit 0 or 1, and with 1 say one line, never crash or hang; a
# data file cut short or deleted must fail verify and restore; a flipped byte
# must fail both unless every chunk still decodes to its checksummed bytes
# (zstd tolerates some header changes, a larger window size say), and what
# verify refuses restore refuses too; a forged manifest may restore (it is
# the user's own program) but must never leave a half-built process behind. STASIS_FUZZ_ROUNDS (default 30; tests/stress runs 1000)
# and STASIS_TEST_SEED pick the rounds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
ROUNDS=${STASIS_FUZZ_ROUNDS:-30}
MUTATE=$WORKLOADS/mutate_manifest

mkdir -p "$T/run"
workload_cmd memory_kinds "$T/run"
start_workload "$T/run/out" "${WL_CMD[@]}"
wait_lines "$T/run/out" 20 60 "$WL_PID"
stasis dump 60 dump --pid "$WL_PID" --dir "$T/good"
expect_ok "dump of memory_kinds"
wait_child "$WL_PID" 10 || fail "the dumped workload still runs"

# one_line_or_ok WHAT: the last command exited 0, or 1 with one line.
one_line_or_ok() {
    if ((LAST_RC == 0)); then
        return 0
    fi
    if ((LAST_RC != 1)); then
        check_fail "$1: exited $LAST_RC (not 0 or 1): $(head -c 600 "$LAST_LOG")"
        return 1
    fi
    check_error "$1" 1 "."
}

# damage DIR: one random kind of damage; sets DAMAGE (what) and DATA: 1 for
# data that must be refused, 2 for a flipped byte (refused unless its chunk
# still decodes to the same bytes), 0 for a forged manifest.
damage() {
    local dir=$1 files f size
    mapfile -t files < <(cd "$dir" && ls pages-*.bin 2>/dev/null)
    DATA=1
    case $((RANDOM % 8)) in
        0 | 1 | 2 | 3)
            DATA=0
            DAMAGE="forged manifest: $("$MUTATE" "$dir" "$RANDOM$RANDOM")" || fail "mutate_manifest failed on $dir"
            ;;
        4 | 5)
            f=${files[RANDOM % ${#files[@]}]}
            size=$(stat -c %s "$dir/$f")
            local off=$((RANDOM * 32768 % size))
            printf '%b' "\\x$(printf %02x $((RANDOM % 256)))" | dd of="$dir/$f" bs=1 seek="$off" conv=notrunc status=none
            DATA=2
            cmp -s "$dir/$f" "$T/good/$f" && DATA=0 # the byte was already that
            DAMAGE="byte $off of $f set"
            ;;
        6)
            f=${files[RANDOM % ${#files[@]}]}
            size=$(stat -c %s "$dir/$f")
            truncate -s $((RANDOM * 32768 % size)) "$dir/$f"
            DAMAGE="$f cut to $(stat -c %s "$dir/$f") of $size bytes"
            ;;
        7)
            f=${files[RANDOM % ${#files[@]}]}
            rm -f "$dir/$f"
            DAMAGE="$f deleted"
            ;;
    esac
}

forged_restored=0 refused=0 harmless_flips=0
for ((r = 1; r <= ROUNDS; r++)); do
    img=$T/img$r
    cp -a "$T/good" "$img"
    damage "$img"
    log "round $r: $DAMAGE"
    stasis "verify$r" 30 verify --dir "$img"
    one_line_or_ok "round $r ($DAMAGE): verify"
    if ((DATA == 1 && LAST_RC != 1)); then
        check_fail "round $r ($DAMAGE): verify did not refuse damaged data"
    fi
    verified=$LAST_RC
    stasis "info$r" 30 info --dir "$img"
    one_line_or_ok "round $r ($DAMAGE): info"
    stasis "restore$r" 30 restore --dir "$img" --detach --pidfile "$T/pid$r"
    one_line_or_ok "round $r ($DAMAGE): restore"
    if ((verified == 1 && DATA != 0 && LAST_RC != 1)); then
        check_fail "round $r ($DAMAGE): restore ran data that verify refused"
    fi
    if ((LAST_RC == 0)); then
        ((DATA != 1)) || check_fail "round $r ($DAMAGE): restore ran an image with damaged data"
        ((DATA == 2)) && harmless_flips=$((harmless_flips + 1))
        ((DATA == 0)) && forged_restored=$((forged_restored + 1))
        pid=$(cat "$T/pid$r" 2>/dev/null)
        [[ $pid =~ ^[0-9]+$ ]] || fail "round $r: restore exited 0 without a pid file"
        kill -KILL "$pid" 2>/dev/null
        wait_gone "$pid" 10 || check_fail "round $r: the restored process $pid does not go away"
    else
        refused=$((refused + 1))
    fi
    rm -rf "$img"
done
log "$ROUNDS rounds: $refused refused, $forged_restored forged manifests restored (and killed), $harmless_flips flipped bytes that decode to the same data"
stasis verify-good 30 verify --dir "$T/good"
expect_ok "the undamaged image still verifies"
finish
