# Unit tests of the PBS hook's logic (pbs_hooks/stasis_hook.py) and of the
# restart action's trust check (pbs_hooks/stasis_action.py), with the
# stand-in `pbs` module beside this file: no PBS needed, as root or not.
#
#   cd tests/pbs/unit && python3 -m unittest -v hook_test
import calendar
import importlib.util
import json
import os
import pwd
import re
import stat
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HOOKS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "pbs_hooks"))

# The source tree may be read-only or shared: leave no __pycache__ in it.
sys.dont_write_bytecode = True
# HERE first: the hook's `import pbs` must find the stand-in.
sys.path[:0] = [HERE, HOOKS]
import pbs  # noqa: E402
import stasis_hook  # noqa: E402

_spec = importlib.util.spec_from_file_location("stasis_action", os.path.join(HOOKS, "stasis_action.py"))
stasis_action = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stasis_action)

Rejected = stasis_hook.Rejected

# Not the defaults, so that a setting the hook leaves out shows.
SETTINGS = {"checkpoint_dir": "/var/spool/stasis", "keep": 3, "compression": "zstd",
            "compression_level": 4, "min_interval": 300, "default_interval": 1800,
            "walltime_margin": 300, "log_level": "debug", "workers": 2, "write_tracking": False}
FORMS = {"n", "s", "c", "c=<minutes>", "w", "w=<minutes>"}
GENERATION = {"name": "gen-000002", "number": 2, "status": "committed", "time": "2026-11-30T10:00:00Z",
              "bytes": 1234, "latest": True}


def settings(**changes):
    return dict(SETTINGS, **changes)


def names(message, value):
    """The message shows VALUE as a word of its own, not inside another."""
    return re.search(r"(^|[\s\"'`(])" + re.escape(value) + r"($|[\s\"'`),:;])", message) is not None


def make_job(checkpoint=None, **attributes):
    if checkpoint is not None:
        attributes["Checkpoint"] = pbs.checkpoint(checkpoint)
    return pbs.job("12.pbs-test", **attributes)


class CheckpointIntervalTest(unittest.TestCase):
    def test_no_checkpointing(self):
        # " ": qsub strips the blanks before a -c value, so it is -c "".
        for value in (None, "", "n", " "):
            with self.subTest(value=value):
                self.assertIsNone(stasis_hook.checkpoint_interval(value, SETTINGS))

    def test_s_is_only_at_preemption_shutdown_and_walltime(self):
        self.assertEqual(stasis_hook.checkpoint_interval("s", SETTINGS), 0)

    def test_c_and_w_take_the_site_default(self):
        for value in ("c", "w"):
            with self.subTest(value=value):
                self.assertEqual(stasis_hook.checkpoint_interval(value, SETTINGS), 1800)
                self.assertEqual(stasis_hook.checkpoint_interval(value, settings(min_interval=3600)), 3600)

    def test_u_is_a_job_submitted_without_c(self):
        # qsub sets Checkpoint=u on every job submitted without -c and
        # refuses `-c u` itself (OpenPBS src/cmds/qsub.c), so "u" is "the user
        # asked nothing". As "c" it would put every job of the complex under
        # stasis run and reject every multi-chunk job submitted without -c.
        self.assertIsNone(stasis_hook.checkpoint_interval("u", SETTINGS))

    def test_minutes_raised_to_min_interval(self):
        for value, seconds in (("c=10", 600), ("w=45", 2700), ("c=1", 300), ("w=2", 300)):
            with self.subTest(value=value):
                self.assertEqual(stasis_hook.checkpoint_interval(value, SETTINGS), seconds)

    def test_checkpoint_attribute_as_pbs_gives_it(self):
        # PBS gives a hook job.Checkpoint as a pbs.checkpoint, which is no
        # str (checked with OpenPBS 23.06's pbs_python --hook): str methods
        # on it end every event in an AttributeError, caught and logged, and
        # no job would run under stasis.
        self.assertEqual(stasis_hook.checkpoint_interval(pbs.checkpoint("c=10"), SETTINGS), 600)
        self.assertIsNone(stasis_hook.checkpoint_interval(pbs.checkpoint("n"), SETTINGS))

    def test_bad_values_rejected_with_one_line(self):
        for value in ("x", "c=", "c=0", "c=-5", "c=5x", "w=abc", "cc"):
            with self.subTest(value=value):
                with self.assertRaises(Rejected) as raised:
                    stasis_hook.checkpoint_interval(value, SETTINGS)
                message = str(raised.exception)
                self.assertNotIn("\n", message)
                self.assertTrue(message.startswith("stasis: "), message)
                self.assertTrue(names(message, value), message)
                # Without the option's own name: "-c" is no form.
                shown = set(re.findall(r"\b[a-z]=<minutes>|\b[a-z]\b(?!=)", re.sub(r"-c\b", "", message)))
                self.assertLessEqual(FORMS, shown, message)


