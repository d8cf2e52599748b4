# A stand-in for the `pbs` module that PBS gives a hook, so that the hook's
# logic can be tested where no PBS is installed. It follows the documented
# hook API (OpenPBS's src/modules/python/pbs/v1, the PBS Professional Hooks
# Guide), only as much of it as pbs_hooks/stasis_hook.py uses, and it
# records what a hook did (accepted, rejected with which message, rerun, the
# lines it logged) for hook_test.py to check.
#
# Where the real module's types can trip a hook up, the stand-in keeps them:
# a job's Checkpoint is a pbs.checkpoint (its text is str() of it, it has no
# str methods) and only a pbs.checkpoint can be assigned to it; walltime is a
# pbs.duration, select a pbs.select, Rerunable a pbs.pbs_bool; a job has the
# attributes PBS names (Exit_status, not exit_status) and no others; a
# resource that is not set reads None.

QUEUEJOB = 1
EXECJOB_LAUNCH = 2048
EXECJOB_EPILOGUE = 256

LOG_DEBUG = 5
LOG_WARNING = 6
LOG_ERROR = 7


class BadAttributeValueTypeError(Exception):
    pass


class UnsetAttributeNameError(Exception):
    pass


class _Text:
    """An attribute value that is not a Python str: only str() reads it.
    Like PBS's, two of them are equal only when they are the same object."""

    def __init__(self, value):
        self._value = str(value)

    def __str__(self):
        return self._value

    __repr__ = __str__


class checkpoint(_Text):
    pass


class select(_Text):
    pass


class duration(int):
    """Seconds; made from an int or from [[H:]M:]S."""

    def __new__(cls, value):
        seconds = 0
        for field in str(value).split(":"):
            seconds = seconds * 60 + int(field)
        return int.__new__(cls, seconds)


class pbs_bool(_Text):
    """qsub -r's y/n as PBS holds it: str() is "1" or "0"."""

    def __init__(self, value):
        super().__init__("1" if str(value).lower() in ("true", "t", "y", "1") else "0")

    def __bool__(self):
        return str(self) == "1"


class _Resources(dict):
    def __missing__(self, name):
        return None


class job:
    # A MoM's copy of a job has no ctime (seen with OpenPBS 23.06): it is
    # left out here, so a hook that reads it fails as it would there.
    _ATTRIBUTES = ("id", "Checkpoint", "Resource_List", "resources_used", "Variable_List",
                   "euser", "stime", "Rerunable", "Exit_status")

    def __init__(self, id, ms_mom=True, **attributes):
        object.__setattr__(self, "_ms_mom", ms_mom)
        object.__setattr__(self, "_rerun", False)
        for name in self._ATTRIBUTES:
            object.__setattr__(self, name, None)
        self.id = id
        self.Resource_List = _Resources(attributes.pop("Resource_List", {}))
        self.resources_used = _Resources(attributes.pop("resources_used", {}))
        # The job's environment: a dict in PBS too (pbs.pbs_env).
        self.Variable_List = dict(attributes.pop("Variable_List", {}))
        for name, value in attributes.items():
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if name not in self._ATTRIBUTES:
            raise UnsetAttributeNameError("no job attribute %r" % name)
        if name == "Checkpoint" and value is not None and not isinstance(value, checkpoint):
            raise BadAttributeValueTypeError("Checkpoint takes a pbs.checkpoint, not %s"
                                             % type(value).__name__)
        object.__setattr__(self, name, value)

    def in_ms_mom(self):
        return self._ms_mom

    def rerun(self):
        if _current is None or _current.type not in (EXECJOB_LAUNCH, EXECJOB_EPILOGUE):
            raise NotImplementedError("rerun() is for MoM hooks")
        object.__setattr__(self, "_rerun", True)

    @property
    def rerun_requested(self):
        return self._rerun


class _Event:
    def __init__(self, type, job, hook_name, progname, argv, env):
        self.type = type
        self.job = job
        self.hook_name = hook_name
        # Only an execjob_launch event has these.
        if type == EXECJOB_LAUNCH:
            self.progname = progname
            self.argv = list(argv)
            self.env = dict(env)
        self.accepted = False
        self.rejected = False
        self.reject_msg = None

    def accept(self):
        self.accepted = True
        raise SystemExit(0)

    def reject(self, msg=""):
        self.rejected = True
        self.reject_msg = msg
        raise SystemExit(255)


hook_config_filename = None
server_name = "pbs-test"
server_log = []  # (level, message) of each logmsg
job_log = []  # (job id, message) of each logjobmsg
_current = None


def event():
    return _current


def logmsg(level, msg):
    server_log.append((level, msg))


def logjobmsg(jobid, msg):
    job_log.append((str(jobid), msg))


def get_pbs_server_name():
    return server_name


pbs_conf = {"PBS_HOME": "/var/spool/pbs"}  # a test points PBS_HOME at a directory of its own


def get_pbs_conf():
    return dict(pbs_conf)


def new_event(type, job, hook_name, progname=None, argv=(), env=None):
    """Not PBS's: what PBS does before it runs a hook. The event pbs.event()
    returns from now on, with empty logs."""
    global _current
    _current = _Event(type, job, hook_name, progname, argv, env or {})
    del server_log[:]
    del job_log[:]
    return _current
