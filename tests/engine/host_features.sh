#!/usr/bin/env bash
# Restore on another machine: an image records the CPU features the job may
# use and the kernel's vDSO (`stasis info` shows them). An image forged to
# need a feature this host lacks (tests/tools/mutate_manifest --set
# /cpu/features/- appends it) is refused by `stasis restore` with exit 1 and one
# line naming the feature, before any process of the job is started; the
# unmodified image restores and the program ends as an uninterrupted run does.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
MUTATE=$WORKLOADS/mutate_manifest

# Features of stasis's table (process/cpu_features.cpp) that some x86-64 CPUs
# lack; the test takes the first one neither /proc/cpuinfo nor the image has.
CANDIDATES=(fma4 xop tbm sse4a 3dnow 3dnowext avx512_4fmaps avx512_4vnniw avx512pf avx512er amx_tile amx_int8
    amx_bf16 amx_fp16 avx512_fp16 cmpccxadd avx_ifma tsxldtrk serialize waitpkg rtm avx512_vp2intersect
    avx512_bf16 avx_vnni avx512f)

run_reference single "$T/ref"
start_and_dump single "$T/run"
img=$T/run/img

# --- the image records the host's CPU features and vDSO -----------------------
stasis info-json 30 info --json --dir "$img"
expect_ok "info --json"
recorded=$("$PYTHON" -c 'import json, sys; print(" ".join(json.load(sys.stdin)["cpu_features"]))' \
    <"$LOGS/info-json.out") || fail "info --json has no cpu_features: $(head -c 1000 "$LOGS/info-json.out")"
log "recorded CPU features: $recorded"
for f in sse2 lm; do
    [[ " $recorded " == *" $f "* ]] || check_fail "the recorded CPU features lack $f, which every x86-64 CPU has"
done
"$PYTHON" -c 'import json, sys; v = json.load(sys.stdin)["vdso"]; sys.exit(0 if v["size"] > 0 else 1)' \
    <"$LOGS/info-json.out" || check_fail "info --json shows no vDSO size: $(head -c 1000 "$LOGS/info-json.out")"
stasis info-text 30 info --dir "$img"
expect_ok "info"
grep -Eq '^cpu +[0-9]+ features: .*sse2' "$LOGS/info-text.out" ||
    check_fail "stasis info shows no CPU features line: $(head -8 "$LOGS/info-text.out")"
grep -Eq '^vdso +[0-9]+ bytes' "$LOGS/info-text.out" ||
    check_fail "stasis info shows no vDSO line: $(head -8 "$LOGS/info-text.out")"

# --- a feature this host lacks ------------------------------------------------
host_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
lacked=
for f in "${CANDIDATES[@]}"; do
    if [[ $host_flags != *" $f "* && " $recorded " != *" $f "* ]]; then
        lacked=$f
        break
    fi
done
if [[ -z $lacked ]]; then
    log "SKIP: this CPU has every candidate feature (${CANDIDATES[*]})"
    exit 77
fi
log "this host lacks $lacked"

cp -a "$img" "$T/forged"
"$MUTATE" "$T/forged" --set /cpu/features/- "\"$lacked\"" >/dev/null || fail "mutate_manifest failed on $T/forged"
out_before=$(stat -c %s "$T/run/out")
stasis restore-forged 30 restore --dir "$T/forged" --pidfile "$T/forged.pid"
check_error "restore of an image that needs $lacked" 1 \
    "^stasis: cannot restore on this host: its CPU lacks (.*, )?$lacked( that|,)"
stasis restore-forged-detached 30 restore --detach --dir "$T/forged" --pidfile "$T/forged-detached.pid"
check_error "restore --detach of an image that needs $lacked" 1 "its CPU lacks (.*, )?$lacked( that|,)"

# Nothing of the job was started: no pid file, no process writing to its
# output, which has not grown.
sleep 0.5
for p in "$T/forged.pid" "$T/forged-detached.pid"; do
    [[ ! -e $p ]] || check_fail "a refused restore wrote the pid file $p: $(cat "$p")"
done
for fd1 in /proc/[0-9]*/fd/1; do
    if [[ $(readlink "$fd1" 2>/dev/null) == "$T/run/out" ]]; then
        pid=${fd1#/proc/}
        pid=${pid%%/*}
        check_fail "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) writes to the job's output after a refused restore"
        kill_tree "$pid"
    fi
done
(($(stat -c %s "$T/run/out") == out_before)) || check_fail "the job's output grew after a refused restore"

# --- the unmodified image still restores ----------------------------------------
restore_and_check single "$T/run" "$T/ref" "restore of the unmodified image"
finish
