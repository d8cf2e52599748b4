#!/usr/bin/env bash
# dump_restore_bench.sh: how fast stasis dumps and restores large memory,
# compared with the raw sequential write speed of the disk it writes to.
#
#   tests/bench/dump_restore_bench.sh [--build DIR] [--dir DIR] [GIB...]
#
#   --build DIR   the build tree (default: build/ of this checkout)
#   --dir DIR     where images and the dd test file go (default: a new
#                 directory under $TMPDIR or /var/tmp); it needs about
#                 2.2 x the largest size free
#   GIB...        memory sizes to test, in GiB (default: 1 4)
#
# For each size: starts fill_random (N GiB of random, incompressible data,
# then sleeping), measures the disk with dd (same size, conv=fdatasync, same
# directory), times `stasis dump --compress zstd` and `--compress none`
# (both --leave-running), then `stasis restore --detach` of each image
# (and has the restored process check its memory), and prints GB/s (10^9 bytes/s of process memory), the ratio to the disk's
# write speed and the image sizes. Everything it starts and writes is
# removed at the end. Not part of ctest.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
DIR=
SIZES=()
while (($#)); do
    case $1 in
        --build) BUILD=$2; shift 2 ;;
        --dir) DIR=$2; shift 2 ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) SIZES+=("$1"); shift ;;
    esac
done
((${#SIZES[@]})) || SIZES=(1 4)

STASIS=$BUILD/engine/stasis
FILL=$BUILD/tests/bench/fill_random
for f in "$STASIS" "$FILL"; do
    [[ -x $f ]] || { echo "missing $f: build first (cmake --build build)" >&2; exit 1; }
done

if [[ -z $DIR ]]; then
    DIR=$(mktemp -d "${TMPDIR:-/var/tmp}/stasis-bench.XXXXXX")
else
    mkdir -p "$DIR"
    DIR=$(mktemp -d "$DIR/stasis-bench.XXXXXX")
fi

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT

# shellcheck source=tests/clean-exec.sh
source "$ROOT/tests/clean-exec.sh"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
gbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", (s > 0 ? n / s / 1e9 : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
human() { awk -v n="$1" 'BEGIN { printf "%.2f GiB", n / 1073741824 }'; }
die() { echo "bench: $*" >&2; exit 1; }

# wait_for_line FILE PATTERN SECS
wait_for_line() {
    local deadline=$((SECONDS + $3))
    until grep -q "$2" "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || die "timed out waiting for '$2' in $1"
        sleep 0.1
    done
}

echo "stasis dump/restore benchmark: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
echo "images and the dd test file go to $DIR ($(df -h --output=source,fstype "$DIR" | tail -1 | tr -s ' '))"
echo

RESULTS=()
for gib in "${SIZES[@]}"; do
    bytes=$(awk -v g="$gib" 'BEGIN { printf "%.0f", g * 1073741824 }')
    echo "== $gib GiB"

    out=$DIR/fill-$gib.out
    clean_exec "$FILL" "$gib" </dev/null >"$out" 2>&1 &
    fill=$!
    PIDS+=("$fill")
    wait_for_line "$out" '^ready' 300
    echo "filled $gib GiB with random data (pid $fill)"

    t0=$(now)
    dd if=/dev/zero of="$DIR/dd.bin" bs=1M count=$((bytes / 1048576)) conv=fdatasync status=none
    t1=$(now)
    rm -f "$DIR/dd.bin"
    dd_s=$(elapsed "$t0" "$t1")
    dd_gbps=$(gbps "$bytes" "$dd_s")
    echo "disk: dd conv=fdatasync $(human "$bytes") in ${dd_s}s = $dd_gbps GB/s"

    for codec in zstd none; do
        img=$DIR/img-$codec
        t0=$(now)
        "$STASIS" dump --pid "$fill" --dir "$img" --compress "$codec" --leave-running ||
            die "dump --compress $codec failed"
        t1=$(now)
        s=$(elapsed "$t0" "$t1")
        size=$(du -sb "$img" | cut -f1)
        line=$(printf '%-8s %-14s %8ss %7s GB/s  %5sx disk  image %s' "${gib}GiB" "dump $codec" "$s" \
            "$(gbps "$bytes" "$s")" "$(ratio "$(gbps "$bytes" "$s")" "$dd_gbps")" "$(human "$size")")
        echo "$line"
        RESULTS+=("$line")
    done
    kill -KILL "$fill"
    wait "$fill" 2>/dev/null || true
    # The restored process appends to its output file at the offset it had
    # when dumped: put the file back as it was before each restore.
    cp "$out" "$out.at-dump"

    for codec in zstd none; do
        img=$DIR/img-$codec
        cp "$out.at-dump" "$out"
        t0=$(now)
        "$STASIS" restore --dir "$img" --detach --pidfile "$DIR/restored.pid" ||
            die "restore --detach of the $codec image failed"
        t1=$(now)
        s=$(elapsed "$t0" "$t1")
        rpid=$(cat "$DIR/restored.pid")
        PIDS+=("$rpid")
        kill -0 "$rpid" 2>/dev/null || die "the restored process $rpid is not running"
        line=$(printf '%-8s %-14s %8ss %7s GB/s  %5sx disk' "${gib}GiB" "restore $codec" "$s" \
            "$(gbps "$bytes" "$s")" "$(ratio "$(gbps "$bytes" "$s")" "$dd_gbps")")
        echo "$line"
        RESULTS+=("$line")
        # Check the restored memory holds the same random data.
        kill -USR1 "$rpid"
        wait_for_line "$out" '^verify' 300
        grep -q '^verify ok' "$out" || die "restored $codec image: $(grep '^verify' "$out")"
        echo "       restored memory checked: same $gib GiB of random data"
        kill -KILL "$rpid" 2>/dev/null || true
        while kill -0 "$rpid" 2>/dev/null; do sleep 0.1; done
        rm -rf "$img"
    done
    RESULTS+=("$(printf '%-8s %-14s %8ss %7s GB/s  (raw disk write, dd conv=fdatasync)' "${gib}GiB" "dd" "$dd_s" "$dd_gbps")")
    echo
done

echo "== summary (GB/s of process memory; 'x disk' = ratio to the raw disk write speed;"
echo "   restores read images that are likely still in the page cache)"
printf '%s\n' "${RESULTS[@]}"
