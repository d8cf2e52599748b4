#!/usr/bin/env bash
# bench.sh: stasis's performance figures (issue #13), each as a ratio to a
# reference measured in the same run on the same machine, printed as a table
# and written as JSON for docs/performance.md. ctest runs only --self-check.
#
#   tests/bench/bench.sh [--quick] [--only LIST] [--build DIR] [--dir DIR]
#                        [--json FILE] [--self-check]
#
#   --quick        smaller sizes and a 10 s checkpoint interval: 3-4 min
#                  instead of 15-20 on a 2-core VM (figures are less telling)
#   --only LIST    scenarios to run, comma-separated (default: all):
#                    full          full dump of 2 and 8 GiB of incompressible
#                                  memory vs the raw write of the same bytes
#                                  (write + fdatasync, same directory), CRIU
#                                  and DMTCP
#                    compressible  full dump of 2 GiB of a heat-diffusion
#                                  kernel's float arrays: time and image size
#                                  vs the raw write, CRIU and DMTCP (no gzip)
#                    incremental   frozen time of the checkpoints of a 4 GiB
#                                  job that rewrites 5 % / 50 % of its memory
#                                  per interval vs its first (full) one, by
#                                  `stasis dump --parent` and under `stasis run`
#                    restore       restore of 2 GiB (cold page cache as root)
#                                  vs CRIU and DMTCP
#                    slowdown      a compute-bound job checkpointed every 60 s
#                                  by `stasis run` vs the same job unguarded
#                    tree          dump and restore of a tree of 8 processes
#                                  holding 2 GiB between them vs one process
#                                  holding it all
#                    pool          a process holding 2 GiB and 4 forked
#                                  workers that only read it: image size vs
#                                  the memory, and the restored pool's memory
#                                  (sum of Pss) vs the checkpointed one's
#   --build DIR    the build tree (default: build/ of this checkout)
#   --dir DIR      where images and test files go (default: a new directory
#                  under $TMPDIR or /var/tmp); it needs about 1.2 x the
#                  largest size free (10 GiB for the full run)
#   --json FILE    also write the results as JSON to FILE
#   --self-check   tiny sizes, every scenario, then check that the JSON has
#                  every row; says nothing about speed (used by ctest)
#
# Peers, when installed (neither is in Debian 12 in a version that works on
# a current kernel); without them their rows say how to point at one:
#   CRIU=/path/to/criu                    criu dump/restore (run as root)
#   DMTCP_PATH=/dir/of/dmtcp_launch       dmtcp_launch, dmtcp_command and
#                                         dmtcp_restart (checkpoints without gzip)
#
# Everything it starts and writes is removed at the end, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
DIR=
JSON=
QUICK=0
SELF_CHECK=0
ALL_SCENARIOS=(full compressible incremental restore slowdown tree pool)
SCENARIOS=("${ALL_SCENARIOS[@]}")

usage() { sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
        --quick) QUICK=1; shift ;;
        --self-check) SELF_CHECK=1; shift ;;
        --only) IFS=, read -r -a SCENARIOS <<<"$2"; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        --dir) DIR=$2; shift 2 ;;
        --json) JSON=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for s in "${SCENARIOS[@]}"; do
    [[ " ${ALL_SCENARIOS[*]} " == *" $s "* ]] ||
        { echo "bench.sh: unknown scenario '$s' (one of: ${ALL_SCENARIOS[*]})" >&2; exit 2; }
done
((SELF_CHECK)) && SCENARIOS=("${ALL_SCENARIOS[@]}")
wanted() { [[ " ${SCENARIOS[*]} " == *" $1 "* ]]; }

# Sizes in GiB and times in seconds of each mode. The full run's sizes are
# the issue's; --quick and --self-check keep every step, only smaller.
if ((SELF_CHECK)); then
    MODE=self-check
    FULL_GIB=(0.0625 0.125) COMP_GIB=0.0625 COMP_SWEEPS=2 INC_GIB=0.125 RESTORE_GIB=0.0625
    SLOW_GIB=0.03125 SLOW_INTERVAL=2 SLOW_SECONDS=5 TREE_PROCS=3 TREE_RESTORES=2 POOL_WORKERS=2
elif ((QUICK)); then
    MODE=quick
    FULL_GIB=(0.5 1) COMP_GIB=0.5 COMP_SWEEPS=10 INC_GIB=1 RESTORE_GIB=0.5
    SLOW_GIB=0.25 SLOW_INTERVAL=10 SLOW_SECONDS=25 TREE_PROCS=8 TREE_RESTORES=3 POOL_WORKERS=4
else
    MODE=full
    FULL_GIB=(2 8) COMP_GIB=2 COMP_SWEEPS=10 INC_GIB=4 RESTORE_GIB=2
    SLOW_GIB=1 SLOW_INTERVAL=60 SLOW_SECONDS=140 TREE_PROCS=8 TREE_RESTORES=3 POOL_WORKERS=4
fi
INC_PERCENTS=(5 50)
INC_ROUNDS=2 # incremental checkpoints after the full one, each after a round

