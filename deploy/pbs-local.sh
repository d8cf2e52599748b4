#!/usr/bin/env bash
# deploy/pbs-local.sh: a real one-node OpenPBS on this host, for tests.
#
#   deploy/pbs-local.sh start [--preempt-order ORDER] [--kill-delay SECONDS]
#   deploy/pbs-local.sh stop
#   deploy/pbs-local.sh status
#
# Run as root, with an OpenPBS installed in PBS_EXEC (default /opt/pbs; build
# it from its public source with `./configure --prefix=/opt/pbs
# --with-python=/usr`: see docs/pbs.md). PBS_HOME is /var/spool/pbs, and
# /etc/pbs.conf is written by this script (an /etc/pbs.conf it did not write
# is refused, so a site's own PBS is never touched).
#
# OpenPBS refuses a host whose name resolves only to a loopback address, as
# this machine's does. The server, scheduler, pbs_comm and MoM therefore run
# under the name `pbs-local`, on an address of their own: a veth pair
# (stasispbs0/stasispbs1, 10.78.0.1/24) and a line in /etc/hosts, both
# removed by `stop`.
#
# `start` brings the daemons up (the first start creates the server's
# database with `pbs_server -t create`), makes the node and two queues,
# `workq` (the default) and `express` (priority 200, which preempts workq
# jobs with ORDER, default PBS's own "SCR"), waits until the node is free
# and prints one line. `stop` stops the daemons and the database by the pids
# in their lock files and waits until they are gone; a job still running is
# killed with its MoM. `status` exits 0 only when all four daemons run.
set -euo pipefail

PBS_EXEC=${PBS_EXEC:-/opt/pbs}
PBS_HOME=/var/spool/pbs
CONF=/etc/pbs.conf
HOST=pbs-local
ADDR=10.78.0.1
LINK=stasispbs0
PEER=stasispbs1
MARK="# stasis deploy/pbs-local.sh"
PREEMPT_ORDER=SCR
KILL_DELAY=
START_TIMEOUT=${STASIS_PBS_START_TIMEOUT:-90}
CLEAN_PATH=/usr/sbin:/usr/bin:/sbin:/bin

die() {
    echo "pbs-local: $*" >&2
    exit 1
}

usage() {
    echo "usage:" >&2
    sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^#//' >&2
    exit 2
}

pbs() { env -i PATH="$PBS_EXEC/bin:$PBS_EXEC/sbin:$CLEAN_PATH" PBS_CONF_FILE=$CONF "$@"; }
qmgr_c() { pbs "$PBS_EXEC/bin/qmgr" -c "$1"; }

# --- pids -------------------------------------------------------------------

# The daemons' lock files and the program each names. PBS leaves a lock
# file behind when its daemon ends, and its pid may be a new process's.
LOCKS=(server_priv/server.lock:pbs_server.bin sched_priv/sched.lock:pbs_sched
    mom_priv/mom.lock:pbs_mom server_priv/comm.lock:pbs_comm datastore/postmaster.pid:postgres)

# lock_pid LOCK:PROGRAM: the pid in the lock file, if that process runs
# PROGRAM. A zombie has ended: pid 1 reaps the daemons, seconds late here.
lock_pid() {
    local file=$PBS_HOME/${1%%:*} program=${1#*:} pid
    [[ -r $file ]] || return 0
    read -r pid <"$file" || true
    [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$program" ]] && alive "$pid" && echo "$pid"
    return 0
}

alive() { [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) =~ ^[^ZX]$ ]]; }

daemon_pids() {
    local lock
    for lock in "${LOCKS[@]}"; do
        lock_pid "$lock"
    done
}

wait_gone() {
    local deadline=$((SECONDS + $1)) pid
    shift
    for pid in "$@"; do
        # Until reaped, not only ended: pbs_init.d takes a zombie named in
        # a lock file for a running daemon and would not start it again.
        while [[ -d /proc/$pid ]]; do
            ((SECONDS < deadline)) || return 1
            sleep 0.2
        done
    done
}

# --- network name -----------------------------------------------------------

network_up() {
    if ! ip link show "$LINK" >/dev/null 2>&1; then
        ip link add "$LINK" type veth peer name "$PEER"
        ip addr add "$ADDR/24" dev "$LINK"
    fi
    ip link set "$LINK" up
    ip link set "$PEER" up
    grep -qF "$MARK" /etc/hosts || echo "$ADDR $HOST $MARK" >>/etc/hosts
}

network_down() {
    ! ip link show "$LINK" >/dev/null 2>&1 || ip link del "$LINK"
    if grep -qF "$MARK" /etc/hosts; then
        # /etc/hosts may be a bind mount: rewrite it in place, never replace it.
        local kept
        kept=$(grep -vF "$MARK" /etc/hosts)
        printf '%s\n' "$kept" >/etc/hosts
    fi
}

# --- configuration ----------------------------------------------------------

write_conf() {
    if [[ -e $CONF ]] && ! grep -qF "$MARK" "$CONF" && ! grep -qx "PBS_SERVER=$HOST" "$CONF"; then
        die "$CONF exists and was not written by this script; move it away first"
    fi
    cat >"$CONF" <<EOF
$MARK
PBS_EXEC=$PBS_EXEC
PBS_HOME=$PBS_HOME
PBS_SERVER=$HOST
PBS_SERVER_HOST_NAME=$HOST
PBS_MOM_NODE_NAME=$HOST
PBS_LEAF_NAME=$HOST
PBS_START_SERVER=1
PBS_START_SCHED=1
PBS_START_COMM=1
PBS_START_MOM=1
PBS_CORE_LIMIT=unlimited
PBS_SCP=/usr/bin/scp
EOF
}

