#!/usr/bin/env bash
# demo.sh: the whole story on a real Slurm. A batch job with
# --checkpoint-interval is checkpointed while it computes, preempted by a
# more important job, requeued by Slurm, restored from its last checkpoint
# and finishes with the same answer as an uninterrupted run.
#
#   sudo ./demo.sh     (on a fresh Debian 12: installs what it needs, builds,
#                       installs stasis under /usr/local and starts a private
#                       one-node Slurm on localhost, stopped again at the end)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }
show() { sed 's/^/   | /'; }

if (($(id -u) != 0)); then
    echo "demo.sh: run it as root (sudo ./demo.sh): it starts slurmctld, slurmd and munged" >&2
    exit 1
fi
umask 022

say "Installing dependencies (deploy/install-deps.sh: Slurm 22.05, munge, build tools)"
bash "$ROOT/deploy/install-deps.sh"

# The jobs run as an ordinary user, who must be able to read the build.
SRC=$ROOT
# shellcheck source=tests/run-as-user.sh
source "$ROOT/tests/run-as-user.sh"
ensure_test_user
if ! test_user_can_read "$ROOT" demo.sh; then
    SRC=$(mktemp -d /tmp/stasis-src.XXXXXX)
    tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$SRC" -xf -
    chmod -R a+rX "$SRC"
fi
BUILD=$SRC/build
say "Building stasis and stasis.so (cmake, into $BUILD)"
cmake -S "$SRC" -B "$BUILD" -DSTASIS_WERROR=ON >/dev/null
cmake --build "$BUILD" -j2 >"$BUILD/demo-build.log" 2>&1 || { tail -n 20 "$BUILD/demo-build.log" >&2; exit 1; }

# The Slurm test helpers do the waiting; they start the cluster in $T and
# stop it when the demo ends.
set -- "$BUILD" "$BUILD/tests/workloads"
# shellcheck source=tests/slurm/plugin_lib.sh
source "$SRC/tests/slurm/plugin_lib.sh"

say "Starting a one-node Slurm with stasis.so in plugstack.conf"
start_stasis_cluster -- --grace-time 5 >/dev/null
show <"$T/cluster/plugstack.conf"
note "site config $T/stasis.yaml:"
show <"$T/stasis.yaml"

dir=$(job_dir simulation)
cat >"$dir/job.sh" <<SCRIPT
#!/bin/bash
echo "simulation: 1500 steps"
$WORKLOADS/single_thread 1500 15
SCRIPT
chmod 0755 "$dir/job.sh"
as_user "$STASIS_TEST_USER" bash "$dir/job.sh" >"$dir/reference.out" </dev/null 251>&- 255>&- &
REFERENCE_PID=$!

say "1. $STASIS_TEST_USER submits a 30-second computation, asking for a checkpoint every 5 s"
note "sbatch -p low --checkpoint-interval=5s -o job.out job.sh"
cd "$dir"
job=$(submit_as "$STASIS_TEST_USER" -p low --checkpoint-interval=5s -o "$dir/job.out" "$dir/job.sh")
wait_job_state "$job" RUNNING 60
gen=$(wait_recorded_generation "$job" 2 60)
note "job $job runs under the stasis agent; two checkpoints so far. The job's output:"
tail -n 4 "$dir/job.out" | show
note "the job record (scontrol show job $job) names the newest checkpoint:"
note "AdminComment=$(admin_comment "$job")"

say "2. A job of the high partition takes the node: Slurm preempts job $job"
preempt "$job" 3 >/dev/null
note "job $PREEMPTOR (partition high) needs the whole node; job $job gets SIGTERM after its grace time"
wait_requeued "$job" 1 120
note "job $job checkpointed before it was killed, and Slurm requeued it:"
grep -E '^(stasis run|slurmstepd)' "$dir/job.out" | tail -n 4 | show
note "$(job_summary "$job")"
note "AdminComment=$(admin_comment "$job")"
resumed_from=$(recorded_generation "$job")
wait_job_state "$PREEMPTOR" COMPLETED 60

say "3. The node is free again; job $job starts again and is restored from $resumed_from"
note "(scontrol update jobid=$job StartTime=now skips Slurm's two-minute requeue delay)"
release_requeued "$job" >/dev/null
wait_job_state "$job" RUNNING 60
wait_job_state "$job" COMPLETED 180
grep -E '^stasis run: (resumed|the job)' "$dir/job.out" | show

say "4. The answer, compared with the same program run without interruption"
wait "$REFERENCE_PID"
if diff <(job_output_without_agent "$dir/job.out") "$dir/reference.out" >/dev/null; then
    note "job.out (less the lines of stasis and Slurm) is identical to the uninterrupted run:"
    note "$(grep -c '' "$dir/reference.out") lines, the same result:"
    grep '^result' "$dir/job.out" | show
    say "Done: preempted at $(grep -m1 -o 'CANCELLED AT [0-9T:-]*' "$dir/job.out" | cut -d' ' -f3), resumed from $resumed_from, same answer."
else
    fail "the job's output differs from the uninterrupted run"
fi
