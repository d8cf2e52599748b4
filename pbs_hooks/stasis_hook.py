# stasis PBS hook (docs/pbs.md): one file, imported by pbs_hooks/install.sh
# as two hooks, `stasis_submit` (queuejob, on the server) and `stasis_exec`
# (execjob_launch, execjob_epilogue, on each MoM). It decides and records;
# everything that touches an image or a process is the `stasis` command's
# (`stasis run`, `stasis list --json`).
#
# Its configuration (`application/x-config`, written by install.sh) is JSON:
#   {"stasis": "/usr/bin/stasis", "settings": <`stasis config --json FILE`>}
# so the site's stasis.yaml is read by the one loader the engine uses.
#
# A hook that fails never stops a job that would otherwise run: every error
# is caught in main() and logged with the job id; only a bad `qsub -c` value
# or an unsupported request rejects a submission, with one line qsub prints.
import contextlib
import json
import math
import os
import pwd
import shlex
import subprocess
import time

import pbs

EXIT_REQUEUE = 75  # `stasis run`: checkpointed, please requeue (docs/run.md)
LAUNCH_SUFFIX = ".pbs-launch"  # beside the job's ROOT: its `stasis run` command line
SUBMITTED = "STASIS_PBS_SUBMITTED"  # in Variable_List: when the job was submitted


class Rejected(Exception):
    """A submission stasis refuses; the message is what qsub prints."""


# --- settings ----------------------------------------------------------------

def load_config(path):
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    if not isinstance(config.get("stasis"), str) or not isinstance(config.get("settings"), dict):
        raise ValueError("%s: expected {\"stasis\": PATH, \"settings\": {...}}" % path)
    return config


# --- qsub -c -----------------------------------------------------------------

CHECKPOINT_FORMS = "n, s, c, c=<minutes>, w or w=<minutes>"


def checkpoint_interval(value, settings):
    """What qsub -c VALUE asks of stasis: None (leave the job alone), 0 (only
    at preemption, shutdown and the time limit) or a period in seconds,
    raised to the site's min_interval. Raises Rejected for a value PBS's
    own meaning does not allow. VALUE is PBS's pbs.checkpoint, not a str."""
    value = str(value or "").strip()
    # qsub gives every job submitted without -c "u" (and refuses -c u itself).
    if value in ("", "n", "u"):
        return None
    if value == "s":
        return 0
    if value in ("c", "w"):
        return max(settings["default_interval"], settings["min_interval"])
    kind, eq, minutes = value.partition("=")
    if kind in ("c", "w") and eq and minutes.isdigit() and int(minutes) > 0:
        return max(int(minutes) * 60, settings["min_interval"])
    raise Rejected('stasis: bad -c value "%s": expected %s' % (value, CHECKPOINT_FORMS))


def normalized_checkpoint(value, interval):
    """The Checkpoint attribute qstat then shows: `c=M` or `w=M` raised to
    the site's min_interval (in whole minutes, as PBS counts them); any
    other value as given, so the launch hook reads the same request."""
    kind, eq, minutes = value.strip().partition("=")
    if not eq:
        return value
    raised = math.ceil(interval / 60)
    return value if raised == int(minutes) else "%s=%d" % (kind, raised)


def chunk_count(select):
    """Chunks of a select statement: `2:ncpus=4+1:mem=1gb` has 3."""
    count = 0
    for chunk in str(select).split("+"):
        head = chunk.split(":", 1)[0]
        count += int(head) if head.isdigit() else 1
    return count


def check_one_node(resources):
    select = resources["select"]
    nodes = resources["nodes"]
    if select is not None and chunk_count(select) > 1:
        raise Rejected("stasis: a checkpointed job on several chunks (select=%s) is not supported yet; "
                       "use one chunk or qsub -c n" % select)
    if nodes is not None and chunk_count(nodes) > 1:
        raise Rejected("stasis: a checkpointed job on several nodes (nodes=%s) is not supported yet; "
                       "use one node or qsub -c n" % nodes)


def on_queuejob(event, config):
    job = event.job
    value = job.Checkpoint
    interval = checkpoint_interval(value, config["settings"])
    if interval is None:
        return
    check_one_node(job.Resource_List)
    # A MoM's copy of a job has no ctime; its name needs one (job_name).
    job.Variable_List[SUBMITTED] = utc_text(time.time())
    shown = normalized_checkpoint(str(value), interval)
    if shown != str(value):
        job.Checkpoint = pbs.checkpoint(shown)
        pbs.logmsg(pbs.LOG_DEBUG, "stasis: qsub -c %s becomes %s (site settings)" % (value, shown))


