#!/usr/bin/env bash
# deploy/slurm-local.sh: a real Slurm cluster on localhost, for tests.
#
#   deploy/slurm-local.sh start [--plugin SO [--plugin-args "K=V ..."]] [--nodes N]
#                               [--grace-time SECONDS] [--proctrack auto|cgroup|linuxproc]
#   deploy/slurm-local.sh stop
#   deploy/slurm-local.sh status
#
# Run as root. Everything lives in one private directory, STASIS_SLURM_DIR
# (default /tmp/stasis-slurm): a munge key and munged of its own, slurm.conf,
# cgroup.conf, plugstack.conf, state and spool directories, logs and pid
# files. Nothing under /etc/slurm, /etc/munge or /var is read or written, no
# systemd unit is used, and the ports are not Slurm's defaults, so a site's
# own Slurm and munge are not disturbed.
#
# One node (the default) is this host under its own name, on 127.0.0.1. With
# --nodes N (2-9), each node node1..nodeN is a slurmd in network, UTS and
# mount namespaces of its own: its own address on a bridge the script makes
# (10.77.SLOT.0/24; the host, where slurmctld runs, is .1), its own
# hostname, an /etc/hosts naming every node, and its own spool and log
# (spool-nodeI, log/slurmd-nodeI.log). A connection between two nodes'
# processes crosses a network as it would between hosts, and all nodes share
# this host's file systems, as compute nodes share a cluster file system.
# Debian's Slurm is not built for several slurmd on one address
# (--enable-multiple-slurmd), which namespaces make unnecessary. Several
# slurmd cannot share one cgroup tree, so a multi-node cluster uses
# proctrack/linuxproc.
#
# `start` writes DIR/env.sh (`source` it: it exports SLURM_CONF) and prints
# its path once the node is idle and a trivial job has run. A failed start
# prints one error line and the tail of the log that says why, and stops
# whatever it had started. `stop` ends the jobs' processes, slurmd,
# slurmctld and munged by their pids and waits until they are gone.
# `status` says what runs, and exits 0 only when all three daemons do.
#
# Environment (all optional):
#   STASIS_SLURM_DIR            the directory                  (/tmp/stasis-slurm)
#   STASIS_SLURM_CTLD_PORT      slurmctld's port; slurmd takes the next one and
#                               srun ports 10-49 above it     (first free from 16817)
#   STASIS_SLURM_GRACE_TIME     GraceTime of partition low     (30)
#   STASIS_SLURM_NODES          the number of nodes            (1)
#   STASIS_SLURM_PROCTRACK      auto | cgroup | linuxproc      (auto: cgroup if a
#                               job runs with it, else linuxproc)
#   STASIS_SLURM_START_TIMEOUT  seconds to wait for each start stage (60)
#   STASIS_SLURM_DEBUG          SlurmctldDebug/SlurmdDebug     (verbose; debug2 shows
#                               which process each signal is sent to)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATES=$HERE/slurm
DIR=${STASIS_SLURM_DIR:-/tmp/stasis-slurm}
CTLD_PORT=${STASIS_SLURM_CTLD_PORT:-}
GRACE_TIME=${STASIS_SLURM_GRACE_TIME:-30}
PROCTRACK=${STASIS_SLURM_PROCTRACK:-auto}
START_TIMEOUT=${STASIS_SLURM_START_TIMEOUT:-60}
DEBUG=${STASIS_SLURM_DEBUG:-verbose}
NODES=${STASIS_SLURM_NODES:-1}
PLUGIN=
PLUGIN_ARGS=
FIRST_PORT=16817
PORT_LOCK=/tmp/stasis-slurm-ports.lock
DAEMONS=(munged slurmctld slurmd)   # started in this order, stopped in reverse;
                                    # slurmd-nodeI for each node of a multi-node cluster
CLEAN_PATH=/usr/sbin:/usr/bin:/sbin:/bin

die() {
    echo "slurm-local: $*" >&2
    exit 1
}

usage() {
    echo "usage:" >&2
    sed -n '4,7p' "${BASH_SOURCE[0]}" | sed 's/^#//' >&2
    exit 2
}

# --- paths and pids ---------------------------------------------------------

pid_file() { echo "$DIR/run/$1.pid"; }
log_file() { echo "$DIR/log/$1.log"; }

