#!/usr/bin/env bash
# A long run: a multi-threaded job checkpointed every 2 s for
# STASIS_LONG_RUN_SECONDS (60 in the suite; tests/stress/long_run.sh runs it
# for 30 minutes, about 900 generations, all of them kept). Meanwhile the
# agent's resident memory, fd count and thread count are sampled every
# second. The agent must hold no more fds at the end than after its first
# generations, and its heap and resident memory may grow by small bounds
# only (see below).
# The job's own output must equal an uninterrupted run's, and so must the
# whole output of the job resumed from a random generation of the run.
# Figures (generations, frozen times, RSS and fds) are printed at the end.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

duration=${STASIS_LONG_RUN_SECONDS:-60}
interval=2
# Only the samples after the first generations count: the first checkpoints
# fault in the dumper's code and its zstd and thread-pool buffers.
warm_generations=3
# Between the samples of the first and of the last stretch of the run
# (each a fifth of it, at least 10 s), the agent's lowest anonymous memory
# (its heap) may grow by ANON_BOUND_KIB, and all its resident memory (with
# the program's and libraries' pages, faulted in as code paths are first
# taken) by RSS_BOUND_KIB. Measured: per-thread malloc arenas grew the heap
# by about 2 KiB a checkpoint until the agent used one arena (VmRSS +1.5 MiB
# over 872 generations in 30 minutes, from 8.2 MiB);
# since, it stays within a few KiB over 300 generations. A leak of 1 KiB a
# checkpoint exceeds the bound within the 30-minute run.
ANON_BOUND_KIB=${STASIS_LONG_RUN_ANON_BOUND_KIB:-512}
RSS_BOUND_KIB=${STASIS_LONG_RUN_RSS_BOUND_KIB:-4096}

# The odd workers sleep 200 ms a step while $T/pace exists: the job runs at
# most 5 steps a second, so it cannot end before the test removes the file,
# and then ends at full speed, as its reference run does without the file.
pace=$T/pace
steps=$((duration * 5 + 500))
run_reference_job "$WORKLOADS/threads" "$steps" 4 200 20000 "$pace"
touch "$pace"
# Every generation is kept, so that the resume can pick any of them.
start_job long_run --interval "${interval}s" --keep $((duration / interval + 100)) --keep-output
wait_generation "$ROOT" "$warm_generations" 60