# --- the job's command line --------------------------------------------------

def job_root(settings, job_id):
    return os.path.join(settings["checkpoint_dir"], job_id)


def utc_text(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def job_name(server, job_id, uid, submitted):
    """Kept by every generation (`stasis run --job`): the submission time
    tells a job id PBS gives out again from the first job that had it. A job
    queued before stasis was installed has none; its user's ownership of
    ROOT still keeps other users' generations out."""
    name = "pbs:%s:%s:uid=%d" % (server, job_id, uid)
    return name + ":submitted=" + submitted if submitted else name


def rerunable(job):
    """qsub -r: PBS's default is y."""
    value = job.Rerunable
    return value is None or str(value).strip().lower() in ("true", "t", "y", "1")


def stop_after(settings, job):
    """Seconds after the start when the agent checkpoints and ends the job so
    that it is rerun instead of killed at its walltime; None when it cannot."""
    walltime = job.Resource_List["walltime"]
    if walltime is None or not rerunable(job):
        return None
    at = int(walltime) - settings["walltime_margin"]
    return at if at > 0 else None


BOURNE_SHELLS = ("bash", "dash", "ksh", "mksh", "sh", "zsh")  # take -l for a login shell


def job_script(job_id):
    """MoM's copy of a job's script (OpenPBS src/resmom/start_exec.c)."""
    conf = pbs.get_pbs_conf()
    home = conf.get("PBS_MOM_HOME") or conf["PBS_HOME"]
    return os.path.join(home, "mom_priv", "jobs", job_id + ".SC")


def job_program(program, argv, script):
    """The job's command for `stasis run --`. A job given as a command
    (`qsub -- CMD ARG...`) is that command. For a job script, MoM starts the
    user's shell as a login shell with a pipe on stdin that holds the
    script's path: a restored shell would find the next run's pipe there,
    read the path again and run the script anew. So the shell gets the path
    as its command, the script /dev/null as stdin (what it read from the
    pipe: end of file), and, if it is a Bourne shell, -l to stay a login
    shell, with /etc/profile and `module`."""
    argv = [str(arg) for arg in (argv or [])]
    if argv and not (len(argv) == 1 and argv[0].startswith("-")):
        return [program] + argv[1:]
    if not os.path.isfile(script):
        raise ValueError("no job script at %s" % script)
    login = ["-l"] if os.path.basename(program) in BOURNE_SHELLS else []
    return [program] + login + ["-c", "exec %s </dev/null" % shlex.quote(script)]


def run_command(config, root, name, interval, stop, program):
    settings = config["settings"]
    command = [config["stasis"], "run", "--dir", root, "--job", name,
               "--interval", "%ds" % interval, "--keep", str(settings["keep"]),
               "--compress", settings["compression"],
               "--compress-level", str(settings["compression_level"]),
               "--log-level", settings["log_level"], "--keep-output",
               "--workers", str(settings["workers"])]
    if not settings["write_tracking"]:
        command.append("--no-write-tracking")
    if stop is not None:
        command += ["--stop-after", "%ds" % stop]
    return command + ["--"] + program


def prepare_root(settings, root, user):
    """The job's ROOT, private to its user, in the site's checkpoint_dir."""
    os.makedirs(settings["checkpoint_dir"], mode=0o755, exist_ok=True)
    try:
        os.mkdir(root, 0o700)
        os.chown(root, user.pw_uid, user.pw_gid)
    except FileExistsError:
        st = os.lstat(root)
        if not os.path.isdir(root) or os.path.islink(root) or st.st_uid != user.pw_uid:
            raise ValueError("%s exists and is not a directory of %s" % (root, user.pw_name))


def save_launch(root, command):
    """The command line, for MoM's restart action (pbs_hooks/stasis_action.py),
    which runs where no hook does. Root's, beside the user's ROOT."""
    path = root + LAUNCH_SUFFIX
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"".join(arg.encode() + b"\0" for arg in command))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


# --- the job record ----------------------------------------------------------

def latest_generation(stasis, root):
    """`stasis list --json ROOT`'s committed generation LATEST names, or None."""
    out = subprocess.run([stasis, "list", "--json", root], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=20, check=False)
    if out.returncode != 0:
        return None
    listing = json.loads(out.stdout)
    for gen in listing.get("generations", []):
        if gen.get("latest") and gen.get("status") == "committed":
            return gen
    return None


