#!/bin/bash
# tree_relaunch.sh WORKLOADS STEPS: a script whose steps are programs a
# checkpoint cannot hold (relaunch_step), as a batch script's srun steps
# are: `stasis dump --relaunch WORKLOADS/relaunch_step` starts the one
# running at the checkpoint anew at restore.
set -e
echo "relaunch: $2 steps"
for ((i = 1; i <= $2; i++)); do
    STEP_TAG=t$i "$1/relaunch_step" "$i"
    echo "after step $i"
done
echo "result relaunch: $2 steps"