STASIS=$BUILD/engine/stasis
WORK=$BUILD/tests/bench
for f in "$STASIS" "$WORK/fill_random" "$WORK/relax" "$WORK/rewrite" "$WORK/compute"; do
    [[ -x $f ]] || { echo "bench.sh: missing $f: build first (cmake --build build)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "bench.sh: needs python3 (for the JSON)" >&2; exit 1; }

if [[ -z $DIR ]]; then
    DIR=$(mktemp -d "${TMPDIR:-/var/tmp}/stasis-bench.XXXXXX")
else
    mkdir -p "$DIR"
    DIR=$(mktemp -d "$DIR/stasis-bench.XXXXXX")
fi
DIR=$(cd "$DIR" && pwd)
ROWS=$DIR/rows.tsv
: >"$ROWS"

PIDS=()        # every process started here, killed by pid at the end
DMTCP_PORTS=() # DMTCP coordinators started here, asked to quit at the end
cleanup() {
    local p
    for p in "${DMTCP_PORTS[@]}"; do
        DMTCP_COORD_PORT=$p DMTCP_PORT=$p timeout 10 "$DMTCP_PATH/dmtcp_command" --quit >/dev/null 2>&1 || true
    done
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT

# shellcheck source=tests/clean-exec.sh
source "$ROOT/tests/clean-exec.sh"

die() { echo "bench.sh: $*" >&2; exit 1; }
note() { echo "  $*"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# median NUMBER...: the middle one (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
since() { calc %.3f "$(now) - $1"; }
gib_bytes() { calc %.0f "$1 * 1073741824"; }
gbps() { calc %.2f "$1 / $2 / 1e9"; }
gib_label() { calc %g "$1"; }

# wait_for_line FILE PATTERN SECS: until a line of FILE matches PATTERN.
wait_for_line() {
    local deadline=$((SECONDS + $3))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || die "timed out waiting for '$2' in $1: $(tail -3 "$1" 2>/dev/null)"
        sleep 0.05
    done
}

# start_workload OUT PROGRAM ARGS...: start a workload with only fds 0-2
# (stasis refuses fds it cannot restore), wait for its "ready" line, and set
# WPID to its pid.
start_workload() {
    local out=$1
    shift
    clean_exec "$@" </dev/null >"$out" 2>&1 &
    WPID=$!
    PIDS+=("$WPID")
    wait_for_line "$out" '^ready' 600
}

stop_pid() {
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    while kill -0 "$1" 2>/dev/null; do sleep 0.05; done
}

# raw_write OUT PID FILE: have workload PID write its memory to FILE (write +
# fdatasync, it times itself) and wait for it; sets RAW_B (bytes) and
# RAW_S (seconds). FILE is removed.
raw_write() {
    local out=$1 pid=$2 file=$3 before deadline=$((SECONDS + 1200))
    before=$(grep -c '^raw-write' "$out" || true)
    kill -USR2 "$pid"
    until (($(grep -c '^raw-write' "$out" || true) > before)); do
        ((SECONDS < deadline)) || die "workload $pid wrote no raw-write line: $(tail -3 "$out")"
        sleep 0.05
    done
    read -r RAW_B RAW_S <<<"$(awk '/^raw-write/ { b = $2; s = $3 } END { printf "%s %.3f", b, s }' "$out")"
    rm -f "$file"
}

# warm_up BYTES: write (dd, zeros, fdatasync) and remove BYTES of data just
# before something that writes as much, which then finds its page cache
# pages at hand (see "Two effects" below). Sets WARM_S.
warm_up() {
    local t0
    t0=$(now)
    dd if=/dev/zero of="$DIR/warm.bin" bs=1M count=$(($1 / 1048576)) conv=fdatasync status=none
    rm -f "$DIR/warm.bin"
    WARM_S=$(since "$t0")
}

# Drop the page cache when we may (root), so a restore reads from disk; the
# result says which it was. Everyone on the machine pays for it a little.
CACHE=warm
# A self-check (under ctest, beside other tests) leaves the cache alone.
drop_caches() {
    sync
    if ((!SELF_CHECK)) && [[ -w /proc/sys/vm/drop_caches ]] && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
        CACHE=cold
    else
        CACHE=warm
    fi
}

# stasis_dump PID DIR [ARGS...]: `stasis dump --leave-running`, timed. Sets
# DUMP_S (wall seconds), FROZEN_S (what stasis reports) and STORED (bytes
# of page data on disk).
stasis_dump() {
    local pid=$1 dir=$2 t0
    shift 2
    t0=$(now)
    "$STASIS" -v dump --pid "$pid" --dir "$dir" --leave-running "$@" 2>"$dir.log" ||
        die "stasis dump of $pid into $dir failed: $(tail -1 "$dir.log")"
    DUMP_S=$(since "$t0")
    IFS='|' read -r _ STORED FROZEN_S <<<"$(grep 'checkpointed pid' "$dir.log" | tail -1 | describe_fields)"
    [[ -n $FROZEN_S && -n $STORED ]] || die "unexpected output of stasis dump: $(cat "$dir.log")"
}

# stasis_restore IMG: `stasis restore --detach`, timed until it returns
# (the process runs) into RESTORE_S; the restored pid in RESTORED_PID.
stasis_restore() {
    local t0
    t0=$(now)
    "$STASIS" restore --dir "$1" --detach --pidfile "$DIR/restored.pid" 2>"$DIR/restore.log" ||
        die "stasis restore of $1 failed: $(tail -1 "$DIR/restore.log")"
    RESTORE_S=$(since "$t0")
    RESTORED_PID=$(cat "$DIR/restored.pid")
    PIDS+=("$RESTORED_PID")
}

# abba OUT IMG: the raw write of WPID's bytes, two dumps of WPID into IMG,
# the raw write again (A B B A: this disk drifts within a run). Sets R1 S1
# S2 R2, and STORED as the first dump stored.
abba() {
    local out=$1 img=$2 stored
    raw_write "$out" "$WPID" "$DIR/raw.bin"
    R1=$RAW_S
    stasis_dump "$WPID" "$img"
    S1=$DUMP_S stored=$STORED
    rm -rf "$img" "$img.log"
    stasis_dump "$WPID" "$img"
    S2=$DUMP_S
    rm -rf "$img" "$img.log"
    raw_write "$out" "$WPID" "$DIR/raw.bin"
    R2=$RAW_S STORED=$stored
}

# describe_fields: for each line that describes a checkpoint as stasis does
# ("1.00 GiB of memory, 51.0 MiB stored[, 973 MiB unchanged since
# gen-000001], 0.512 s frozen"), prints "GEN|STORED_BYTES|FROZEN_SECONDS";
# GEN is the generation an agent's log line names ("gen-000002 committed
# (periodic): ..."), else "-".
describe_fields() {
    awk 'function bytes(s,   u) {
            u = s
            sub(/^[0-9.]+ /, "", u)
            return (s + 0) * (u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : u == "TiB" ? 1099511627776 : 1)
        }
        / stored/ && / s frozen/ {
            gen = "-"
            if (match($0, /gen-[0-9]+ committed/)) gen = substr($0, RSTART, RLENGTH - 10)
            match($0, /[0-9.]+ [KMGTP]?i?B stored/)
            stored = bytes(substr($0, RSTART, RLENGTH - 7))
            match($0, /[0-9.]+ s frozen/)
            printf "%s|%.0f|%s\n", gen, stored, substr($0, RSTART, RLENGTH - 9)
        }'
}

# Does this stasis store incremental generations (`dump --parent`)?
INCREMENTAL=0
"$STASIS" dump --help 2>&1 | grep -q -- '--parent' && INCREMENTAL=1

# ---- peers -----------------------------------------------------------------

CRIU_OK=0 CRIU_WHY="CRIU not installed: set CRIU=/path/to/criu (built from source; Debian 12's 3.17 fails 'criu check' on this kernel)"
if [[ -n ${CRIU:-} ]]; then
    if [[ ! -x $CRIU ]]; then
        CRIU_WHY="CRIU=$CRIU is not an executable"
    elif ((EUID != 0)); then
        CRIU_WHY="CRIU needs root here: run the benchmark as root"
    else
        CRIU_OK=1
    fi
fi
DMTCP_OK=0 DMTCP_WHY="DMTCP not installed: set DMTCP_PATH=/dir/with/dmtcp_launch,dmtcp_command,dmtcp_restart (DMTCP built from source: its main branch, whose -bc waits for the checkpoint)"
if [[ -n ${DMTCP_PATH:-} ]]; then
    if [[ -x $DMTCP_PATH/dmtcp_launch && -x $DMTCP_PATH/dmtcp_command && -x $DMTCP_PATH/dmtcp_restart ]]; then
        DMTCP_OK=1
    else
        DMTCP_WHY="DMTCP_PATH=$DMTCP_PATH lacks dmtcp_launch, dmtcp_command or dmtcp_restart"
    fi
fi

# criu_dump PID DIR: `criu dump --leave-running`, then an fsync of every
# file of its image (criu leaves them in the page cache; a stasis dump's
# time includes making its image durable): the two timed into PEER_S, criu
# alone into PEER_DUMP_S; the image's size in PEER_BYTES. --shell-job: the
# workload shares our session.
criu_dump() {
    mkdir -p "$2"
    local t0
    t0=$(now)
    "$CRIU" dump -t "$1" -D "$2" --shell-job --leave-running -o dump.log ||
        die "criu dump of $1 failed: see $2/dump.log: $(tail -3 "$2/dump.log")"
    PEER_DUMP_S=$(since "$t0")
    sync "$2"/* "$2"
    PEER_S=$(since "$t0")
    PEER_BYTES=$(du -sb "$2" | cut -f1)
}

# criu_restore DIR: `criu restore --restore-detached`, timed into PEER_S,
# the restored pid in PEER_PID.
criu_restore() {
    local t0
    t0=$(now)
    "$CRIU" restore -D "$1" --shell-job --restore-detached --pidfile "$1/restored.pid" -o restore.log ||
        die "criu restore failed: see $1/restore.log: $(tail -3 "$1/restore.log")"
    PEER_S=$(since "$t0")
    PEER_PID=$(cat "$1/restored.pid")
    PIDS+=("$PEER_PID")
}

# dmtcp_start OUT DIR PROGRAM ARGS...: start a workload under dmtcp_launch
# with its own coordinator (checkpoints uncompressed into DIR); sets WPID
# and DMTCP_PORT_NOW.
dmtcp_start() {
    local out=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    # Both spellings of the port variable: DMTCP 2.5 renamed it.
    DMTCP_COORD_PORT=0 DMTCP_PORT=0 clean_exec "$DMTCP_PATH/dmtcp_launch" --new-coordinator \
        --port-file "$dir/port" --ckptdir "$dir" --no-gzip "$@" </dev/null >"$out" 2>&1 &
    WPID=$!
    PIDS+=("$WPID")
    wait_for_line "$out" '^ready' 600
    DMTCP_PORT_NOW=$(cat "$dir/port")
    DMTCP_PORTS+=("$DMTCP_PORT_NOW")
}

dmtcp_cmd() { DMTCP_COORD_PORT=$DMTCP_PORT_NOW DMTCP_PORT=$DMTCP_PORT_NOW "$DMTCP_PATH/dmtcp_command" "$@"; }

# dmtcp_dump DIR: a blocking checkpoint, then an fsync of its image (DMTCP
# syncs only what it gzips; as with criu_dump, a checkpoint counts once it
# is durable): the two timed into PEER_S, DMTCP alone into PEER_DUMP_S; the
# image's size in PEER_BYTES. DMTCP 4.2.0's --bcheckpoint returns at once
# (its coordinator takes the 'b' apart from the 'c'; its main branch
# waits), so the checkpoint counts as done once its image is there and the
# coordinator says RUNNING=yes again.
dmtcp_dump() {
    local t0 status deadline=$((SECONDS + 1200))
    rm -f "$1"/ckpt_*.dmtcp
    t0=$(now)
    dmtcp_cmd --bcheckpoint >/dev/null || die "dmtcp_command --bcheckpoint failed"
    while :; do
        status=$(dmtcp_cmd --status 2>/dev/null || true)
        [[ $status == *RUNNING=yes* ]] && compgen -G "$1/ckpt_*.dmtcp" >/dev/null && break
        ((SECONDS < deadline)) || die "dmtcp: no checkpoint in $1 after 1200 s: $status"
        sleep 0.01
    done
    PEER_DUMP_S=$(since "$t0")
    sync "$1"/ckpt_*.dmtcp "$1"
    PEER_S=$(since "$t0")
    PEER_BYTES=$(cat "$1"/ckpt_*.dmtcp | wc -c)
}

# dmtcp_restore DIR OUT: dmtcp_restart with a new coordinator, timed until
# the coordinator reports the computation running again, into PEER_S.
dmtcp_restore() {
    local dir=$1 out=$2 t0 deadline=$((SECONDS + 600))
    rm -f "$dir/port"
    t0=$(now)
    DMTCP_COORD_PORT=0 DMTCP_PORT=0 clean_exec "$DMTCP_PATH/dmtcp_restart" --new-coordinator \
        --port-file "$dir/port" "$dir"/ckpt_*.dmtcp </dev/null >>"$out" 2>&1 &
    PIDS+=("$!")
    until [[ -s $dir/port ]]; do
        ((SECONDS < deadline)) || die "dmtcp_restart wrote no port file"
        sleep 0.02
    done
    DMTCP_PORT_NOW=$(cat "$dir/port")
    DMTCP_PORTS+=("$DMTCP_PORT_NOW")
    # The coordinator reports "NUM_PEERS=1" and "RUNNING=yes" once the
    # restored process runs; without peers it may say RUNNING all the same.
    local status
    while :; do
        status=$(dmtcp_cmd --status 2>/dev/null || true)
        [[ $status == *RUNNING=yes* && $status =~ NUM_PEERS=[1-9] ]] && break
        ((SECONDS < deadline)) || die "dmtcp_restart: the computation is not running after 600 s: $status"
        sleep 0.02
    done
    PEER_S=$(since "$t0")
}

dmtcp_quit() { dmtcp_cmd --quit >/dev/null 2>&1 || true; }

# ---- results ---------------------------------------------------------------

# row KEY WHAT FIGURE REFERENCE RATIO TARGET NOTE [MET]
#   FIGURE, REFERENCE  what was measured, as text ("1.23 GB/s (6.98 s)")
#   RATIO              FIGURE / REFERENCE as a number, or "n/a"
#   TARGET             "<= 0.05", ">= 0.9", "< 1.01", or "" (for information)
#   MET                given when the ratio cannot decide ("noisy"), else
#                      worked out from RATIO and TARGET
# Appends to $ROWS and prints the row as it comes.
row() {
    local key=$1 what=$2 figure=$3 ref=$4 ratio=$5 target=$6 why=$7 met=${8:-}
    if [[ -n $met ]]; then
        :
    elif [[ -z $target ]]; then
        met=-
    elif [[ $ratio == n/a ]]; then
        met=n/a
    else
        met=$(awk -v r="$ratio" -v t="$target" 'BEGIN {
            split(t, a, " "); op = a[1]; v = a[2] + 0; r += 0
            ok = (op == "<=" && r <= v) || (op == ">=" && r >= v) || (op == "<" && r < v) || (op == ">" && r > v)
            print ok ? "yes" : "no" }')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$what" "$figure" "$ref" "$ratio" "$target" "$met" "$why" >>"$ROWS"
    printf '  %-50s %s | ref %s | ratio %s | target %s | met %s\n' "$what" "$figure" "$ref" "$ratio" "${target:--}" "$met"
    [[ -z $why ]] || printf '  %-50s (%s)\n' "" "$why"
}

ratio_of() { calc %.3f "$1 / $2"; }

# ---- scenarios --------------------------------------------------------------

# Two effects of the machine this was written on (a Firecracker VM) that a
# fair comparison must step around, both measured:
#  - its memory balloon reports free pages to the host, which takes them
#    back: the first large write after a pause fills the page cache from
#    such pages and is several times slower than the same write a moment
#    later (4 GiB: 25 s, then 2.7 s). Each comparison therefore starts with
#    a warm-up write of the same size that is not counted.
#  - the disk's speed still drifts by tens of percent within a minute, so
#    the reference and stasis are taken in the order A B B A and compared
#    by their sums.

# Full dump of incompressible memory: stasis vs the raw write of the same
# bytes, CRIU and DMTCP.
scenario_full() {
    local i gib label key bytes out read_s img s raw_s none_s
    for i in "${!FULL_GIB[@]}"; do
        gib=${FULL_GIB[$i]}
        label="$(gib_label "$gib") GiB"
        key=full.$([[ $i == 0 ]] && echo small || echo large)
        bytes=$(gib_bytes "$gib")
        echo "== full dump, $label of random (incompressible) memory"
        out=$DIR/fill.out
        start_workload "$out" "$WORK/fill_random" --write-to "$DIR/raw.bin" "$gib"
        read_s=$(awk '/^mem-read/ { print $3 }' "$out")
        img=$DIR/img-full
        raw_write "$out" "$WPID" "$DIR/raw.bin"
        note "memory read $(gbps "$bytes" "$read_s") GB/s; warm-up write ${RAW_S} s (not counted)"
        abba "$out" "$img"
        note "raw write ${R1} s, stasis dump ${S1} s, stasis dump ${S2} s, raw write ${R2} s"
        s=$(calc %.3f "($S1 + $S2) / 2")
        raw_s=$(calc %.3f "($R1 + $R2) / 2")
        row "$key.raw" "full dump $label incompressible" "stasis $(gbps "$bytes" "$s") GB/s (${s} s)" \
            "raw write $(gbps "$bytes" "$raw_s") GB/s (${raw_s} s)" "$(ratio_of "$raw_s" "$s")" ">= 0.9" \
            "means of 2; stasis ${S1}, ${S2} s; raw ${R1}, ${R2} s; compression auto (the default); memory read $(gbps "$bytes" "$read_s") GB/s"
        if [[ $key == full.small ]]; then
            stasis_dump "$WPID" "$img" --compress none
            none_s=$DUMP_S
            rm -rf "$img" "$img.log"
            row "$key.none" "  same, --compress none" "stasis $(gbps "$bytes" "$none_s") GB/s (${none_s} s)" \
                "raw write $(gbps "$bytes" "$raw_s") GB/s" "$(ratio_of "$raw_s" "$none_s")" "" "one dump, after the others"
        fi
        if ((CRIU_OK)); then
            criu_dump "$WPID" "$DIR/criu-full"
            rm -rf "$DIR/criu-full"
            row "$key.criu" "  vs criu dump + fsync" "stasis ${s} s" "criu ${PEER_S} s" "$(ratio_of "$s" "$PEER_S")" "<= 1.0" \
                "criu itself ${PEER_DUMP_S} s, leaving its image in the page cache"
        else
            row "$key.criu" "  vs criu dump + fsync" "stasis ${s} s" "n/a" n/a "<= 1.0" "$CRIU_WHY"
        fi
        stop_pid "$WPID"
        if ((DMTCP_OK)); then
            dmtcp_start "$DIR/dmtcp-fill.out" "$DIR/dmtcp-full" "$WORK/fill_random" "$gib"
            warm_up "$bytes"
            dmtcp_dump "$DIR/dmtcp-full"
            dmtcp_quit
            stop_pid "$WPID"
            rm -rf "$DIR/dmtcp-full"
            row "$key.dmtcp" "  vs dmtcp_command -bc (no gzip) + fsync" "stasis ${s} s" "dmtcp ${PEER_S} s" \
                "$(ratio_of "$s" "$PEER_S")" "<= 1.0" "dmtcp itself ${PEER_DUMP_S} s, leaving its image in the page cache"
        else
            row "$key.dmtcp" "  vs dmtcp_command -bc (no gzip) + fsync" "stasis ${s} s" "n/a" n/a "<= 1.0" "$DMTCP_WHY"
        fi
    done
}

# Full dump of a numerical kernel's memory (compressible floats).
scenario_compressible() {
    local gib=$COMP_GIB label out raw_s img s size none_s zstd_s zstd_size sweep
    label="$(gib_label "$gib") GiB"
    echo "== full dump, $label of a heat-diffusion kernel's float arrays (compressible)"
    out=$DIR/relax.out
    start_workload "$out" "$WORK/relax" --write-to "$DIR/raw.bin" "$gib" "$COMP_SWEEPS"
    sweep=$(sed -n 's/^ready.*\(N=.*\)/\1/p' "$out")
    raw_write "$out" "$WPID" "$DIR/raw.bin"
    note "relax: $sweep; warm-up write ${RAW_S} s (not counted)"
    img=$DIR/img-comp
    abba "$out" "$img"
    size=$STORED
    stasis_dump "$WPID" "$img" --compress none
    none_s=$DUMP_S
    rm -rf "$img" "$img.log"
    stasis_dump "$WPID" "$img" --compress zstd
    zstd_s=$DUMP_S zstd_size=$STORED
    rm -rf "$img" "$img.log"
    note "raw write ${R1} s, stasis dump ${S1} s, ${S2} s, raw write ${R2} s; --compress none ${none_s} s, zstd ${zstd_s} s"
    s=$(calc %.3f "($S1 + $S2) / 2")
    raw_s=$(calc %.3f "($R1 + $R2) / 2")
    row comp.raw "full dump $label floats: time" "stasis ${s} s" "raw write ${raw_s} s" \
        "$(ratio_of "$s" "$raw_s")" "" "means of 2, compression auto; --compress none: ${none_s} s, zstd: ${zstd_s} s"
    zstd_size=$(calc %.2f "$zstd_size / 1073741824")
    row comp.size "  image size" "stasis $(calc %.2f "$size / 1073741824") GiB" \
        "memory $(calc %.2f "$RAW_B / 1073741824") GiB" "$(ratio_of "$size" "$RAW_B")" "" \
        "compression auto (zstd, byte-shuffled or not, where it pays); --compress zstd: $zstd_size GiB"
    if ((CRIU_OK)); then
        criu_dump "$WPID" "$DIR/criu-comp"
        rm -rf "$DIR/criu-comp"
        row comp.criu "  vs criu dump + fsync: time" "stasis ${s} s" "criu ${PEER_S} s" "$(ratio_of "$s" "$PEER_S")" "" \
            "criu itself ${PEER_DUMP_S} s; criu image $(calc %.2f "$PEER_BYTES / 1073741824") GiB"
    else
        row comp.criu "  vs criu dump + fsync: time" "stasis ${s} s" "n/a" n/a "" "$CRIU_WHY"
    fi
    stop_pid "$WPID"
    if ((DMTCP_OK)); then
        dmtcp_start "$DIR/dmtcp-relax.out" "$DIR/dmtcp-comp" "$WORK/relax" "$gib" "$COMP_SWEEPS"
        warm_up "$RAW_B"
        dmtcp_dump "$DIR/dmtcp-comp"
        dmtcp_quit
        stop_pid "$WPID"
        rm -rf "$DIR/dmtcp-comp"
        row comp.dmtcp "  vs dmtcp (no gzip) + fsync: time" "stasis ${s} s" "dmtcp ${PEER_S} s" \
            "$(ratio_of "$s" "$PEER_S")" "<= 0.5" \
            "dmtcp itself ${PEER_DUMP_S} s; dmtcp image $(calc %.2f "$PEER_BYTES / 1073741824") GiB"
    else
        row comp.dmtcp "  vs dmtcp (no gzip) + fsync: time" "stasis ${s} s" "n/a" n/a "<= 0.5" "$DMTCP_WHY"
    fi
}

# Incremental checkpoints of a job that rewrites P % of its memory between
# two of them: by hand (`stasis dump --parent`) and under `stasis run`.
scenario_incremental() {
    local gib=$INC_GIB label p out base full_s full_stored r frozen sum_f notes target t0
    label="$(gib_label "$gib") GiB"
    for p in "${INC_PERCENTS[@]}"; do
        echo "== incremental checkpoints, $label job rewriting $p % per interval: stasis dump --parent"
        target=$([[ $p == 5 ]] && echo "<= 0.05" || echo "")
        out=$DIR/rewrite.out
        t0=$(now)
        start_workload "$out" "$WORK/rewrite" "$gib" "$p"
        INC_READY[$p]=$(since "$t0")
        note "$(grep '^ready' "$out")"
        base=$DIR/inc-$p
        mkdir -p "$base"
        warm_up "$(gib_bytes "$gib")"
        note "warm-up write ${WARM_S} s (not counted)"
        stasis_dump "$WPID" "$base/gen-000001"
        full_s=$FROZEN_S full_stored=$STORED
        INC_FULL_FROZEN[$p]=$full_s INC_FULL_DUMP[$p]=$DUMP_S
        note "first (full) checkpoint: ${full_s} s frozen, $(calc %.2f "$full_stored / 1073741824") GiB stored"
        if ((INCREMENTAL)); then
            sum_f=0 notes=''
            for ((r = 1; r <= INC_ROUNDS; r++)); do
                kill -USR1 "$WPID"
                wait_for_line "$out" "^round $r " 600
                stasis_dump "$WPID" "$base/gen-00000$((r + 1))" --parent "$base/gen-00000$r"
                sum_f=$(calc %.3f "$sum_f + $FROZEN_S")
                notes+="${notes:+, }${FROZEN_S} s ($(calc %.0f "$STORED / 1048576") MiB stored, dump ${DUMP_S} s)"
            done
            frozen=$(calc %.3f "$sum_f / $INC_ROUNDS")
            row "inc.$p.dump" "frozen, $label, $p % rewritten (dump --parent)" "stasis ${frozen} s" \
                "full ${full_s} s" "$(ratio_of "$frozen" "$full_s")" "$target" \
                "mean of $INC_ROUNDS: $notes; full stored $(calc %.0f "$full_stored / 1048576") MiB"
        else
            row "inc.$p.dump" "frozen, $label, $p % rewritten (dump --parent)" "n/a" "full ${full_s} s" n/a \
                "$target" "n/a: needs incremental generations (stasis dump --parent)"
        fi
        stop_pid "$WPID"
        rm -rf "$base"
        scenario_incremental_run "$p" "$target"
    done
}

# The same job under `stasis run`, which makes every checkpoint after its
# first incremental: the agent's log says each one's frozen time.
scenario_incremental_run() {
    local p=$1 target=$2 gib=$INC_GIB label interval every root log out last jpid frozen full notes n
    label="$(gib_label "$gib") GiB"
    echo "== incremental checkpoints, $label job rewriting $p % per interval: stasis run"
    if ((!INCREMENTAL)); then
        row "inc.$p.run" "frozen, $label, $p % rewritten (stasis run)" "n/a" "n/a" n/a "$target" \
            "n/a: needs incremental generations (stasis run makes them)"
        return
    fi
    # An interval well above the full checkpoint's time (the whole dump: the
    # job may be let go before the image is durable) and above the time the
    # job takes to fill its memory, so the first checkpoint finds it filled
    # and each one finds it running; it rewrites its blocks 4 times per
    # interval.
    interval=$(calc %.0f "(${INC_FULL_DUMP[$p]} > ${INC_READY[$p]} ? ${INC_FULL_DUMP[$p]} : ${INC_READY[$p]}) * 1.5 + 3")
    every=$(calc %.2f "$interval / 4")
    root=$DIR/run-$p log=$DIR/run-$p.log out=$DIR/run-$p.out
    last=$(printf 'gen-%06d' $((INC_ROUNDS + 1)))
    clean_exec "$STASIS" run --dir "$root" --interval "${interval}s" --keep $((INC_ROUNDS + 1)) -- \
        "$WORK/rewrite" --every "$every" "$gib" "$p" </dev/null >"$out" 2>"$log" &
    local agent=$!
    PIDS+=("$agent")
    wait_for_line "$out" '^ready' 600
    jpid=$(sed -n 's/^ready.* pid \([0-9]*\):.*/\1/p' "$out")
    PIDS+=("$jpid")
    wait_for_line "$log" "$last committed" $(((INC_ROUNDS + 2) * interval + 600))
    # The job's end ends the agent: SIGKILL is the one signal it cannot hold.
    stop_pid "$jpid"
    wait "$agent" 2>/dev/null || true
    # "stasis run: gen-000002 committed (interval): 4.0 GiB of memory, 204.9 MiB stored, 0.512 s frozen"
    full='' frozen=0 notes='' n=0
    while IFS='|' read -r gen stored f; do
        if [[ $gen == gen-000001 ]]; then
            full=$f
            continue
        fi
        frozen=$(calc %.3f "$frozen + $f")
        notes+="${notes:+, }$f s ($(calc %.0f "$stored / 1048576") MiB stored)"
        n=$((n + 1))
    done < <(committed_lines "$log")
    [[ -n $full ]] || die "no frozen time for gen-000001 in the agent's log: $(cat "$log")"
    ((n > 0)) || die "no incremental generation in the agent's log: $(cat "$log")"
    frozen=$(calc %.3f "$frozen / $n")
    row "inc.$p.run" "frozen, $label, $p % rewritten (stasis run)" "stasis ${frozen} s" "gen-1 ${full} s" \
        "$(ratio_of "$frozen" "$full")" "$target" \
        "interval ${interval} s; mean of $n: $notes; the full one by hand (after a warm-up write): ${INC_FULL_FROZEN[$p]} s"
    rm -rf "$root" "$log" "$out"
}
declare -A INC_FULL_FROZEN INC_FULL_DUMP INC_READY

# committed_lines LOG: "GEN|STORED_BYTES|FROZEN_SECONDS" for each generation
# the agent's log says it committed.
committed_lines() { describe_fields <"$1" | grep -v '^-|' || true; }

# Restore of incompressible memory, from a cold page cache when we may.
scenario_restore() {
    local gib=$RESTORE_GIB label bytes out img t0 s rpid read_s cache_note
    label="$(gib_label "$gib") GiB"
    bytes=$(gib_bytes "$gib")
    echo "== restore, $label of random memory"
    out=$DIR/restore.out
    start_workload "$out" "$WORK/fill_random" "$gib"
    img=$DIR/img-restore
    stasis_dump "$WPID" "$img"
    local criu_img=$DIR/criu-restore
    if ((CRIU_OK)); then criu_dump "$WPID" "$criu_img"; fi
    stop_pid "$WPID"
    # The restored process appends to its output file at the offset it had
    # when dumped: put the file back as it was before each restore.
    cp "$out" "$out.at-dump"

    drop_caches
    cache_note="$CACHE page cache"
    [[ $CACHE == cold ]] || cache_note="warm page cache (not root, or a self-check: caches not dropped)"
    stasis_restore "$img"
    s=$RESTORE_S rpid=$RESTORED_PID
    kill -USR1 "$rpid"
    wait_for_line "$out" '^verify' 600
    grep -q '^verify ok' "$out" || die "the restored process's memory is wrong: $(grep '^verify' "$out")"
    stop_pid "$rpid"
    note "restored memory checked: the same $label of random data"
    # The reference a restore cannot beat: reading the image's files, after
    # the restore (a VM's host may cache what was read once).
    drop_caches
    t0=$(now)
    cat "$img"/* >/dev/null
    read_s=$(since "$t0")
    row restore.read "restore $label" "stasis $(gbps "$bytes" "$s") GB/s (${s} s)" \
        "image read $(gbps "$bytes" "$read_s") GB/s (${read_s} s)" "$(ratio_of "$read_s" "$s")" "" \
        "$cache_note; ratio: read time / restore time"

    if ((CRIU_OK)); then
        cp "$out.at-dump" "$out"
        drop_caches
        criu_restore "$criu_img"
        stop_pid "$PEER_PID"
        row restore.criu "  vs criu restore" "stasis ${s} s" "criu ${PEER_S} s" "$(ratio_of "$s" "$PEER_S")" \
            "<= 1.0" "$CACHE page cache"
    else
        row restore.criu "  vs criu restore" "stasis ${s} s" "n/a" n/a "<= 1.0" "$CRIU_WHY"
    fi
    if ((DMTCP_OK)); then
        local dout=$DIR/dmtcp-restore.out ddir=$DIR/dmtcp-restore
        dmtcp_start "$dout" "$ddir" "$WORK/fill_random" "$gib"
        dmtcp_dump "$ddir"
        dmtcp_quit
        stop_pid "$WPID"
        drop_caches
        dmtcp_restore "$ddir" "$dout"
        dmtcp_quit
        row restore.dmtcp "  vs dmtcp_restart" "stasis ${s} s" "dmtcp ${PEER_S} s" "$(ratio_of "$s" "$PEER_S")" "" \
            "$CACHE page cache; until dmtcp_command -s says RUNNING=yes"
    else
        row restore.dmtcp "  vs dmtcp_restart" "stasis ${s} s" "n/a" n/a "" "$DMTCP_WHY"
    fi
}

# compute_done OUT: "UNITS WALL CPU" of a compute run's "done" line.
compute_done() {
    awk '/^done/ { print $2, $5, $7 }' "$1"
}

# compute_alone OUT SECONDS: run the job unguarded; sets U_UNITS U_WALL U_CPU.
compute_alone() {
    clean_exec "$WORK/compute" "$SLOW_GIB" "$2" </dev/null >"$1" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait "$pid" || die "compute failed: $(cat "$1")"
    read -r U_UNITS U_WALL U_CPU <<<"$(compute_done "$1")"
    [[ -n $U_CPU ]] || die "compute printed no 'done' line: $(cat "$1")"
}

# A compute-bound job checkpointed every interval vs the same job alone.
# The job alone runs right before and right after the guarded run (each for
# half its time), and their mean rate is the reference: other work on the
# machine shifts a job's share of the CPU by more than the 1 % sought.
scenario_slowdown() {
    local label out u_rate u_eff a1 u1 w1 c1 root log g_units g_wall g_cpu g_rate g_eff n frozen later lost slow share list agent
    label="$(gib_label "$SLOW_GIB") GiB"
    echo "== slowdown of a compute-bound $label job checkpointed every ${SLOW_INTERVAL} s"
    ((SLOW_INTERVAL == 60)) || note "(a shorter interval than the issue's 60 s: --quick or --self-check)"
    local half
    half=$(calc %.0f "$SLOW_SECONDS / 2")
    compute_alone "$DIR/compute-alone1.out" "$half"
    note "alone, before: $(grep '^done' "$DIR/compute-alone1.out")"
    a1="$U_UNITS $U_WALL $U_CPU"

    root=$DIR/run-compute log=$DIR/run-compute.log out=$DIR/compute-run.out
    clean_exec "$STASIS" run --dir "$root" --interval "${SLOW_INTERVAL}s" --keep 2 -- \
        "$WORK/compute" "$SLOW_GIB" "$SLOW_SECONDS" </dev/null >"$out" 2>"$log" &
    agent=$!
    PIDS+=("$agent")
    wait "$agent" || die "stasis run of compute failed: $(tail -3 "$log")"
    read -r g_units g_wall g_cpu <<<"$(compute_done "$out")"
    [[ -n $g_cpu ]] || die "compute under stasis run printed no 'done' line: $(cat "$out")"
    note "guarded:       $(grep '^done' "$out")"

    compute_alone "$DIR/compute-alone2.out" "$half"
    note "alone, after:  $(grep '^done' "$DIR/compute-alone2.out")"
    read -r u1 w1 c1 <<<"$a1"
    u_rate=$(calc %.4f "($u1 + $U_UNITS) / ($w1 + $U_WALL)")
    u_eff=$(calc %.4f "($u1 + $U_UNITS) / ($c1 + $U_CPU)")
    g_rate=$(calc %.4f "$g_units / $g_wall")
    g_eff=$(calc %.4f "$g_units / $g_cpu")

    n=0 frozen=0 list='' later=0
    while IFS='|' read -r _ _ f; do
        n=$((n + 1))
        frozen=$(calc %.3f "$frozen + $f")
        ((n == 1)) || later=$(calc %.3f "$later + $f")
        list+="${list:+, }$f"
    done < <(committed_lines "$log")
    if ((n == 0)); then
        row slowdown "slowdown, 1 checkpoint per ${SLOW_INTERVAL} s, $label" "n/a" "n/a" n/a "< 1.01" \
            "no checkpoint was committed during the run: $(tail -1 "$log")"
        row slowdown.frozen "  frozen share of each interval" "n/a" "n/a" n/a "< 1.01" ""
        return
    fi
    # The time the guarded run lost, at the job's rate alone, shared out
    # over its checkpoints: the slowdown at one checkpoint per interval,
    # however many fitted in the run. It can only be told from the machine's
    # own drift when the two runs alone agree to better than the 1 % sought.
    local r1 r2 spread verdict=''
    r1=$(calc %.4f "$u1 / $w1")
    r2=$(calc %.4f "$U_UNITS / $U_WALL")
    spread=$(calc %.4f "($r1 > $r2 ? $r1 - $r2 : $r2 - $r1) / $u_rate")
    awk "BEGIN { exit !($spread > 0.01) }" && verdict=noisy
    lost=$(calc %.3f "$g_wall * (1 - $g_rate / $u_rate)")
    slow=$(calc %.4f "1 + $lost / ($n * $SLOW_INTERVAL)")
    row slowdown "slowdown, 1 checkpoint per ${SLOW_INTERVAL} s, $label" \
        "guarded $(calc %.2f "$g_rate") units/s" "alone $(calc %.2f "$u_rate") units/s" "$slow" "< 1.01" \
        "${verdict:+noisy: }the job alone ran at $(calc %.2f "$r1") units/s before and $(calc %.2f "$r2") after ($(calc %.1f "100 * $spread") % apart); lost ${lost} s in ${g_wall} s over $n checkpoints; units per CPU second guarded/alone $(calc %.3f "$g_eff / $u_eff")" \
        "$verdict"
    # What the job cannot have escaped, whatever the noise: the time it was
    # frozen. A lower bound of the slowdown; the later (incremental)
    # checkpoints are what a long job sees at every interval.
    share=$(calc %.4f "1 + $frozen / ($n * $SLOW_INTERVAL)")
    local steady="only one checkpoint"
    ((n < 2)) || steady="the later ones alone: $(calc %.2f "100 * $later / (($n - 1) * $SLOW_INTERVAL)") % of an interval"
    row slowdown.frozen "  its lower bound: frozen share of each interval" "frozen $list s" \
        "$n x ${SLOW_INTERVAL} s" "$share" "< 1.01" "$steady"
    rm -rf "$root"
}

# A tree of TREE_PROCS fill_random processes (under one bash) holding
# RESTORE_GIB between them, vs one process holding it all: dumped, then
# restored TREE_RESTORES times (cold page cache as root: one image's cold
# restores vary by half here, so the median counts) and, the last time,
# every restored process's memory checked. A tree as fast as one process
# pays nothing per process beyond its bytes: the data path keeps every core
# busy across processes.
# tree_dump_restore NAME ROOT_PID PROCS: sets TREE_D (dump seconds), TREE_R
# (the median restore seconds) and TREE_RS (all of them) for the tree or
# process at ROOT_PID, whose PROCS fill_random processes print to
# $DIR/NAME.out.N (N from 1).
tree_dump_restore() {
    local name=$1 root=$2 procs=$3 img=$DIR/img-$1 n pids=() times=() rep
    stasis_dump "$root" "$img"
    TREE_D=$DUMP_S
    for n in $(seq "$procs"); do
        pids+=("$(sed -n 's/^ready.* pid \([0-9]*\).*/\1/p' "$DIR/$name.out.$n")")
        cp "$DIR/$name.out.$n" "$DIR/$name.out.$n.at-dump"
    done
    stop_pid "$root"
    for n in "${pids[@]}"; do stop_pid "$n"; done
    for ((rep = 1; rep <= TREE_RESTORES; rep++)); do
        restore_tree_once "$name" "$img" "$procs" "$((rep == TREE_RESTORES))"
        times+=("$RESTORE_S")
    done
    TREE_R=$(median "${times[@]}") TREE_RS=${times[*]}
    rm -rf "$img" "$img.log"
}

# restore_tree_once NAME IMG PROCS CHECK: one timed restore of IMG (sets
# RESTORE_S); with CHECK 1, every restored process checks its memory. The
# restored processes are stopped again.
restore_tree_once() {
    local name=$1 img=$2 procs=$3 check=$4 n pids
    for n in $(seq "$procs"); do cp "$DIR/$name.out.$n.at-dump" "$DIR/$name.out.$n"; done
    drop_caches
    stasis_restore "$img"
    pids=("$RESTORED_PID")
    ((procs == 1)) || mapfile -t -O 1 pids < <(ps --ppid "$RESTORED_PID" -o pid= | tr -d ' ')
    ((${#pids[@]} == procs + (procs > 1))) || die "the restored $name has ${#pids[@]} processes, not $procs"
    PIDS+=("${pids[@]}")
    if ((check)); then
        for n in "${pids[@]:$((procs > 1))}"; do kill -USR1 "$n"; done
        for n in $(seq "$procs"); do
            wait_for_line "$DIR/$name.out.$n" '^verify' 600
            grep -q '^verify ok' "$DIR/$name.out.$n" || die "restored $name process $n's memory is wrong"
        done
    fi
    for n in "${pids[@]}"; do stop_pid "$n"; done
}

scenario_tree() {
    local gib=$RESTORE_GIB n=$TREE_PROCS each bytes one_d one_r one_rs i
    bytes=$(gib_bytes "$gib")
    each=$(calc %.6f "$gib / $n")
    echo "== a tree of $n processes of $(gib_label "$each") GiB vs one process of $(gib_label "$gib") GiB"
    start_workload "$DIR/one.out.1" "$WORK/fill_random" "$gib"
    warm_up "$bytes"
    tree_dump_restore one "$WPID" 1
    one_d=$TREE_D one_r=$TREE_R one_rs=$TREE_RS
    # Each child has its own output file: the restored ones append to it.
    clean_exec bash -c 'for i in $(seq "$1"); do "$2" "$3" "$i" >"$4.$i" 2>&1 & done; wait' \
        tree "$n" "$WORK/fill_random" "$each" "$DIR/tree.out" </dev/null >"$DIR/tree.sh.out" 2>&1 &
    WPID=$!
    PIDS+=("$WPID")
    for i in $(seq "$n"); do
        wait_for_line "$DIR/tree.out.$i" '^ready' 600
        PIDS+=("$(sed -n 's/^ready.* pid \([0-9]*\).*/\1/p' "$DIR/tree.out.$i")")
    done
    warm_up "$bytes"
    tree_dump_restore tree "$WPID" "$n"
    note "one process: dump ${one_d} s, restores ${one_rs} s; tree of $n: dump ${TREE_D} s, restores ${TREE_RS} s"
    row tree.dump "full dump, tree of $n, $(gib_label "$gib") GiB in all" "stasis ${TREE_D} s" \
        "one process ${one_d} s" "$(ratio_of "$one_d" "$TREE_D")" ">= 0.9" "ratio: one process's time / the tree's"
    row tree.restore "restore, tree of $n" "stasis ${TREE_R} s" "one process ${one_r} s" \
        "$(ratio_of "$one_r" "$TREE_R")" ">= 0.9" \
        "$CACHE page cache; medians of $TREE_RESTORES: one ${one_rs} s, tree ${TREE_RS} s; ratio: one process's time / the tree's"
}

# pss_of PID...: the sum of the processes' proportional set sizes, in bytes:
# a page they share counts once in all.
pss_of() {
    local pid kib=0
    for pid in "$@"; do
        kib=$((kib + $(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")))
    done
    echo $((kib * 1024))
}

# pool_pids ROOT: the root and its workers.
pool_pids() {
    echo "$1"
    ps --ppid "$1" -o pid= | tr -d ' '
}

# A pool: one process fills RESTORE_GIB and forks POOL_WORKERS workers that
# only read it (a dataset or a model that a multiprocessing pool shares).
# The image should store the memory once, and the restored pool should
# need the memory the checkpointed one did, not a copy per worker.
scenario_pool() {
    local gib=$RESTORE_GIB n=$POOL_WORKERS bytes img=$DIR/img-pool before after pids verified
    bytes=$(gib_bytes "$gib")
    echo "== a pool: $(gib_label "$gib") GiB and $n forked workers reading it"
    start_workload "$DIR/pool.out" "$WORK/fill_random" "$gib" 7 "$n"
    wait_for_line "$DIR/pool.out" "^ready" 600
    mapfile -t pids < <(pool_pids "$WPID")
    ((${#pids[@]} == n + 1)) || die "the pool has ${#pids[@]} processes, not $((n + 1))"
    PIDS+=("${pids[@]}")
    before=$(pss_of "${pids[@]}")
    warm_up "$bytes"
    stasis_dump "$WPID" "$img"
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    drop_caches
    stasis_restore "$img"
    mapfile -t pids < <(pool_pids "$RESTORED_PID")
    ((${#pids[@]} == n + 1)) || die "the restored pool has ${#pids[@]} processes, not $((n + 1))"
    PIDS+=("${pids[@]}")
    after=$(pss_of "${pids[@]}")
    verified=$(grep -c '^verify ok' "$DIR/pool.out" || true)
    for pid in "${pids[@]}"; do kill -USR1 "$pid"; done
    local deadline=$((SECONDS + 600))
    until (($(grep -c '^verify' "$DIR/pool.out" || true) >= verified + n + 1)); do
        ((SECONDS < deadline)) || die "the restored pool did not verify its memory"
        sleep 0.05
    done
    (($(grep -c '^verify ok' "$DIR/pool.out") == verified + n + 1)) || die "a restored pool process's memory is wrong"
    for pid in "${pids[@]}"; do stop_pid "$pid"; done
    note "dump ${DUMP_S} s, restore ${RESTORE_S} s ($CACHE page cache); memory (sum of Pss) $(calc %.2f "$before / 1073741824") GiB before, $(calc %.2f "$after / 1073741824") GiB after"
    row pool.image "image of the pool, $((n + 1)) processes" "stasis $(calc %.2f "$STORED / 1073741824") GiB" \
        "memory $(gib_label "$gib") GiB" "$(ratio_of "$STORED" "$bytes")" "<= 1.1" \
        "ratio: stored bytes / the memory the workers share"
    row pool.memory "memory of the restored pool (sum of Pss)" "stasis $(calc %.2f "$after / 1073741824") GiB" \
        "checkpointed $(calc %.2f "$before / 1073741824") GiB" "$(ratio_of "$after" "$before")" "<= 1.1" \
        "ratio: after the restore / before the checkpoint"
    rm -rf "$img" "$img.log"
}

# ---- main ------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
fs=$(df --output=source,fstype "$DIR" | tail -1 | tr -s ' ')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "stasis benchmark ($MODE): $cpu, $(nproc) cores, $ram RAM, kernel $(uname -r)"
echo "images go to $DIR ($fs); load average $load_start; $(date)"
((INCREMENTAL)) || echo "this stasis has no incremental generations (dump --parent): their rows are n/a"
((CRIU_OK)) || echo "note: $CRIU_WHY"
((DMTCP_OK)) || echo "note: $DMTCP_WHY"
echo
t_start=$SECONDS
for s in "${ALL_SCENARIOS[@]}"; do
    wanted "$s" || continue
    "scenario_$s"
    echo
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo "== results ($MODE run, $((SECONDS - t_start)) s; load average $load_start at the start, $load_end at the end)"
printf '%-50s | %-28s | %-32s | %-6s | %-7s | %s\n' "what" "stasis" "reference" "ratio" "target" "met"
awk -F'\t' '{ printf "%-50s | %-28s | %-32s | %-6s | %-7s | %s\n", $2, $3, $4, $5, ($6 == "" ? "-" : $6), $7 }' "$ROWS"

if [[ -n $JSON || $SELF_CHECK == 1 ]]; then
    json=${JSON:-$DIR/bench.json}
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    python3 - "$ROWS" "$json" <<EOF
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    key, what, figure, ref, ratio, target, met, note = line.rstrip("\n").split("\t")
    rows.append({"key": key, "what": what.strip(), "stasis": figure, "reference": ref,
                 "ratio": None if ratio == "n/a" else float(ratio),
                 "target": target or None, "met": met, "note": note})
doc = {"mode": "$MODE", "started": "$started", "seconds": $((SECONDS - t_start)),
       "machine": {"cpu": "$cpu", "cores": $(nproc), "ram": "$ram", "kernel": "$(uname -r)",
                   "filesystem": "$fs", "load_start": "$load_start", "load_end": "$load_end"},
       "stasis_commit": "$commit", "incremental": bool($INCREMENTAL),
       "criu": bool($CRIU_OK), "dmtcp": bool($DMTCP_OK), "rows": rows}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
EOF
    [[ -z $JSON ]] || echo "JSON written to $JSON"
fi

if ((SELF_CHECK)); then
    # Every row of every scenario, whatever the machine: the keys only.
    python3 - "$json" <<'EOF'
import json, sys
want = ["full.small.raw", "full.small.none", "full.small.criu", "full.small.dmtcp",
        "full.large.raw", "full.large.criu", "full.large.dmtcp",
        "comp.raw", "comp.size", "comp.criu", "comp.dmtcp",
        "inc.5.dump", "inc.5.run", "inc.50.dump", "inc.50.run",
        "restore.read", "restore.criu", "restore.dmtcp", "slowdown", "slowdown.frozen",
        "tree.dump", "tree.restore", "pool.image", "pool.memory"]
doc = json.load(open(sys.argv[1]))
have = [r["key"] for r in doc["rows"]]
missing = [k for k in want if k not in have]
extra = [k for k in have if k not in want]
for r in doc["rows"]:
    if r["met"] not in ("yes", "no", "n/a", "-", "noisy"):
        sys.exit(f"self-check: row {r['key']} has met={r['met']!r}")
if missing or extra:
    sys.exit(f"self-check: rows missing {missing}, unexpected {extra}")
print(f"self-check: all {len(want)} rows present")
EOF
fi