def restart_metadata(gen, root, name):
    """The same fields Slurm's AdminComment entry has (docs/slurm.md)."""
    return json.dumps({"bytes": gen["bytes"], "gen": gen["name"], "job": name, "nodes": 1,
                       "path": root, "time": gen["time"]}, sort_keys=True, separators=(",", ":"))


def record_generation(job, config, root, name):
    gen = latest_generation(config["stasis"], root)
    if gen is not None:
        job.resources_used["stasis"] = restart_metadata(gen, root, name)
    return gen


# --- MoM events --------------------------------------------------------------

def job_plan(event, config):
    """(root, name, interval, user) for a job stasis guards, or None."""
    job = event.job
    interval = checkpoint_interval(job.Checkpoint, config["settings"])
    if interval is None:
        return None
    user = pwd.getpwnam(str(job.euser))
    root = job_root(config["settings"], job.id)
    submitted = (job.Variable_List or {}).get(SUBMITTED)
    name = job_name(pbs.get_pbs_server_name(), job.id, user.pw_uid, submitted)
    return root, name, interval, user


def on_launch(event, config):
    job = event.job
    # The job script's own task; tasks a job starts with pbsdsh or
    # pbs_attach are parts of it, not jobs of their own.
    if not job.in_ms_mom() or str(event.env.get("PBS_TASKNUM", "1")) != "1":
        return
    plan = job_plan(event, config)
    if plan is None:
        return
    root, name, interval, user = plan
    program = job_program(event.progname, event.argv, job_script(job.id))
    prepare_root(config["settings"], root, user)
    stop = stop_after(config["settings"], job)
    if job.Resource_List["walltime"] is not None and stop is None:
        pbs.logjobmsg(job.id, "stasis: no checkpoint before the walltime (job not rerunnable, or "
                              "walltime within walltime_margin)")
    command = run_command(config, root, name, interval, stop, program)
    save_launch(root, command)
    event.progname = command[0]
    event.argv = command
    gen = record_generation(job, config, root, name)
    pbs.logjobmsg(job.id, "stasis: runs under stasis run in %s, interval %ds%s" % (
        root, interval, ", resuming from %s" % gen["name"] if gen else ""))


def on_epilogue(event, config):
    job = event.job
    if not job.in_ms_mom():
        return
    plan = job_plan(event, config)
    if plan is None:
        return
    root, name, _, _ = plan
    gen = record_generation(job, config, root, name)
    status = int(job.Exit_status) if job.Exit_status is not None else None
    if status != EXIT_REQUEUE:
        if status is not None and status >= 0:
            # The job ended by itself: no restart action will need its
            # command line. (PBS's own codes are negative: checkpointed, rerun, ...)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(root + LAUNCH_SUFFIX)
        return
    # 75 is the agent's "checkpointed, please requeue". Preemption, qrerun
    # and MoM's checkpoint requeue the job anyway; qdel must not. The agent
    # only ends a job by itself at --stop-after: the walltime.
    stop = stop_after(config["settings"], job)
    ran = time.time() - int(job.stime) if job.stime is not None else 0
    if gen is not None and stop is not None and ran >= stop:
        job.rerun()
        pbs.logjobmsg(job.id, "stasis: checkpointed %s before the walltime; rerun" % gen["name"])


def main():
    event = pbs.event()
    job_id = getattr(event.job, "id", "?")
    try:
        config = load_config(pbs.hook_config_filename)
        handler = {pbs.QUEUEJOB: on_queuejob, pbs.EXECJOB_LAUNCH: on_launch,
                   pbs.EXECJOB_EPILOGUE: on_epilogue}.get(event.type)
        if handler is not None:
            handler(event, config)
    except Rejected as rejected:
        event.reject(str(rejected))
    except SystemExit:
        raise
    except Exception as e:  # the boundary: log, and let the job run as PBS would
        pbs.logmsg(pbs.LOG_ERROR, "stasis hook %s, job %s: %s: %s" % (
            event.hook_name, job_id, type(e).__name__, e))
    event.accept()


# PBS runs a hook's file in a namespace of its own, not as a module; the unit
# tests import it as one (tests/pbs/unit/hook_test.py).
if __name__ != "stasis_hook":
    main()