class NormalizedCheckpointTest(unittest.TestCase):
    def shown(self, value):
        return stasis_hook.normalized_checkpoint(value, stasis_hook.checkpoint_interval(value, SETTINGS))

    def test_minutes_below_min_interval_show_what_the_job_gets(self):
        self.assertEqual(self.shown("c=1"), "c=5")
        self.assertEqual(self.shown("w=2"), "w=5")

    def test_other_values_show_as_given(self):
        for value in ("c=10", "w=45", "c", "w", "s"):
            with self.subTest(value=value):
                self.assertEqual(self.shown(value), value)

    def test_launch_reads_the_same_request(self):
        for value in ("c=1", "w=2", "c=10", "c", "w", "s"):
            with self.subTest(value=value):
                self.assertEqual(stasis_hook.checkpoint_interval(self.shown(value), SETTINGS),
                                 stasis_hook.checkpoint_interval(value, SETTINGS))


class OneNodeTest(unittest.TestCase):
    def test_chunk_count(self):
        for select, chunks in (("1:ncpus=2", 1), ("ncpus=4", 1), ("2:ncpus=1", 2),
                               ("1:ncpus=1+1:ncpus=1", 2), ("2:ncpus=4+1:mem=1gb", 3),
                               (pbs.select("3:ncpus=1"), 3)):
            with self.subTest(select=select):
                self.assertEqual(stasis_hook.chunk_count(select), chunks)

    def check(self, **resources):
        stasis_hook.check_one_node(make_job(Resource_List=resources).Resource_List)

    def test_one_node_accepted(self):
        self.check()
        self.check(select=pbs.select("1:ncpus=2"))
        self.check(nodes="1:ppn=4")

    def test_several_rejected_with_one_line(self):
        for resources in ({"select": pbs.select("2:ncpus=1")},
                          {"select": pbs.select("1:ncpus=1+1:ncpus=1")},
                          {"nodes": "2"}):
            with self.subTest(resources=resources):
                with self.assertRaises(Rejected) as raised:
                    self.check(**resources)
                message = str(raised.exception)
                self.assertNotIn("\n", message)
                self.assertTrue(message.startswith("stasis: "), message)
                self.assertIn("qsub -c n", message)

    def test_nodes_with_several_parts_rejected(self):
        # nodes=1+1 and nodes=hostA+hostB are two nodes, not one.
        # The queuejob hook sees nodes as qsub gave it: the server turns it
        # into select only later (OpenPBS src/server/svr_jobfunc.c).
        for nodes in ("1:ppn=2+1:ppn=2", "hostA+hostB"):
            with self.subTest(nodes=nodes):
                with self.assertRaises(Rejected):
                    self.check(nodes=nodes)


class StopAfterTest(unittest.TestCase):
    def stop(self, walltime, **attributes):
        job = make_job(Resource_List={} if walltime is None else {"walltime": pbs.duration(walltime)},
                       **attributes)
        return stasis_hook.stop_after(SETTINGS, job)

    def test_walltime_less_the_margin(self):
        self.assertEqual(self.stop("01:00:00"), 3300)
        self.assertEqual(self.stop(3600, Rerunable=pbs.pbs_bool("y")), 3300)

    def test_none_without_walltime(self):
        self.assertIsNone(self.stop(None))

    def test_none_when_not_rerunable(self):
        # As PBS gives it (qsub -r n) and as plain values.
        for value in (pbs.pbs_bool("n"), pbs.pbs_bool(False), False, "False", "n"):
            with self.subTest(Rerunable=value):
                self.assertIsNone(self.stop(3600, Rerunable=value))

    def test_none_when_walltime_within_margin(self):
        for walltime in (300, 200):
            with self.subTest(walltime=walltime):
                self.assertIsNone(self.stop(walltime))


