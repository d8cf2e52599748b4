#!/usr/bin/env bash
# A real full disk under the agent: the checkpoint directory is a small
# tmpfs (MODE enospc: "No space left on device") or a btrfs subvolume with a
# quota (MODE edquot: "Disk quota exceeded"; a qgroup limit on a loop file,
# as this kernel's tmpfs has no quota), and the job and its agent run as
# the ordinary user stasis-test. RUNS times (STASIS_DISK_FULL_RUNS, 10 in
# the suite; tests/stress/disk_full.sh runs more), once a generation is
# committed, a ballast file takes the free space but for a random part of a
# generation, so that the next periodic checkpoint fails at a random point
# of its writes. Each failed checkpoint must log one line naming the
# reason; the job runs on, the older generations verify, no partial
# generation is left (nor one that LATEST could not name), and once the
# ballast is gone the next interval commits. At the end the job, stopped and resumed, has the whole output of
# an uninterrupted run.
#
#   disk_full_real.sh STASIS_BINARY WORKLOAD_DIR enospc|edquot
#
# It mounts, so it runs as root (ctest label root); exit 77 otherwise.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# shellcheck source=tests/run-as-user.sh
source "$(dirname "${BASH_SOURCE[0]}")/../run-as-user.sh"

mode=${3:?usage: $0 STASIS_BINARY WORKLOAD_DIR enospc|edquot}
runs=${STASIS_DISK_FULL_RUNS:-10}
keep=2
(($(id -u) == 0)) || { log "SKIP: needs root (it mounts a file system)"; exit 77; }
case $mode in
    enospc) reason='No space left on device' ;;
    edquot)
        reason='Disk quota exceeded'
        command -v mkfs.btrfs >/dev/null || fail "mkfs.btrfs is missing (deploy/install-deps.sh installs btrfs-progs)"
        ;;
    *) fail "unknown mode $mode" ;;
esac

ensure_test_user
user=$STASIS_TEST_USER
# setpriv execs as the user: the agent's pid is the one this test started.
# shellcheck disable=SC2034 # the helpers of lib.sh use it
RUN_AS=(setpriv "--reuid=$user" "--regid=$user" --init-groups)
# The restored job reopens its output by path, as the user.
chmod 711 "$T"
mnt=$T/mnt
mkdir "$mnt"

unmount() {
    mountpoint -q "$mnt" && umount "$mnt"
}
AT_CLEANUP+=(unmount)

# free_bytes: what the ballast may take before the file system (or the
# quota) is full.
if [[ $mode == enospc ]]; then
    mount -t tmpfs -o "size=64m,mode=0755" stasis-disk-full "$mnt" || fail "cannot mount a tmpfs on $mnt"
    space=$mnt
    free_bytes() {
        stat -f -c '%a %S' "$mnt" | { read -r blocks size && echo $((blocks * size)); }
    }
else
    truncate -s 300m "$T/btrfs.img"
    mkfs.btrfs -q "$T/btrfs.img" >"$LOGS/mkfs.log" 2>&1 || fail "mkfs.btrfs: $(cat "$LOGS/mkfs.log")"
    mount -o loop "$T/btrfs.img" "$mnt" || fail "cannot mount $T/btrfs.img"
    space=$mnt/job
    if ! { btrfs quota enable "$mnt" && btrfs subvolume create "$space" >/dev/null &&
        btrfs qgroup limit 64m "$space"; }; then
        fail "cannot set up a quota on $space"
    fi
    # btrfs counts a quota's use at each transaction commit: sync first.
    free_bytes() {
        sync -f "$space"
        btrfs qgroup show -r --raw -f "$space" | awk '$1 ~ /^0\// {print $4 - $2}'
    }
fi
chown "$user:" "$space"
ROOT=$space/ckpt
ballast=$space/ballast

# The job: the threads workload, paced by its sleeps while $T/pace exists,
# so that it runs for as long as the runs take, and then to its end at full
# speed, as its reference run does.
# A run takes two intervals, about 100 steps at 50 ms.
pace=$T/pace
run_reference_job "$WORKLOADS/threads" $((runs * 200 + 1000)) 4 50 20000 "$pace"
touch "$pace"
# The resumed job reopens its stdout and stderr (the agent's log) as the user.
: >"$T/run/out"
: >"$LOGS/disk_full_real.err"
chown "$user:" "$T/run" "$T/run/out" "$LOGS/disk_full_real.err"
start_job disk_full_real --interval 2s --keep "$keep" --compress none
wait_generation "$ROOT" "$keep" 60