# daemon_pid NAME: the pid of our running daemon NAME, or nothing. A pid is
# only believed when that process still runs the program NAME.
daemon_pid() {
    local name=$1 file pid comm
    file=$(pid_file "$name")
    [[ -r $file ]] || return 0
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    alive "$pid" || return 0
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 0
    # Just after spawn the process may not have reached its exec yet.
    case $comm in
        "${name%%-*}" | env | setsid | nsenter | unshare | sh) echo "$pid" ;;
    esac
    return 0
}

# step_daemon_pids: pids of slurmstepd processes started by our slurmd. They
# keep slurmd's environment, which names our directory, or (a step daemon
# that has overwritten its environment) live in one of our nodes' network
# namespaces.
step_daemon_pids() {
    local p i net
    local -A ours=()
    if ((NODES > 1)); then
        for i in "${!NODE_NAMES[@]}"; do
            net=$(stat -L -c %i "/run/netns/$(netns_name "$i")" 2>/dev/null) && ours["net:[$net]"]=1
        done
    fi
    for p in /proc/[0-9]*; do
        [[ $(cat "$p/comm" 2>/dev/null) == slurmstepd ]] || continue
        net=$(readlink "$p/ns/net" 2>/dev/null) || continue
        [[ -n ${ours[$net]:-} ]] ||
            tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "STASIS_SLURM_DIR=$DIR" || continue
        echo "${p#/proc/}"
    done
}

