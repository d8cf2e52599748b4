#!/usr/bin/env bash
# pbs_hooks/install.sh [--config FILE] [--checkpoint-timeout SECONDS]
# pbs_hooks/install.sh --uninstall
#
# Installs stasis into an OpenPBS / PBS Professional complex (docs/pbs.md).
# Run as root on the server host, with PBS_EXEC set (or /etc/pbs.conf naming
# it). It
#   - checks FILE (default /etc/stasis/stasis.yaml) with `stasis config`, the
#     loader the engine uses, and imports its settings as the hooks' config;
#   - creates the job resource `stasis` (type string) that holds the restart
#     metadata in `resources_used.stasis`;
#   - creates and imports the hooks stasis_submit (queuejob) and stasis_exec
#     (execjob_launch, execjob_epilogue), both from stasis_hook.py;
#   - when a MoM runs on this host: copies stasis_action.py into
#     PBS_HOME/mom_priv/stasis/ and writes MoM's `$action checkpoint_abort`,
#     `$action restart` and `$restart_transmogrify` lines into
#     mom_priv/config, between two marker lines, then has MoM reread it.
#     Other MoMs get the same lines: the script prints them.
# Running it again replaces what it installed; --uninstall removes it all.
# The `stasis` command is STASIS if set, else the one installed beside
# this directory (PREFIX/share/stasis/pbs_hooks -> PREFIX/bin/stasis), else
# the one on PATH.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONFIG=/etc/stasis/stasis.yaml
CHECKPOINT_TIMEOUT=600
UNINSTALL=0
BEGIN_MARK="# stasis: begin (pbs_hooks/install.sh)"
END_MARK="# stasis: end"

die() {
    echo "stasis install.sh: $*" >&2
    exit 1
}

while (($#)); do
    case $1 in
        --config) CONFIG=${2:?--config takes a file}; shift 2 ;;
        --checkpoint-timeout) CHECKPOINT_TIMEOUT=${2:?}; shift 2 ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h | --help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "stasis install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $CHECKPOINT_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--checkpoint-timeout takes seconds: $CHECKPOINT_TIMEOUT"
(($(id -u) == 0)) || die "run as root"

# PBS_EXEC and PBS_HOME as PBS's own commands find them.
PBS_CONF=${PBS_CONF_FILE:-/etc/pbs.conf}
conf_value() { [[ -r $PBS_CONF ]] && sed -n "s/^$1=//p" "$PBS_CONF" | tail -n1; }
PBS_EXEC=${PBS_EXEC:-$(conf_value PBS_EXEC)}
PBS_HOME=${PBS_HOME:-$(conf_value PBS_HOME)}
[[ -n $PBS_EXEC && -x $PBS_EXEC/bin/qmgr ]] || die "PBS_EXEC is not set or has no bin/qmgr (${PBS_EXEC:-unset})"

qmgr_c() { "$PBS_EXEC/bin/qmgr" -c "$1"; }
exists() { qmgr_c "list $1" >/dev/null 2>&1; }

find_stasis() {
    local candidate
    for candidate in "${STASIS:-}" "$HERE/../../../bin/stasis" "$(command -v stasis || true)"; do
        if [[ -n $candidate && -x $candidate ]]; then
            readlink -f "$candidate"
            return
        fi
    done
    die "no stasis command: install stasis (docs/pbs.md) or set STASIS"
}

# --- MoM's config --------------------------------------------------------------

mom_config() { echo "$PBS_HOME/mom_priv/config"; }
mom_here() { [[ -n $PBS_HOME && -d $PBS_HOME/mom_priv ]]; }

# remove_mom_block: mom_priv/config without the lines between our marks.
remove_mom_block() {
    local config kept
    config=$(mom_config)
    [[ -f $config ]] || return 0
    kept=$(sed "/^$BEGIN_MARK\$/,/^$END_MARK\$/d" "$config")
    printf '%s\n' "$kept" >"$config"
}

mom_lines() {
    local action=$1 checkpoint_dir=$2
    echo "\$action checkpoint_abort $CHECKPOINT_TIMEOUT !$action checkpoint_abort $checkpoint_dir %jobid %sid"
    echo "\$action restart 60 !$action restart $checkpoint_dir %jobid"
    echo "\$restart_transmogrify true"
}

reload_mom() {
    local pid
    read -r pid <"$PBS_HOME/mom_priv/mom.lock" 2>/dev/null || return 0
    [[ $pid =~ ^[0-9]+$ ]] && kill -HUP "$pid" 2>/dev/null && echo "  MoM (pid $pid) rereads its config"
    return 0
}

# --- install / uninstall -------------------------------------------------------

uninstall_all() {
    local hook
    for hook in stasis_submit stasis_exec; do
        ! exists "hook $hook" || { qmgr_c "delete hook $hook" && echo "  deleted hook $hook"; }
    done
    if exists "resource stasis"; then
        qmgr_c "delete resource stasis" >/dev/null 2>&1 && echo "  deleted resource stasis" ||
            echo "  kept resource stasis: jobs still refer to it"
    fi
    if mom_here; then
        remove_mom_block
        rm -rf "$PBS_HOME/mom_priv/stasis"
        echo "  removed the stasis lines from $(mom_config)"
        reload_mom
    fi
}

import_hook() {
    local hook=$1 events=$2 settings=$3
    exists "hook $hook" || qmgr_c "create hook $hook"
    qmgr_c "set hook $hook event = \"$events\""
    qmgr_c "set hook $hook enabled = true"
    qmgr_c "import hook $hook application/x-python default $HERE/stasis_hook.py"
    qmgr_c "import hook $hook application/x-config default $settings"
    echo "  hook $hook: $events"
}

install_all() {
    local stasis settings checkpoint_dir tmp action
    stasis=$(find_stasis)
    settings=$("$stasis" config --json "$CONFIG") || die "$CONFIG is refused (the line above says why)"
    checkpoint_dir=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["checkpoint_dir"])' "$settings")
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    printf '{"stasis": "%s", "settings": %s}\n' "$stasis" "$settings" >"$tmp/stasis.json"

    echo "stasis: installing into PBS at $PBS_EXEC (stasis: $stasis, settings: $CONFIG)"
    exists "resource stasis" || { qmgr_c "create resource stasis type=string" && echo "  created resource stasis"; }
    import_hook stasis_submit queuejob "$tmp/stasis.json"
    import_hook stasis_exec "execjob_launch,execjob_epilogue" "$tmp/stasis.json"
    install -d -m 0755 "$checkpoint_dir"

    action=$PBS_HOME/mom_priv/stasis/stasis_action.py
    if mom_here; then
        install -d -m 0755 -o root -g root "$PBS_HOME/mom_priv/stasis"
        install -m 0755 -o root -g root "$HERE/stasis_action.py" "$action"
        remove_mom_block
        {
            echo "$BEGIN_MARK"
            mom_lines "$action" "$checkpoint_dir"
            echo "$END_MARK"
        } >>"$(mom_config)"
        echo "  MoM actions in $(mom_config) ($action)"
        reload_mom
    fi
    echo "stasis: on every other MoM host, copy $HERE/stasis_action.py to $action (root's, mode 0755)"
    echo "  and add to its mom_priv/config, then HUP that MoM:"
    mom_lines "$action" "$checkpoint_dir" | sed 's/^/    /'
}

if ((UNINSTALL)); then
    echo "stasis: uninstalling from PBS at $PBS_EXEC"
    uninstall_all
else
    install_all
fi