# proc_field PID FIELD: a field of /proc/PID/status, without its unit.
proc_field() {
    awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

# One line a second: seconds since sampling started, LATEST's number, the
# agent's VmRSS and RssAnon (KiB: all of it, and its heap and stacks
# without the program's and libraries' pages), its open fds and threads.
samples=$T/samples
start=$SECONDS
log "sampling the agent (pid $AGENT_PID) every second for $duration s"
while ((SECONDS - start < duration)); do
    alive "$JOB_PID" || fail "the job ended during the run: $(tail -3 "$AGENT_LOG")"
    fds=$(find "/proc/$AGENT_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    rss=$(proc_field "$AGENT_PID" VmRSS)
    anon=$(proc_field "$AGENT_PID" RssAnon)
    threads=$(proc_field "$AGENT_PID" Threads)
    [[ -n $rss && -n $threads ]] || fail "stasis run (pid $AGENT_PID) is gone: $(tail -3 "$AGENT_LOG")"
    echo "$((SECONDS - start)) $(latest_number "$ROOT") $rss $anon $fds $threads" >>"$samples"
    ls -l "/proc/$AGENT_PID/fd" >"$T/last-fds" 2>&1
    sleep 1
done

# The job ends at full speed once the pace file is gone: whatever the
# generation the resume picks, it is one the run committed before this.
mapfile -t generations < <(committed_generations "$ROOT")
pick=${generations[RANDOM % ${#generations[@]}]}
rm -f "$pace"
wait_agent 120
expect_agent_rc 0 "the job ends by itself"
# The job's stderr is the agent's log: only stdout is compared (resume_job).
[[ ! -s $T/ref/out.err ]] || fail "the reference run printed to stderr: $(head -3 "$T/ref/out.err")"
: >"$T/run/out.err"
compare_outputs "$T/ref/out" "$T/run/out" "the long-run job"

# The figures. The windows: the first and the last fifth of the sampled
# time (at least 10 s each); min is the agent at rest between checkpoints.
figures=$(awk -v d="$duration" '
    BEGIN { w = d / 5; if (w < 10) w = 10 }
    { t[NR] = $1; rss[NR] = $3; anon[NR] = $4; fds[NR] = $5; thr[NR] = $6 }
    END {
        for (i = 1; i <= NR; i++) {
            if (t[i] < w) {
                if (!fr || rss[i] < fr) fr = rss[i]
                if (!fa || anon[i] < fa) fa = anon[i]
                if (!ff || fds[i] < ff) ff = fds[i]
            }
            if (t[i] >= t[NR] - w) {
                if (!lr || rss[i] < lr) lr = rss[i]
                if (!la || anon[i] < la) la = anon[i]
                if (!lf || fds[i] < lf) lf = fds[i]
            }
            if (rss[i] > mr) mr = rss[i]
            if (fds[i] > mf) mf = fds[i]
        }
        printf "%d %d %d %d %d %d %d %d %d %d %d\n", fr, lr, mr, fa, la, ff, lf, mf, thr[1], thr[NR], NR
    }' "$samples")
read -r rss_first rss_last rss_max anon_first anon_last fds_first fds_last fds_max threads_first threads_last count \
    <<<"$figures"
frozen=$(grep -Eo 'committed \(periodic\): .* ([0-9.]+) s frozen' "$AGENT_LOG" |
    grep -Eo '[0-9.]+ s frozen$' | cut -d' ' -f1 | sort -n)
committed=$(grep -c . <<<"$frozen")
((committed > 0)) || fail "no generation committed: $(tail -5 "$AGENT_LOG")"
median=$(sed -n "$(((committed + 1) / 2))p" <<<"$frozen")
failed=$(log_lines '^stasis run: checkpoint gen-[0-9]+ failed')
log "figures: $duration s, $count samples, $committed generations committed, $failed failed"
log "figures: frozen min $(head -1 <<<"$frozen") s, median $median s, max $(tail -1 <<<"$frozen") s"
log "figures: agent RSS (KiB, lowest of the first/last stretch) first $rss_first, last $rss_last, max $rss_max; anonymous first $anon_first, last $anon_last"
log "figures: agent fds (lowest of the first/last stretch) first $fds_first, last $fds_last, max $fds_max; threads $threads_first -> $threads_last"

((failed == 0)) || fail "$failed checkpoint(s) failed: $(grep -m3 'failed' "$AGENT_LOG")"
((committed >= duration / interval / 2)) || fail "only $committed generations in $duration s at a ${interval}s interval"
((fds_last <= fds_first)) || fail "the agent's fds grew from $fds_first to $fds_last: $(cat "$T/last-fds")"
((anon_last <= anon_first + ANON_BOUND_KIB)) ||
    fail "the agent's heap grew from $anon_first KiB to $anon_last KiB (bound: $ANON_BOUND_KIB KiB)"
((rss_last <= rss_first + RSS_BOUND_KIB)) ||
    fail "the agent's RSS grew from $rss_first KiB to $rss_last KiB (bound: $RSS_BOUND_KIB KiB)"

# The resume: ROOT as it was before the job ended (its FINISHED mark, which
# would start the job anew, and the dead agent's lock left out; the
# generations hard-linked: nothing rewrites a committed file), and the
# output file emptied, as a scheduler does on a requeue.
resume_root=$T/resume/ckpt
mkdir -p "$T/resume"
cp -al "$ROOT" "$resume_root" || fail "cannot copy $ROOT"
rm -f "$resume_root/FINISHED" "$resume_root/.lock"
ROOT=$resume_root
: >"$T/run/out"
log "resuming from $pick of ${#generations[@]}"
resume_job --interval 0 --resume-from "$pick"
log "PASS"
