#!/usr/bin/python3
# MoM's checkpoint actions for stasis (docs/pbs.md). pbs_hooks/install.sh
# copies this file into PBS_HOME/mom_priv/stasis/ (root's, not writable by
# anyone else) and writes, in mom_priv/config:
#
#   $action checkpoint_abort T !.../stasis_action.py checkpoint_abort CHECKPOINT_DIR %jobid %sid
#   $action restart T !.../stasis_action.py restart CHECKPOINT_DIR %jobid
#   $restart_transmogrify true
#
# MoM runs both as root. checkpoint_abort: PBS preempts (preempt_order C),
# holds or reruns a job by checkpoint; the job's first task is `stasis run`
# (the launch hook made it so), which on SIGTERM checkpoints, ends the job
# and exits 75. This waits for that and succeeds only when a new generation
# was committed, so MoM never believes in a checkpoint that did not happen.
# restart: the checkpointed job's next run. MoM runs this instead of the
# job script and it becomes the job's task: it turns into the job's user
# and runs the command line the launch hook saved, whose `stasis run`
# resumes the job from its newest generation.
#
# MoM gives actions no stdout or stderr: what this says goes to
# CHECKPOINT_DIR/JOBID.pbs-actions.log.
import json
import os
import pwd
import signal
import subprocess
import sys
import time

LAUNCH_SUFFIX = ".pbs-launch"  # written by stasis_hook.py's launch hook
LOG_SUFFIX = ".pbs-actions.log"


def say(log, job_id, text):
    log.write("%s stasis %s: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), job_id, text))
    log.flush()


def launch_command(checkpoint_dir, job_id):
    """The launch hook's `stasis run` command line. Only trusted as root's:
    it is run as the job's user, but a file anyone else could write would
    let them choose what that user runs."""
    path = os.path.join(checkpoint_dir, job_id + LAUNCH_SUFFIX)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_uid != 0 or st.st_mode & 0o022:
            raise ValueError("%s is not root's alone" % path)
        fields = f.read().split(b"\0")
    return [arg.decode() for arg in fields[:-1]]


def latest(stasis, root):
    out = subprocess.run([stasis, "list", "--json", root], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=60, check=False)
    return json.loads(out.stdout).get("latest") if out.returncode == 0 else None


def running(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def checkpoint_abort(log, checkpoint_dir, job_id, sid):
    command = launch_command(checkpoint_dir, job_id)
    stasis, root = command[0], os.path.join(checkpoint_dir, job_id)
    if os.path.realpath("/proc/%d/exe" % sid) != os.path.realpath(stasis):
        say(log, job_id, "task %d is not stasis run; cannot checkpoint" % sid)
        return 1
    before = latest(stasis, root)
    say(log, job_id, "checkpointing: SIGTERM to stasis run (pid %d); newest generation %s" % (sid, before))
    os.kill(sid, signal.SIGTERM)
    while running(sid):  # MoM's action timeout bounds this
        time.sleep(0.2)
    after = latest(stasis, root)
    if after is None or after == before:
        say(log, job_id, "no new generation was committed (newest: %s)" % after)
        return 1
    say(log, job_id, "committed %s; the job has ended" % after)
    return 0


def become_job_user():
    """MoM's environment for an action names the job's user and group."""
    user = pwd.getpwnam(os.environ["LOGNAME"])
    gid = int(os.environ.get("GID", user.pw_gid))
    os.initgroups(user.pw_name, gid)
    os.setgid(gid)
    os.setuid(user.pw_uid)
    os.chdir(user.pw_dir)


def restart(log, checkpoint_dir, job_id):
    command = launch_command(checkpoint_dir, job_id)
    say(log, job_id, "restarting: %s" % " ".join(command[:3]))
    # The agent and the job need fds 0-2 open: whatever the job had there
    # comes back from its image.
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(log.fileno(), 2)
    become_job_user()
    os.environ["PATH"] = "/usr/bin:/bin"
    os.execv(command[0], command)


def main(argv):
    if len(argv) < 4 or argv[1] not in ("checkpoint_abort", "restart"):
        sys.stderr.write("usage: stasis_action.py checkpoint_abort CHECKPOINT_DIR JOBID SID\n"
                         "       stasis_action.py restart CHECKPOINT_DIR JOBID\n")
        return 2
    action, checkpoint_dir, job_id = argv[1:4]
    log = open(os.path.join(checkpoint_dir, job_id + LOG_SUFFIX), "a", encoding="utf-8")
    try:
        if action == "checkpoint_abort":
            return checkpoint_abort(log, checkpoint_dir, job_id, int(argv[4]))
        return restart(log, checkpoint_dir, job_id)
    except Exception as e:  # one line in the log, and MoM sees the action fail
        say(log, job_id, "%s failed: %s: %s" % (action, type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