# descendants_of PID...: the given pids and all their descendants.
descendants_of() {
    local -A children=()
    local pid ppid queue=("$@") result=()
    while read -r pid ppid; do
        children[$ppid]+="$pid "
    done < <(ps -e -o pid=,ppid=)
    while ((${#queue[@]})); do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        result+=("$pid")
        # shellcheck disable=SC2206
        queue+=(${children[$pid]:-})
    done
    echo "${result[@]}"
}

# alive PID: the process exists and is not a zombie.
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# wait_gone SECONDS PID...: wait until none of the pids is alive; false on timeout.
wait_gone() {
    local deadline=$((SECONDS + $1)) pid any
    shift
    while :; do
        any=0
        for pid in "$@"; do
            if alive "$pid"; then
                any=1
                break
            fi
        done
        ((any)) || return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# --- configuration ----------------------------------------------------------

port_in_use() { [[ -n $(ss -Hltn "sport = :$1") ]]; }

# choose_ports: slurmctld on CTLD_PORT, slurmd on the next port, srun on
# CTLD_PORT+10..+49. Without STASIS_SLURM_CTLD_PORT, the first block of 50
# from 16817 on whose first two ports nobody listens on (clusters started at
# the same time take turns: see PORT_LOCK).
choose_ports() {
    if [[ -n $CTLD_PORT ]]; then
        [[ $CTLD_PORT =~ ^[0-9]+$ ]] || die "STASIS_SLURM_CTLD_PORT is not a number: $CTLD_PORT"
        ! port_in_use "$CTLD_PORT" || die "port $CTLD_PORT (STASIS_SLURM_CTLD_PORT) is in use"
        ! port_in_use $((CTLD_PORT + 1)) || die "port $((CTLD_PORT + 1)) (slurmd) is in use"
        return
    fi
    local port
    for ((port = FIRST_PORT; port < FIRST_PORT + 50 * 40; port += 50)); do
        port_in_use "$port" || port_in_use $((port + 1)) || {
            CTLD_PORT=$port
            return
        }
    done
    die "no free pair of ports from $FIRST_PORT to $port (set STASIS_SLURM_CTLD_PORT)"
}

# node_hardware: the node line's hardware fields, as slurmd itself sees them.
node_hardware() {
    local line
    line=$(env -i PATH=$CLEAN_PATH SLURM_CONF=/nonexistent slurmd -C 2>/dev/null | head -n1) ||
        true
    if [[ $line == NodeName=* ]]; then
        echo "${line#NodeName=* }"
        return
    fi
    echo "CPUs=$(nproc) RealMemory=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))"
}

# first_job_id: 1 for the first block of ports, 100001 for the second, ...:
# clusters running at the same time (they have distinct ports) never share a
# job id, and so never a job cgroup.
first_job_id() {
    local slot=$(((CTLD_PORT - FIRST_PORT) / 50))
    ((CTLD_PORT >= FIRST_PORT && slot < 40)) || slot=$((CTLD_PORT % 600))
    echo $((slot * 100000 + 1))
}

# node_lines: slurm.conf's NodeName lines.
node_lines() {
    local hardware i
    hardware=$(node_hardware)
    if ((NODES == 1)); then
        echo "NodeName=${NODE_NAMES[0]} NodeAddr=127.0.0.1 $hardware State=UNKNOWN"
        return
    fi
    for i in "${!NODE_NAMES[@]}"; do
        echo "NodeName=${NODE_NAMES[i]} NodeAddr=$(node_addr "$i") $hardware State=UNKNOWN"
    done
}

# write_config TRACK: slurm.conf, cgroup.conf, plugstack.conf and env.sh for
# proctrack TRACK (cgroup or linuxproc).
write_config() {
    local track=$1 task ctld_addr=127.0.0.1 per_node=
    task=none
    [[ $track == cgroup ]] && task=cgroup
    if ((NODES > 1)); then
        ctld_addr=$(host_addr)
        per_node=-%n
    fi
    sed -e "s|@DIR@|$DIR|g" \
        -e "s|@CTLD_HOST@|$(hostname -s)|g" \
        -e "s|@CTLD_ADDR@|$ctld_addr|g" \
        -e "s|@PER_NODE@|$per_node|g" \
        -e "s|@NODES@|$(
            IFS=,
            echo "${NODE_NAMES[*]}"
        )|g" \
        -e "s|@CTLD_PORT@|$CTLD_PORT|g" \
        -e "s|@SLURMD_PORT@|$((CTLD_PORT + 1))|g" \
        -e "s|@SRUN_PORTS@|$((CTLD_PORT + 10))-$((CTLD_PORT + 49))|g" \
        -e "s|@PROCTRACK@|$track|g" \
        -e "s|@TASK@|$task|g" \
        -e "s|@GRACE_TIME@|$GRACE_TIME|g" \
        -e "s|@FIRST_JOB_ID@|$(first_job_id)|g" \
        -e "s|@DEBUG@|$DEBUG|g" \
        "$TEMPLATES/slurm.conf.in" |
        NODE_LINES=$(node_lines) awk '$0 == "@NODE_LINES@" { print ENVIRON["NODE_LINES"]; next } 1' \
        >"$DIR/slurm.conf"
    cp "$TEMPLATES/cgroup.conf.in" "$DIR/cgroup.conf"
    {
        echo "# plugstack.conf of the test cluster, written by deploy/slurm-local.sh"
        [[ -z $PLUGIN ]] || echo "required $PLUGIN${PLUGIN_ARGS:+ $PLUGIN_ARGS}"
    } >"$DIR/plugstack.conf"
    cat >"$DIR/env.sh" <<EOF
# Source this to use the test cluster in $DIR (deploy/slurm-local.sh).
export SLURM_CONF=$DIR/slurm.conf
export STASIS_SLURM_DIR=$DIR
export STASIS_SLURM_NODE=${NODE_NAMES[0]}
export STASIS_SLURM_NODES="${NODE_NAMES[*]}"
export STASIS_SLURM_PROCTRACK=$track
EOF
    chmod 0644 "$DIR/slurm.conf" "$DIR/cgroup.conf" "$DIR/plugstack.conf" "$DIR/env.sh"
}

# prepare_dir: the directory with fresh state, spool, log and run dirs. Only
# the paths this script creates are removed, never the directory itself.
prepare_dir() {
    mkdir -p "$DIR"
    chmod 0755 "$DIR"
    rm -rf "${DIR:?}/state" "$DIR"/spool "$DIR"/spool-* "$DIR/log" "$DIR/run" "$DIR/munge" "$DIR/hosts"
    mkdir -m 0755 "$DIR/state" "$DIR/log" "$DIR/run" "$DIR/munge"
    if ((NODES == 1)); then
        mkdir -m 0755 "$DIR/spool"
    else
        local node
        for node in "${NODE_NAMES[@]}"; do mkdir -m 0755 "$DIR/spool-$node"; done
    fi
}

# --- the nodes' network (multi-node clusters) --------------------------------
#
# Each cluster's network is numbered by its block of ports (SLOT, 0-39), so
# clusters running at the same time have distinct bridges, namespaces and
# subnets.

net_slot() { echo $(((CTLD_PORT - FIRST_PORT) / 50 % 40)); }
bridge_name() { echo "stasis-br$(net_slot)"; }
veth_name() { echo "stv$(net_slot)-$(($1 + 1))"; }
netns_name() { echo "stasis-$(net_slot)-${NODE_NAMES[$1]}"; }
host_addr() { echo "10.77.$(net_slot).1"; }
node_addr() { echo "10.77.$(net_slot).$((11 + $1))"; }

# start_network: the bridge (with the host's address) and one namespace per
# node, linked to it by a veth pair; DIR/hosts names the host and every node.
start_network() {
    local bridge i ns veth
    bridge=$(bridge_name)
    stop_network
    ip link add "$bridge" type bridge &&
        ip addr add "$(host_addr)/24" dev "$bridge" &&
        ip link set "$bridge" up ||
        failed "cannot make the bridge $bridge" || return 1
    {
        echo "127.0.0.1 localhost"
        echo "$(host_addr) $(hostname -s)"
        for i in "${!NODE_NAMES[@]}"; do echo "$(node_addr "$i") ${NODE_NAMES[i]}"; done
    } >"$DIR/hosts"
    chmod 0644 "$DIR/hosts"
    for i in "${!NODE_NAMES[@]}"; do
        ns=$(netns_name "$i")
        veth=$(veth_name "$i")
        ip netns add "$ns" &&
            ip link add "$veth" type veth peer name eth0 netns "$ns" &&
            ip link set "$veth" master "$bridge" up &&
            ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0 &&
            ip -n "$ns" link set eth0 up &&
            ip -n "$ns" link set lo up ||
            failed "cannot make the network namespace $ns of ${NODE_NAMES[i]}" || return 1
    done
}

# stop_network: removes the namespaces, the veths (a namespace that a
# process or a mount still holds outlives its name, and keeps its veth) and
# the bridge.
stop_network() {
    ((NODES > 1)) || return 0
    local i
    for i in "${!NODE_NAMES[@]}"; do
        [[ ! -e /run/netns/$(netns_name "$i") ]] || ip netns del "$(netns_name "$i")"
        ! ip link show "$(veth_name "$i")" >/dev/null 2>&1 || ip link del "$(veth_name "$i")"
    done
    ! ip link show "$(bridge_name)" >/dev/null 2>&1 || ip link del "$(bridge_name)"
}

# --- starting ---------------------------------------------------------------
#
# The start stages return false and set FAILURE (what went wrong) and
# FAILURE_LOGS (the logs that say why) instead of exiting, so that a start
# with proctrack/cgroup that fails can be retried with proctrack/linuxproc.

FAILURE=
FAILURE_LOGS=()

failed() {
    FAILURE=$1
    shift
    FAILURE_LOGS=("$@")
    return 1
}

# spawn NAME CMD...: start a daemon in the foreground mode of its own, in a
# session of its own, with a clean environment that names DIR and only fds
# 0-2 (a test harness's pipe inherited by a daemon would never see EOF);
# record its pid.
spawn() {
    local name=$1
    shift
    (
        close_inherited_fds
        exec env -i PATH=$CLEAN_PATH LANG=C.UTF-8 SLURM_CONF="$DIR/slurm.conf" STASIS_SLURM_DIR="$DIR" \
            setsid "$@" </dev/null >>"$DIR/log/$name.out" 2>&1
    ) &
    echo $! >"$(pid_file "$name")"
}

close_inherited_fds() {
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
        fd=${fd##*/}
        ((fd <= 2)) || eval "exec $fd>&-"
    done
}

# daemon_log NAME: the log that says why NAME failed: its log file, or what
# it printed when it did not get as far as opening that.
daemon_log() {
    if [[ $1 != munged && -s $(log_file "$1") ]]; then
        log_file "$1"
    else
        echo "$DIR/log/$1.out"
    fi
}

# wait_for SECONDS WHAT LOG CMD...: run CMD until it succeeds; false on
# timeout, or at once when a daemon we started has died.
wait_for() {
    local deadline=$((SECONDS + $1)) what=$2 log=$3 name
    shift 3
    until "$@" >/dev/null 2>&1; do
        for name in "${DAEMONS[@]}"; do
            if [[ -f $(pid_file "$name") && -z $(daemon_pid "$name") ]]; then
                failed "$name exited while waiting for $what" "$(daemon_log "$name")"
                return 1
            fi
        done
        ((SECONDS < deadline)) || {
            failed "no $what within $START_TIMEOUT s" "$log"
            return 1
        }
        sleep 0.2
    done
}

munge_works() {
    munge -n -S "$DIR/munge/munge.socket" | unmunge -S "$DIR/munge/munge.socket"
}

start_munged() {
    mungekey --create --keyfile="$DIR/munge/munge.key" >"$DIR/log/mungekey.out" 2>&1 ||
        failed "mungekey could not create $DIR/munge/munge.key" "$DIR/log/mungekey.out" || return 1
    chmod 0400 "$DIR/munge/munge.key"
    spawn munged munged --foreground --force \
        --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" \
        --pid-file="$DIR/munge/munged.pid" --seed-file="$DIR/munge/munged.seed"
    wait_for "$START_TIMEOUT" "answer from munged" "$(daemon_log munged)" munge_works
}

ctld_answers() { scontrol ping | grep -q 'is UP'; }

nodes_idle() { [[ $(sinfo -h -N -o %T | sort -u) == idle && $(sinfo -h -N -o %N | sort -u | wc -l) == "$NODES" ]]; }

# slurmd_in_node NODE HOSTS CONF: slurmd -N NODE in the namespaces it was
# started in (see spawn_node_slurmd), with HOSTS as its /etc/hosts and NODE
# as its hostname.
# shellcheck disable=SC2016
SLURMD_IN_NODE='mount --bind "$2" /etc/hosts && hostname "$1" && exec slurmd -D -N "$1" -f "$3"'

spawn_node_slurmd() {
    local i=$1
    spawn "slurmd-${NODE_NAMES[i]}" nsenter --net="/run/netns/$(netns_name "$i")" \
        unshare --uts --mount --propagation private \
        sh -c "$SLURMD_IN_NODE" slurmd "${NODE_NAMES[i]}" "$DIR/hosts" "$DIR/slurm.conf"
}

start_slurm_daemons() {
    spawn slurmctld slurmctld -D -f "$DIR/slurm.conf"
    wait_for "$START_TIMEOUT" "answer from slurmctld" "$(log_file slurmctld)" ctld_answers || return 1
    if ((NODES == 1)); then
        spawn slurmd slurmd -D -f "$DIR/slurm.conf"
    else
        local i
        for i in "${!NODE_NAMES[@]}"; do spawn_node_slurmd "$i"; done
    fi
    wait_for "$START_TIMEOUT" "$NODES idle node(s)" "$(slurmd_logs | head -n1)" nodes_idle
}

slurmd_logs() {
    if ((NODES == 1)); then
        log_file slurmd
    else
        local node
        for node in "${NODE_NAMES[@]}"; do log_file "slurmd-$node"; done
    fi
}

# run_probe_job: a trivial batch job runs to completion; on several nodes,
# one that runs an srun step on every node, each printing its hostname.
# sbatch's own errors go to log/probe.err, the job's output to run/probe.out.
run_probe_job() {
    local probe_out=$DIR/run/probe.out probe_err=$DIR/log/probe.err wrap='echo probe-ok' want=probe-ok
    rm -f "$probe_out"
    if ((NODES > 1)); then
        wrap='srun -l hostname | sort'
        want=$(for i in "${!NODE_NAMES[@]}"; do echo "$i: ${NODE_NAMES[i]}"; done)
    fi
    if timeout "$START_TIMEOUT" sbatch --quiet --wait --job-name=probe --chdir=/ -N "$NODES" \
        --output="$probe_out" --wrap="$wrap" >"$probe_err" 2>&1 &&
        [[ $(cat "$probe_out" 2>/dev/null) == "$want" ]]; then
        return 0
    fi
    # shellcheck disable=SC2046
    failed "a trivial job did not run" "$probe_err" "$probe_out" $(slurmd_logs) "$(log_file slurmctld)"
}

# start_with TRACK: a fresh directory, configured for proctrack TRACK;
# start the daemons and run the probe job. On failure everything is stopped
# again and the logs of the attempt are kept in DIR/failed-TRACK/.
start_with() {
    local track=$1
    prepare_dir
    write_config "$track"
    if start_munged && { ((NODES == 1)) || start_network; } && start_slurm_daemons && run_probe_job; then
        return 0
    fi
    stop_cluster >/dev/null 2>&1 || true
    rm -rf "${DIR:?}/failed-$track"
    cp -r "$DIR/log" "$DIR/failed-$track"
    local i
    for i in "${!FAILURE_LOGS[@]}"; do
        FAILURE_LOGS[i]=${FAILURE_LOGS[i]/#$DIR\/log\//$DIR/failed-$track/}
    done
    return 1
}

# show_failure: one error line, then the tails of the logs that say why.
show_failure() {
    local log
    echo "slurm-local: start failed: $FAILURE" >&2
    for log in "${FAILURE_LOGS[@]}"; do
        [[ -s $log ]] || continue
        echo "--- tail of $log" >&2
        tail -n 15 "$log" | sed 's/^/    /' >&2
    done
}

start_cluster() {
    (($(id -u) == 0)) || die "start must run as root"
    [[ -r $TEMPLATES/slurm.conf.in ]] || die "templates missing: $TEMPLATES/slurm.conf.in"
    [[ -z $PLUGIN || -r $PLUGIN ]] || die "plugin not found: $PLUGIN"
    [[ $GRACE_TIME =~ ^[0-9]+$ ]] || die "grace time is not a number of seconds: $GRACE_TIME"
    local name cmd tracks
    case $PROCTRACK in
        auto) tracks=(cgroup linuxproc) ;;
        cgroup | linuxproc) tracks=("$PROCTRACK") ;;
        *) die "unknown proctrack: $PROCTRACK (auto, cgroup or linuxproc)" ;;
    esac
    for cmd in munged mungekey munge unmunge slurmctld slurmd sbatch scontrol sinfo squeue; do
        command -v "$cmd" >/dev/null ||
            die "$cmd is missing: install Slurm and munge with deploy/install-deps.sh"
    done
    for name in "${DAEMONS[@]}"; do
        [[ -z $(daemon_pid "$name") ]] || die "already running in $DIR ($name); stop it first"
    done
    [[ -z $(step_daemon_pids) ]] || die "job processes of an earlier cluster in $DIR still run; stop it first"

    export SLURM_CONF=$DIR/slurm.conf
    umask 022
    local started=$SECONDS track
    mkdir -p "$DIR"
    rm -rf "${DIR:?}"/failed-*
    # The ports stay locked until our daemons listen on them.
    exec 9>"$PORT_LOCK"
    flock -w 60 9 || die "could not lock $PORT_LOCK within 60 s"
    choose_ports
    for track in "${tracks[@]}"; do
        if start_with "$track"; then
            exec 9>&-
            echo "slurm-local: cluster up in $((SECONDS - started)) s" \
                "(ports $CTLD_PORT/$((CTLD_PORT + 1)), proctrack/$track)" >&2
            echo "$DIR/env.sh"
            return 0
        fi
        echo "slurm-local: with proctrack/$track: $FAILURE" >&2
    done
    exec 9>&-
    show_failure
    exit 1
}

# --- stopping ---------------------------------------------------------------

# kill_job_processes: SIGKILL every process of our jobs but the step daemons
# (stopped first, so that none escapes by forking). The step daemons see
# their tasks end, clean up after them (cgroups, spool) and exit by themselves.
kill_job_processes() {
    local steps=() pids=() pid
    read -ra steps <<<"$(step_daemon_pids | xargs)"
    ((${#steps[@]})) || return 0
    local -A is_step=()
    for pid in "${steps[@]}"; do is_step[$pid]=1; done
    for _ in 1 2; do
        pids=()
        for pid in $(descendants_of "${steps[@]}"); do
            [[ -n ${is_step[$pid]:-} ]] || pids+=("$pid")
        done
        ((${#pids[@]})) || break
        kill -STOP "${pids[@]}" 2>/dev/null || true
    done
    ((${#pids[@]} == 0)) || kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_gone 10 "${steps[@]}" || true
}

# kill_step_trees: SIGKILL whatever is left of the jobs: step daemons and
# all their descendants, stopped first.
kill_step_trees() {
    local pids=()
    for _ in 1 2 3 4 5; do
        read -ra pids <<<"$(step_daemon_pids | xargs)"
        ((${#pids[@]})) || return 0
        read -ra pids <<<"$(descendants_of "${pids[@]}")"
        kill -STOP "${pids[@]}" 2>/dev/null || true
        read -ra pids <<<"$(descendants_of "${pids[@]}")"
        kill -KILL "${pids[@]}" 2>/dev/null || true
        wait_gone 5 "${pids[@]}" || true
    done
    [[ -z $(step_daemon_pids) ]] || echo "slurm-local: job processes still run: $(step_daemon_pids | xargs)" >&2
}

# stop_daemon NAME: SIGTERM, then SIGKILL after 10 s; wait until it is gone.
stop_daemon() {
    local name=$1 pid
    pid=$(daemon_pid "$name")
    if [[ -n $pid ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone 10 "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone 5 "$pid" || {
                echo "slurm-local: $name (pid $pid) does not exit" >&2
                return 1
            }
        fi
    fi
    rm -f "$(pid_file "$name")"
}

stop_cluster() {
    (($(id -u) == 0)) || die "stop must run as root"
    local started=$SECONDS rc=0 i
    kill_job_processes
    for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
        stop_daemon "${DAEMONS[i]}" || rc=1
    done
    kill_step_trees
    stop_network || rc=1
    ((rc == 0)) || die "stop failed: processes of $DIR remain"
    echo "slurm-local: stopped in $((SECONDS - started)) s" >&2
}

# --- status -----------------------------------------------------------------

show_status() {
    local name pid running=0 steps
    for name in "${DAEMONS[@]}"; do
        pid=$(daemon_pid "$name")
        if [[ -n $pid ]]; then
            echo "$name: running (pid $pid)"
            running=$((running + 1))
        else
            echo "$name: not running"
        fi
    done
    steps=$(step_daemon_pids | xargs)
    echo "slurmstepd: ${steps:-none}"
    if [[ -n $(daemon_pid slurmctld) ]]; then
        export SLURM_CONF=$DIR/slurm.conf
        echo "env: $DIR/env.sh"
        grep -hE '^(SlurmctldPort|SlurmdPort|ProctrackType|TaskPlugin)=' "$DIR/slurm.conf"
        timeout 10 sinfo -h -o 'partition %P: node %N %T' 2>/dev/null || true
        timeout 10 squeue -h -o 'job %A %P %u %T %r' 2>/dev/null || true
    fi
    ((running == ${#DAEMONS[@]}))
}

# --- main -------------------------------------------------------------------

# load_started_shape: for stop and status, the number of nodes and the ports
# of the cluster started in DIR (its env.sh and slurm.conf).
load_started_shape() {
    local names
    names=$(sed -n 's/^export STASIS_SLURM_NODES="\(.*\)"$/\1/p' "$DIR/env.sh" 2>/dev/null) || true
    [[ -n $names ]] || return 0
    NODES=$(wc -w <<<"$names")
    CTLD_PORT=$(sed -n 's/^SlurmctldPort=//p' "$DIR/slurm.conf" 2>/dev/null) || true
}

main() {
    (($#)) || usage
    local action=$1
    shift
    while (($#)); do
        case $1 in
            --plugin) PLUGIN=${2:?--plugin needs a path}; shift 2 ;;
            --plugin-args) PLUGIN_ARGS=${2?--plugin-args needs a value}; shift 2 ;;
            --grace-time) GRACE_TIME=${2:?--grace-time needs seconds}; shift 2 ;;
            --proctrack) PROCTRACK=${2:?--proctrack needs auto, cgroup or linuxproc}; shift 2 ;;
            --nodes) NODES=${2:?--nodes needs a number}; shift 2 ;;
            *) usage ;;
        esac
    done
    [[ $action == start ]] || load_started_shape
    [[ $NODES =~ ^[1-9]$ ]] || die "the number of nodes must be 1 to 9: $NODES"
    if ((NODES == 1)); then
        NODE_NAMES=("$(hostname -s)")
    else
        local i
        NODE_NAMES=()
        DAEMONS=(munged slurmctld)
        for ((i = 1; i <= NODES; i++)); do
            NODE_NAMES+=("node$i")
            DAEMONS+=("slurmd-node$i")
        done
        [[ $PROCTRACK != cgroup ]] || die "a multi-node cluster uses proctrack/linuxproc (several slurmd cannot share one cgroup tree)"
        PROCTRACK=linuxproc
    fi
    [[ $DIR == /* ]] || die "STASIS_SLURM_DIR must be an absolute path: $DIR"
    [[ $DIR =~ ^[A-Za-z0-9_./+-]+$ ]] ||
        die "STASIS_SLURM_DIR may hold only letters, digits and _ . / + - (it goes into slurm.conf): $DIR"
    DIR=${DIR%/}
    [[ -z $PLUGIN_ARGS || -n $PLUGIN ]] || die "--plugin-args needs --plugin"
    [[ -z $PLUGIN || $PLUGIN == /* ]] || PLUGIN=$(realpath -m "$PLUGIN")
    case $action in
        start) start_cluster ;;
        stop) stop_cluster ;;
        status) show_status ;;
        *) usage ;;
    esac
}

main "$@"