failure="^stasis run: checkpoint gen-[0-9]+ failed \\(periodic\\): .*$reason.*; the job runs on, gen-[0-9]+ is kept\$"
misses=0
for ((run = 1; run <= runs; run++)); do
    # Once the last commit has pruned the generations: the space the next
    # one finds is the space measured now.
    deadline=$((SECONDS + $(budget 30)))
    until (($(committed_generations "$ROOT" | grep -c .) == keep)) && ! compgen -G "$ROOT/.gen-*.partial" >/dev/null; do
        ((SECONDS < deadline)) || fail "run $run: the generations were not pruned to $keep: $(ls -a "$ROOT")"
        sleep 0.02
    done
    kept=$(latest_number "$ROOT")
    size=$(du -s -B1 "$ROOT/$(cat "$ROOT/LATEST")" | cut -f1)
    # The first run leaves a generation's whole size: on the tmpfs it fits
    # to the page, and then LATEST cannot be written.
    left=$((run == 1 ? size : size * (2 + RANDOM % 97) / 100))
    before=$(log_lines "$failure")
    # A quota also counts what btrfs holds back for its metadata, more than
    # its figures show: a ballast too large for it is made smaller. With
    # less than left free already (the next checkpoint's pre-copy may be
    # writing), there is no ballast: the checkpoint fails or commits on its
    # own, and a commit counts as a miss.
    free=$(free_bytes)
    ballast_bytes=$((free - left))
    while ((ballast_bytes > 0)) && ! fallocate -l "$ballast_bytes" "$ballast" 2>/dev/null; do
        ballast_bytes=$((ballast_bytes - 65536))
    done
    log "run $run: gen $kept committed; $left of a generation's $size bytes left free (of $free free, a ballast of $((ballast_bytes > 0 ? ballast_bytes : 0)))"

    deadline=$((SECONDS + $(budget 30)))
    until (($(log_lines "$failure") > before || $(latest_number "$ROOT") > kept)); do
        alive "$JOB_PID" || fail "run $run: the job ended: $(tail -3 "$AGENT_LOG")"
        ((SECONDS < deadline)) || fail "run $run: no checkpoint ended within 30 s: $(tail -3 "$AGENT_LOG")"
        sleep 0.02
    done
    if (($(log_lines "$failure") == before)); then
        # The checkpoint had begun before the ballast was there: it is not
        # a failure at a point this test chose.
        rm -f "$ballast"
        misses=$((misses + 1))
        ((misses <= runs / 2)) || fail "$misses checkpoints were under way before the ballast was in place"
        log "run $run: committed $(cat "$ROOT/LATEST") anyway (begun before the ballast); once more"
        run=$((run - 1))
        continue
    fi
    ! compgen -G "$ROOT/.gen-*.partial" >/dev/null || fail "run $run: the failed checkpoint left $(ls -a "$ROOT")"
    [[ $(committed_generations "$ROOT" | tail -1) == "$(cat "$ROOT/LATEST")" ]] ||
        fail "run $run: a generation newer than LATEST is left: $(ls -a "$ROOT")"
    line=$(grep -E -- "$failure" "$AGENT_LOG" | sed -n "$((before + 1))p")
    [[ $line == *"gen-$(printf '%06d' "$kept") is kept" ]] || fail "run $run: the line does not name gen $kept as kept: $line"
    log "run $run: ok: ${line#stasis run: }"
    verify_generations "$ROOT"
    alive "$JOB_PID" || fail "run $run: the job did not survive the failed checkpoint"

    rm -f "$ballast"
    free_bytes >/dev/null   # edquot: the quota's use counted again
    wait_generation "$ROOT" $((kept + 1)) 30
done

# Each failed checkpoint said so once: no other line names the reason.
failures=$(log_lines "$failure")
(($(grep -c -- "$reason" "$AGENT_LOG") == failures)) ||
    fail "a failed checkpoint logged more than its one line: $(grep -- "$reason" "$AGENT_LOG")"
wait_progress "$T/run/out" 10 "$JOB_PID" || fail "the job makes no progress after the failed checkpoints"
log "ok: $runs runs, $failures checkpoints failed ($reason), $misses begun before the ballast; the job runs on"

kill -TERM "$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM to the agent"
rm -f "$pace"
resume_job --interval 0
log "PASS"