# MoM copies a job's output back with cp: the submission host is this host.
write_mom_usecp() {
    local config=$PBS_HOME/mom_priv/config
    grep -qxF '$usecp *:/ /' "$config" 2>/dev/null || echo '$usecp *:/ /' >>"$config"
}

first_install() {
    if [[ ! -d $PBS_HOME/server_priv ]]; then
        pbs env PBS_SERVER=$HOST "$PBS_EXEC/libexec/pbs_postinstall" server >/dev/null
        write_conf
    fi
    # PBS's installer makes these setuid root (a user's qsub authenticates
    # through pbs_iff); a `make install` over it undoes that.
    chmod 4755 "$PBS_EXEC/sbin/pbs_iff" "$PBS_EXEC/sbin/pbs_rcp"
}

# --- start ------------------------------------------------------------------

wait_for() {
    local what=$1 deadline=$((SECONDS + START_TIMEOUT))
    shift
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            echo "pbs-local: $what within ${START_TIMEOUT}s; the server log says:" >&2
            tail -n 15 "$PBS_HOME/server_logs/$(date +%Y%m%d)" >&2 2>/dev/null || true
            stop_daemons
            network_down
            exit 1
        fi
        sleep 1
    done
}

server_answers() { pbs "$PBS_EXEC/bin/qstat" -B; }
node_free() { pbs "$PBS_EXEC/bin/pbsnodes" "$HOST" | grep -q 'state = free'; }

start_daemons() {
    pbs "$PBS_EXEC/libexec/pbs_init.d" start >/dev/null 2>&1 || true
    if ! server_answers >/dev/null 2>&1; then
        # A new database has no server yet: pbs_server exits at once until
        # it is created. -t create asks before it wipes; there is nothing to wipe.
        echo y | pbs "$PBS_EXEC/sbin/pbs_server" -t create >/dev/null 2>&1 || true
    fi
    wait_for "the server did not answer" server_answers
}

configure_server() {
    pbs "$PBS_EXEC/bin/pbsnodes" "$HOST" >/dev/null 2>&1 || qmgr_c "create node $HOST"
    qmgr_c "list queue workq" >/dev/null 2>&1 || qmgr_c "create queue workq queue_type=execution"
    qmgr_c "list queue express" >/dev/null 2>&1 || qmgr_c "create queue express queue_type=execution"
    qmgr_c "set queue workq enabled=true,started=true"
    qmgr_c "set queue express enabled=true,started=true,priority=200"
    qmgr_c "set server default_queue=workq"
    qmgr_c "set server job_history_enable=true"
    qmgr_c "set server scheduler_iteration=5"
    qmgr_c "set sched preempt_order=\"$PREEMPT_ORDER\""
    [[ -z $KILL_DELAY ]] || qmgr_c "set queue workq kill_delay=$KILL_DELAY"
}

start() {
    (($(id -u) == 0)) || die "run as root"
    [[ -x $PBS_EXEC/sbin/pbs_server ]] || die "no OpenPBS in PBS_EXEC=$PBS_EXEC (no sbin/pbs_server)"
    if [[ -n $(daemon_pids) ]]; then
        die "PBS already runs here (pids $(daemon_pids | tr '\n' ' ')); stop it first"
    fi
    network_up
    write_conf
    first_install
    write_mom_usecp
    start_daemons
    configure_server
    wait_for "node $HOST did not become free" node_free
    wait_for "not every daemon runs" status
    echo "pbs-local: OpenPBS from $PBS_EXEC runs as $HOST ($ADDR), queues workq and express (preempt_order $PREEMPT_ORDER)"
}

# --- stop -------------------------------------------------------------------

stop_daemons() {
    local pids
    mapfile -t pids < <(daemon_pids)
    ((${#pids[@]})) || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    if ! wait_gone 30 "${pids[@]}"; then
        kill -KILL "${pids[@]}" 2>/dev/null || true
        wait_gone 10 "${pids[@]}" || die "daemons ${pids[*]} would not end"
    fi
}

stop() {
    (($(id -u) == 0)) || die "run as root"
    stop_daemons
    network_down
}

status() {
    local lock pid missing=0
    for lock in "${LOCKS[@]:0:4}"; do
        pid=$(lock_pid "$lock")
        echo "${lock#*:}: ${pid:+pid }${pid:-not running}"
        [[ -n $pid ]] || missing=1
    done
    return $missing
}

(($#)) || usage
command=$1
shift
while (($#)); do
    case $1 in
        --preempt-order) PREEMPT_ORDER=${2:?}; shift 2 ;;
        --kill-delay) KILL_DELAY=${2:?}; shift 2 ;;
        *) usage ;;
    esac
done
[[ $PREEMPT_ORDER =~ ^[SCR]+$ ]] || die "--preempt-order takes letters of S, C, R: $PREEMPT_ORDER"
[[ -z $KILL_DELAY || $KILL_DELAY =~ ^[0-9]+$ ]] || die "--kill-delay takes seconds: $KILL_DELAY"
case $command in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
esac