class CommandTest(unittest.TestCase):
    CONFIG = {"stasis": "/opt/stasis/bin/stasis", "settings": SETTINGS}

    def test_run_command_passes_every_setting(self):
        command = stasis_hook.run_command(self.CONFIG, "/ck/12.srv", "pbs:srv:12.srv", 600, 3300,
                                          ["/home/u/sim", "--steps", "10", "a b"])
        self.assertEqual(command, [
            "/opt/stasis/bin/stasis", "run", "--dir", "/ck/12.srv", "--job", "pbs:srv:12.srv",
            "--interval", "600s", "--keep", "3", "--compress", "zstd", "--compress-level", "4",
            "--log-level", "debug", "--keep-output", "--workers", "2", "--no-write-tracking", "--stop-after", "3300s",
            "--", "/home/u/sim", "--steps", "10", "a b"])

    def test_no_stop_after_without_one(self):
        command = stasis_hook.run_command(self.CONFIG, "/ck/12.srv", "pbs:srv:12.srv", 0, None,
                                          ["/home/u/sim"])
        self.assertNotIn("--stop-after", command)
        self.assertEqual(command[command.index("--interval") + 1], "0s")
        self.assertEqual(command[command.index("--"):], ["--", "/home/u/sim"])

    def test_job_name_in_utc(self):
        # The name must not change with the MoM's time zone: a resume
        # refuses a generation that records another name.
        old = os.environ.get("TZ")
        os.environ["TZ"] = "Asia/Tokyo"
        time.tzset()
        try:
            submitted = stasis_hook.utc_text(1764496800)
        finally:
            if old is None:
                del os.environ["TZ"]
            else:
                os.environ["TZ"] = old
            time.tzset()
        self.assertEqual(submitted, "2025-11-30T10:00:00Z")
        self.assertEqual(stasis_hook.job_name("srv", "12.srv", 1000, submitted),
                         "pbs:srv:12.srv:uid=1000:submitted=2025-11-30T10:00:00Z")

    def test_job_name_of_a_job_queued_before_stasis(self):
        self.assertEqual(stasis_hook.job_name("srv", "12.srv", 1000, None), "pbs:srv:12.srv:uid=1000")

    def test_restart_metadata(self):
        self.assertEqual(stasis_hook.restart_metadata(GENERATION, "/ck/12.srv", "pbs:srv:12.srv"),
                         '{"bytes":1234,"gen":"gen-000002","job":"pbs:srv:12.srv","nodes":1,'
                         '"path":"/ck/12.srv","time":"2026-11-30T10:00:00Z"}')


def fake_stasis(directory, generations=(GENERATION,), exit_status=0):
    """A `stasis` whose `list --json ROOT` lists GENERATIONS; any other call
    fails, so that a hook that asks otherwise records nothing."""
    listing = os.path.join(directory, "listing.json")
    latest = [gen["name"] for gen in generations if gen["latest"]]
    with open(listing, "w") as f:
        json.dump({"root": directory, "latest": latest[0] if latest else None,
                   "generations": list(generations)}, f)
    path = os.path.join(directory, "stasis")
    with open(path, "w") as f:
        f.write('#!/bin/sh\n[ "$1" = list ] && [ "$2" = --json ] && [ -d "$3" ] || exit 2\n'
                'cat "%s"\nexit %d\n' % (listing, exit_status))
    os.chmod(path, 0o755)
    return path


