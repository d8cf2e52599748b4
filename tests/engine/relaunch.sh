#!/usr/bin/env bash
# A process the checkpoint cannot hold (relaunch_step keeps a netlink
# socket, as Slurm's srun keeps connections to other nodes, and a helper
# child, as srun does) is started anew at restore with
# `stasis dump --relaunch PROGRAM`: a script runs 16 such steps; dumped at
# a random moment (mostly inside a step), the tree comes back with the
# running step started again with the same arguments, environment and
# stdout, without its old helper (it starts its own), and the whole output
# equals an uninterrupted run's. Without --relaunch the same dump is
# refused, and the root cannot be relaunched (one line each, the tree runs
# on).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

step=$WORKLOADS/relaunch_step
tree_run_reference relaunch "$T/ref"

tree_start relaunch "$T/refused"
stasis dump-refused 60 dump --pid "$WL_PID" --dir "$T/refused/img" --leave-running
check_error "a netlink socket without --relaunch" 1 'fd [0-9]+ is a socket'
stasis dump-root 60 dump --pid "$WL_PID" --dir "$T/refused/img-root" --leave-running --relaunch /bin/bash
check_error "--relaunch of the root" 1 "process $WL_PID is the root of the tree: it cannot be started anew"
alive "$WL_PID" || fail "the refused dumps ended the tree"
kill_tree "$WL_PID"

stasis dump-relative 10 dump --pid 1 --dir "$T/refused/img-relative" --relaunch relaunch_step
check_error "--relaunch given a relative path" 2 ''

for round in 1 2; do
    tree_start_and_dump relaunch "$T/run$round" --relaunch "$step"
    python3 - "$T/run$round/img/manifest.json" <<'PY' || fail "round $round: the image holds no relaunched step"
import json, sys
m = json.load(open(sys.argv[1]))
r = [p for p in m["processes"] if "relaunch" in p]
# Dumped between two steps, no step runs: nothing to relaunch then.
relaunched = {p["pid"] for p in r}
ok = all(p["relaunch"]["argv"][0].endswith("relaunch_step") and p["regions"] == [] for p in r)
sys.exit(0 if ok and not any(p["ppid"] in relaunched for p in m["processes"]) else 1)
PY
    tree_restore_and_check relaunch "$T/run$round" "$T/ref" "round $round"
done
log "PASS"
