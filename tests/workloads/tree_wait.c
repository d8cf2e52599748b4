/* tree_wait: a process tree that waits for its members, for checkpoint/restart
 * tests.
 *
 * usage: tree_wait WORKDIR [STEPS [SLEEP_MS [WORK]]]
 *
 * The root makes itself a session leader, then forks:
 *   - two children that end at once and stay zombies until the root reaps
 *     them late, at 60% of its steps: one exits with 42, one is killed by
 *     SIGUSR1;
 *   - a child that leads a process group of its own, computes STEPS/3 steps
 *     (one line per step into WORKDIR/child.out) and then waits for its own
 *     child (waitpid on the pid fork returned);
 *   - that grandchild computes 3*STEPS/5 steps into WORKDIR/grandchild.out and
 *     exits with a status derived from its computation.
 * The root computes STEPS steps (one stdout line each). Each process checks
 * on every step that getppid(), getpgrp() and getsid() still equal the pids
 * saved before the forks, and that getpid() equals what fork() returned to its
 * parent (passed down as a saved value). At the end the root prints every
 * wait status, the checks and the files of the child and the grandchild.
 * Nothing printed depends on pids, WORKDIR or timing.
 */
#include "tree_common.h"

static uint64_t mix(uint64_t seed, long step)
{
    return seed * 0x9e3779b97f4a7c15ULL + (uint64_t)step + 1;
}

/* One line per step into OUT; returns the final state. */
static uint64_t steps(int out, const char *who, uint64_t acc, long n, long sleep_ms, long work, pid_t want_ppid,
                      pid_t want_pgrp, pid_t want_sid, long *bad)
{
    for (long s = 1; s <= n; s++) {
        acc = tc_work(mix(acc, s), work);
        int ok_ppid = getppid() == want_ppid;
        int ok_pgrp = getpgrp() == want_pgrp;
        int ok_sid = getsid(0) == want_sid;
        if (!ok_ppid || !ok_pgrp || !ok_sid)
            (*bad)++;
        tc_fdprintf(out, "%s step %ld acc=%016" PRIx64 " ppid=%s pgrp=%s sid=%s\n", who, s, acc,
                    ok_ppid ? "ok" : "WRONG", ok_pgrp ? "ok" : "WRONG", ok_sid ? "ok" : "WRONG");
        tc_sleep_ms(sleep_ms);
    }
    return acc;
}

int main(int argc, char **argv)
{
    tc_prog = "tree_wait";
    if (argc < 2)
        tc_die("usage: tree_wait WORKDIR [STEPS [SLEEP_MS [WORK]]]");
    const char *dir = argv[1];
    long n = tc_arg(argc, argv, 2, 100, 5, 1000000);
    long sleep_ms = tc_arg(argc, argv, 3, 50, 0, 60000);
    long work = tc_arg(argc, argv, 4, 200000, 1, 1000000000L);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(dir) != 0)
        tc_die("chdir %s: %s", dir, strerror(errno));

    printf("tree_wait start steps=%ld sleep_ms=%ld work=%ld\n", n, sleep_ms, work);
    if (setsid() < 0)
        tc_die("setsid: %s", strerror(errno));
    pid_t root = getpid();

    /* The zombies. */
    pid_t z_exit = fork();
    if (z_exit < 0)
        tc_die("fork: %s", strerror(errno));
    if (z_exit == 0)
        _exit(42);
    pid_t z_sig = fork();
    if (z_sig < 0)
        tc_die("fork: %s", strerror(errno));
    if (z_sig == 0) {
        signal(SIGUSR1, SIG_DFL);
        raise(SIGUSR1);
        _exit(1);
    }
    /* Wait until both have ended, without reaping them. */
    pid_t zombies[2] = { z_exit, z_sig };
    for (int i = 0; i < 2; i++) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        while (waitid(P_PID, (id_t)zombies[i], &si, WEXITED | WNOWAIT) < 0) {
            if (errno != EINTR)
                tc_die("waitid: %s", strerror(errno));
        }
    }
    printf("zombies ready\n");

    long child_steps = n / 3, grand_steps = 3 * n / 5;
    pid_t child = fork();
    if (child < 0)
        tc_die("fork: %s", strerror(errno));
    if (child == 0) {
        pid_t self = getpid();
        if (setpgid(0, 0) != 0)
            tc_die("setpgid: %s", strerror(errno));
        int out = tc_create("child.out");
        long bad = 0;
        pid_t grand = fork();
        if (grand < 0)
            tc_die("fork: %s", strerror(errno));
        if (grand == 0) {
            int gout = tc_create("grandchild.out");
            long gbad = 0;
            uint64_t g = steps(gout, "grandchild", 0x1234567ULL, grand_steps, sleep_ms, work, self, self, root, &gbad);
            tc_fdprintf(gout, "grandchild done bad=%ld\n", gbad);
            _exit((int)(g % 100) + 1);
        }
        uint64_t c = steps(out, "child", 0x7654321ULL, child_steps, sleep_ms, work, root, self, root, &bad);
        /* The grandchild's pid as fork() returned it must still name it. */
        int st = tc_wait(grand);
        tc_fdprintf(out, "child: grandchild %s\n", tc_status(st));
        tc_fdprintf(out, "child done bad=%ld getpid=%s\n", bad, getpid() == self ? "ok" : "WRONG");
        _exit(20 + (int)(c % 7) + (bad != 0 ? 100 : 0));
    }

    uint64_t acc = 0xfeedfaceULL;
    long bad = 0;
    long reap_at = 3 * n / 5;
    for (long s = 1; s <= n; s++) {
        acc = tc_work(mix(acc, s), work);
        int ok_pgrp = getpgrp() == root, ok_sid = getsid(0) == root, ok_pid = getpid() == root;
        if (!ok_pgrp || !ok_sid || !ok_pid)
            bad++;
        printf("root step %ld acc=%016" PRIx64 " pid=%s pgrp=%s sid=%s\n", s, acc, ok_pid ? "ok" : "WRONG",
               ok_pgrp ? "ok" : "WRONG", ok_sid ? "ok" : "WRONG");
        if (s == reap_at) {
            /* Still zombies: WNOHANG finds them at once. */
            for (int i = 0; i < 2; i++) {
                siginfo_t si;
                memset(&si, 0, sizeof si);
                int r;
                while ((r = waitid(P_PID, (id_t)zombies[i], &si, WEXITED | WNOHANG | WNOWAIT)) < 0 && errno == EINTR) {
                }
                printf("zombie %d still there: %s\n", i + 1, r == 0 && si.si_pid == zombies[i] ? "yes" : "NO");
                int st = tc_wait(zombies[i]);
                printf("zombie %d reaped: %s\n", i + 1, tc_status(st));
            }
        }
        tc_sleep_ms(sleep_ms);
    }
    int st = tc_wait(child);
    printf("child %s\n", tc_status(st));
    /* Nothing else is left to wait for. */
    int r;
    while ((r = waitpid(-1, NULL, WNOHANG)) < 0 && errno == EINTR) {
    }
    printf("other children: %s\n", r < 0 && errno == ECHILD ? "none" : "SOME");

    uint64_t hc = tc_cat("child.out", "  | ");
    uint64_t hg = tc_cat("grandchild.out", "  || ");
    printf("result acc=%016" PRIx64 " bad=%ld child=%016" PRIx64 " grandchild=%016" PRIx64 "\n", acc, bad, hc, hg);
    return 0;
}