class LatestGenerationTest(unittest.TestCase):
    """What the job record (resources_used.stasis) may name: only a
    generation a resume can start from."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def test_committed_latest(self):
        stasis = fake_stasis(self.dir)
        self.assertEqual(stasis_hook.latest_generation(stasis, self.dir), GENERATION)

    def test_none_when_latest_is_not_committed(self):
        older = dict(GENERATION, latest=False)
        corrupt = dict(GENERATION, name="gen-000003", number=3, status="corrupt",
                       problem="manifest checksum mismatch")
        stasis = fake_stasis(self.dir, generations=(older, corrupt))
        self.assertIsNone(stasis_hook.latest_generation(stasis, self.dir))

    def test_none_when_stasis_list_fails(self):
        stasis = fake_stasis(self.dir, exit_status=1)
        self.assertIsNone(stasis_hook.latest_generation(stasis, self.dir))


class HookEventTest(unittest.TestCase):
    """Whole events through main(), as PBS runs the hook."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.stasis = fake_stasis(self.tmp)
        self.checkpoint_dir = os.path.join(self.tmp, "spool", "stasis")
        self.config = {"stasis": self.stasis, "settings": settings(checkpoint_dir=self.checkpoint_dir)}
        pbs.hook_config_filename = os.path.join(self.tmp, "stasis_hook.CF")
        self.write_config(json.dumps(self.config))
        self.user = pwd.getpwuid(os.getuid())
        pbs.pbs_conf["PBS_HOME"] = os.path.join(self.tmp, "pbs_home")

    def write_config(self, text):
        with open(pbs.hook_config_filename, "w") as f:
            f.write(text)

    def run_hook(self, type, job, **params):
        name = "stasis_submit" if type == pbs.QUEUEJOB else "stasis_exec"
        event = pbs.new_event(type, job, name, **params)
        with self.assertRaises(SystemExit):
            stasis_hook.main()
        return event

    def errors(self):
        return [msg for level, msg in pbs.server_log if level == pbs.LOG_ERROR]

    def assert_accepted_cleanly(self, event):
        self.assertTrue(event.accepted)
        self.assertFalse(event.rejected)
        self.assertEqual(self.errors(), [])

    # --- queuejob ---

    def test_bad_c_rejected_with_one_line(self):
        event = self.run_hook(pbs.QUEUEJOB, make_job("c=0"))
        self.assertTrue(event.rejected)
        self.assertFalse(event.accepted)
        self.assertNotIn("\n", event.reject_msg)
        self.assertTrue(event.reject_msg.startswith("stasis: "), event.reject_msg)
        self.assertTrue(names(event.reject_msg, "c=0"), event.reject_msg)

    def test_good_c_accepted_and_normalized(self):
        # PBS takes only a pbs.checkpoint for job.Checkpoint and raises
        # BadAttributeValueTypeError for a str (OpenPBS 23.06's pbs_python
        # --hook), so qstat never shows the raised interval.
        job = make_job("c=1")
        event = self.run_hook(pbs.QUEUEJOB, job)
        self.assert_accepted_cleanly(event)
        self.assertIsInstance(job.Checkpoint, pbs.checkpoint)
        self.assertEqual(str(job.Checkpoint), "c=5")

    def test_submission_time_kept_for_the_job_name(self):
        job = make_job("c=10")
        before = time.time()
        self.assert_accepted_cleanly(self.run_hook(pbs.QUEUEJOB, job))
        submitted = job.Variable_List[stasis_hook.SUBMITTED]
        at = calendar.timegm(time.strptime(submitted, "%Y-%m-%dT%H:%M:%SZ"))
        self.assertLessEqual(abs(at - before), 2)

    def test_good_c_left_as_given(self):
        job = make_job("c=10")
        self.assert_accepted_cleanly(self.run_hook(pbs.QUEUEJOB, job))
        self.assertEqual(str(job.Checkpoint), "c=10")

    def test_several_chunks_rejected(self):
        job = make_job("c=10", Resource_List={"select": pbs.select("2:ncpus=1")})
        event = self.run_hook(pbs.QUEUEJOB, job)
        self.assertTrue(event.rejected)
        self.assertNotIn("\n", event.reject_msg)
        self.assertTrue(event.reject_msg.startswith("stasis: "), event.reject_msg)

    def test_no_c_leaves_the_job_alone(self):
        job = make_job(Resource_List={"select": pbs.select("2:ncpus=1")})
        self.assert_accepted_cleanly(self.run_hook(pbs.QUEUEJOB, job))
        self.assertIsNone(job.Checkpoint)

    def test_qsub_without_c_leaves_the_job_alone(self):
        # What qsub sends without -c is Checkpoint=u (see
        # test_u_is_a_job_submitted_without_c).
        job = make_job("u", Resource_List={"select": pbs.select("2:ncpus=1")})
        self.assert_accepted_cleanly(self.run_hook(pbs.QUEUEJOB, job))
        self.assertEqual(str(job.Checkpoint), "u")

    def test_c_n_on_several_chunks_accepted(self):
        job = make_job("n", Resource_List={"select": pbs.select("2:ncpus=1")})
        self.assert_accepted_cleanly(self.run_hook(pbs.QUEUEJOB, job))

    def test_broken_config_never_rejects(self):
        for name, text in (("missing", None), ("bad JSON", "{\"stasis\": "),
                           ("wrong shape", json.dumps({"stasis": 1}))):
            with self.subTest(config=name):
                if text is None:
                    os.unlink(pbs.hook_config_filename)
                else:
                    self.write_config(text)
                # Even a -c the hook would refuse: without the site's
                # settings it cannot judge one.
                event = self.run_hook(pbs.QUEUEJOB, make_job("c=0"))
                self.assertTrue(event.accepted)
                self.assertFalse(event.rejected)
                errors = self.errors()
                self.assertEqual(len(errors), 1, pbs.server_log)
                self.assertIn("12.pbs-test", errors[0])

    # --- execjob_launch ---

    def launch(self, job, progname="/home/u/sim", argv=("sim", "--steps", "10"), tasknum="1"):
        return self.run_hook(pbs.EXECJOB_LAUNCH, job, progname=progname, argv=argv,
                             env={"PBS_TASKNUM": tasknum, "HOME": self.user.pw_dir})

    def exec_job(self, checkpoint, **attributes):
        attributes.setdefault("Resource_List", {"walltime": pbs.duration("01:00:00")})
        attributes.setdefault("Variable_List", {stasis_hook.SUBMITTED: "2025-11-30T10:00:00Z"})
        return make_job(checkpoint, euser=self.user.pw_name, **attributes)

    def test_launch_without_c_left_alone(self):
        for checkpoint in (None, "n"):
            with self.subTest(Checkpoint=checkpoint):
                event = self.launch(self.exec_job(checkpoint))
                self.assert_accepted_cleanly(event)
                self.assertEqual(event.progname, "/home/u/sim")
                self.assertEqual(event.argv, ["sim", "--steps", "10"])
                self.assertFalse(os.path.exists(self.checkpoint_dir))

    def test_launch_with_c_runs_the_job_under_stasis(self):
        job = self.exec_job("c=10")
        event = self.launch(job)
        self.assert_accepted_cleanly(event)
        root = os.path.join(self.checkpoint_dir, "12.pbs-test")
        name = "pbs:pbs-test:12.pbs-test:uid=%d:submitted=2025-11-30T10:00:00Z" % self.user.pw_uid
        command = [self.stasis, "run", "--dir", root, "--job", name, "--interval", "600s",
                   "--keep", "3", "--compress", "zstd", "--compress-level", "4", "--log-level", "debug",
                   "--keep-output", "--workers", "2", "--no-write-tracking", "--stop-after", "3300s", "--",
                   "/home/u/sim", "--steps", "10"]
        self.assertEqual(event.progname, self.stasis)
        self.assertEqual(event.argv, command)

        # ROOT is the user's alone; checkpoint_dir writable by no one else.
        st = os.lstat(root)
        self.assertTrue(stat.S_ISDIR(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o700)
        self.assertEqual(st.st_uid, self.user.pw_uid)
        self.assertEqual(os.stat(self.checkpoint_dir).st_mode & 0o022, 0)

        # What MoM's restart action runs, where no hook does.
        launch = root + ".pbs-launch"
        with open(launch, "rb") as f:
            self.assertEqual(f.read(), b"".join(arg.encode() + b"\0" for arg in command))
        self.assertEqual(stat.S_IMODE(os.stat(launch).st_mode), 0o644)

        self.assertEqual(json.loads(job.resources_used["stasis"]),
                         {"bytes": 1234, "gen": "gen-000002", "job": name, "nodes": 1, "path": root,
                          "time": "2026-11-30T10:00:00Z"})

    def test_launch_of_a_job_script_keeps_the_login_shell(self):
        # For a job script MoM runs the user's shell as a login shell
        # ("-bash", OpenPBS src/resmom/start_exec.c) and writes the script's
        # path into its stdin, a pipe; the hook gets progname /bin/bash and
        # no argv. A restored shell would read the next run's pipe and run
        # the script again, so the shell gets the path as its command, and
        # stays a login shell (/etc/profile, `module`).
        script = self.job_script()
        event = self.launch(self.exec_job("c=10"), progname="/bin/bash", argv=())
        tail = event.argv[event.argv.index("--") + 1:]
        self.assertEqual(tail, ["/bin/bash", "-l", "-c", "exec %s </dev/null" % script])

    def test_launch_of_a_csh_job_script(self):
        # csh takes -l only alone: no login shell, but the same command.
        script = self.job_script()
        event = self.launch(self.exec_job("c=10"), progname="/bin/tcsh", argv=())
        tail = event.argv[event.argv.index("--") + 1:]
        self.assertEqual(tail, ["/bin/tcsh", "-c", "exec %s </dev/null" % script])

    def test_launch_without_the_job_script_leaves_the_job_alone(self):
        event = self.launch(self.exec_job("c=10"), progname="/bin/bash", argv=())
        self.assertTrue(event.accepted)
        self.assertEqual(event.progname, "/bin/bash")
        self.assertTrue(any("no job script at" in message for _, message in pbs.server_log), pbs.server_log)

    def job_script(self):
        jobs = os.path.join(self.tmp, "pbs_home", "mom_priv", "jobs")
        os.makedirs(jobs)
        script = os.path.join(jobs, "12.pbs-test.SC")
        with open(script, "w") as f:
            f.write("#!/bin/bash\ntrue\n")
        return script

    def test_launch_of_other_tasks_left_alone(self):
        # pbsdsh and pbs_attach tasks are parts of the job, and a sister MoM
        # runs none of the job script.
        for job, tasknum in ((self.exec_job("c=10"), "2"), (self.exec_job("c=10", ms_mom=False), "1")):
            with self.subTest(tasknum=tasknum, ms_mom=job.in_ms_mom()):
                event = self.launch(job, tasknum=tasknum)
                self.assert_accepted_cleanly(event)
                self.assertEqual(event.progname, "/home/u/sim")
                self.assertEqual(event.argv, ["sim", "--steps", "10"])
                self.assertFalse(os.path.exists(self.checkpoint_dir))

    # --- execjob_epilogue ---

    def epilogue(self, exit_status, ran):
        os.makedirs(os.path.join(self.checkpoint_dir, "12.pbs-test"))
        job = self.exec_job("c=10", Exit_status=exit_status, stime=int(time.time()) - ran)
        event = self.run_hook(pbs.EXECJOB_EPILOGUE, job)
        self.assert_accepted_cleanly(event)
        self.assertEqual(json.loads(job.resources_used["stasis"])["gen"], "gen-000002")
        return job

    def test_requeue_at_stop_after_reruns(self):
        # PBS names the attribute Exit_status (job.exit_status raises
        # AttributeError in OpenPBS 23.06's pbs_python --hook). Walltime 1h,
        # margin 5m: stop-after 55m.
        self.assertTrue(self.epilogue(75, ran=3400).rerun_requested)

    def test_requeue_before_stop_after_is_a_qdel(self):
        self.assertFalse(self.epilogue(75, ran=60).rerun_requested)

    def test_job_that_ended_is_not_rerun(self):
        self.assertFalse(self.epilogue(0, ran=3400).rerun_requested)


class LaunchFileTrustTest(unittest.TestCase):
    """stasis_action.launch_command: MoM's restart action runs the saved
    command line as the job's user, so only a file root alone can write is
    trusted."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.command = ["/usr/bin/stasis", "run", "--dir", os.path.join(self.dir, "7.srv"),
                        "--", "/bin/sh", "", "two words", "caf\u00e9"]
        self.path = os.path.join(self.dir, "7.srv.pbs-launch")

    def save(self):
        stasis_hook.save_launch(os.path.join(self.dir, "7.srv"), self.command)

    def test_refuses_a_file_not_roots(self):
        self.save()
        if os.getuid() == 0:
            os.chown(self.path, 65534, 65534)
        with self.assertRaises(ValueError):
            stasis_action.launch_command(self.dir, "7.srv")

    def test_refuses_a_symlink(self):
        self.save()
        os.rename(self.path, self.path + ".real")
        os.symlink(self.path + ".real", self.path)
        with self.assertRaises(OSError):
            stasis_action.launch_command(self.dir, "7.srv")

    def test_refuses_group_or_world_writable(self):
        if os.getuid() != 0:
            self.skipTest("needs a file of root's")
        self.save()
        for mode in (0o664, 0o646):
            with self.subTest(mode=oct(mode)):
                os.chmod(self.path, mode)
                with self.assertRaises(ValueError):
                    stasis_action.launch_command(self.dir, "7.srv")

    def test_reads_what_the_launch_hook_saved(self):
        if os.getuid() != 0:
            self.skipTest("needs a file of root's")
        self.save()
        self.assertEqual(stasis_action.launch_command(self.dir, "7.srv"), self.command)


if __name__ == "__main__":
    unittest.main()
