/* tree_signals: signals pending in several processes of a tree, for
 * checkpoint/restart tests of process trees.
 *
 * usage: tree_signals WORKDIR [STEPS [SLEEP_MS]]
 *
 * The root blocks SIGUSR1, SIGCHLD and SIGRTMIN and forks two children:
 *   - B exits at once with 5 (a zombie until the end, and the SIGCHLD it
 *     sends stays pending in the root);
 *   - A sends the root SIGUSR1 (kill) and SIGRTMIN twice (sigqueue, values
 *     11 and 22), blocks SIGUSR2, which the root sends it, computes 3*STEPS/4
 *     steps into WORKDIR/a.out and only then takes its SIGUSR2 with
 *     sigtimedwait and records where it came from.
 * Once all of these are pending, the root prints "ready", computes STEPS
 * steps, then unblocks: its handlers record each signal's number, code,
 * value, status and whether it came from the expected child (by the pid
 * fork returned). It prints them, waits for both children and prints their
 * statuses and A's file. Nothing printed depends on pids or timing.
 */
#include "tree_common.h"

#define MAXREC 16

static volatile sig_atomic_t nrec;
static siginfo_t rec[MAXREC];

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (nrec < MAXREC)
        rec[nrec++] = *si;
}

static uint64_t steps(int out, const char *who, uint64_t acc, long n, long sleep_ms)
{
    for (long s = 1; s <= n; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 50000);
        tc_fdprintf(out, "%s step %ld acc=%016" PRIx64 "\n", who, s, acc);
        tc_sleep_ms(sleep_ms);
    }
    return acc;
}

int main(int argc, char **argv)
{
    tc_prog = "tree_signals";
    if (argc < 2)
        tc_die("usage: tree_signals WORKDIR [STEPS [SLEEP_MS]]");
    long n = tc_arg(argc, argv, 2, 80, 2, 1000000);
    long sleep_ms = tc_arg(argc, argv, 3, 40, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(argv[1]) != 0)
        tc_die("chdir %s: %s", argv[1], strerror(errno));
    printf("tree_signals start steps=%ld sleep_ms=%ld\n", n, sleep_ms);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask); /* one handler at a time, lowest signal first */
    int sigs[] = { SIGUSR1, SIGCHLD, SIGRTMIN };
    sigset_t block;
    sigemptyset(&block);
    for (int i = 0; i < 3; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&block, sigs[i]);
    }
    sigaddset(&block, SIGUSR2); /* inherited by A */
    sigprocmask(SIG_BLOCK, &block, NULL);
    pid_t root = getpid();

    pid_t b = fork();
    if (b < 0)
        tc_die("fork: %s", strerror(errno));
    if (b == 0)
        _exit(5);
    pid_t a = fork();
    if (a < 0)
        tc_die("fork: %s", strerror(errno));
    if (a == 0) {
        int out = tc_create("a.out");
        union sigval v;
        kill(root, SIGUSR1);
        v.sival_int = 11;
        sigqueue(root, SIGRTMIN, v);
        v.sival_int = 22;
        sigqueue(root, SIGRTMIN, v);
        uint64_t acc = steps(out, "A", 0x77ULL, 3 * n / 4, sleep_ms);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        struct timespec zero = { 0, 0 };
        siginfo_t si;
        int r;
        while ((r = sigtimedwait(&s, &si, &zero)) < 0 && errno == EINTR) {
        }
        tc_fdprintf(out, "A: SIGUSR2 %s, code %s, from the root %s\n", r == SIGUSR2 ? "was pending" : "MISSING",
                    r == SIGUSR2 && si.si_code == SI_USER ? "SI_USER" : "other",
                    r == SIGUSR2 && si.si_pid == root ? "yes" : "no");
        _exit((int)(acc % 30) + 10);
    }
    if (kill(a, SIGUSR2) != 0)
        tc_die("kill: %s", strerror(errno));

    /* Wait until everything is pending here (A's signals, B's SIGCHLD). */
    int64_t deadline = tc_now_ms() + 20000;
    for (;;) {
        sigset_t p;
        sigpending(&p);
        if (sigismember(&p, SIGUSR1) && sigismember(&p, SIGCHLD) && sigismember(&p, SIGRTMIN))
            break;
        if (tc_now_ms() > deadline)
            tc_die("the children's signals did not arrive");
        tc_sleep_ms(5);
    }
    /* The second SIGRTMIN follows the first from A at once; give it time. */
    tc_sleep_ms(50);
    printf("ready\n");

    uint64_t acc = steps(1, "root", 0x55ULL, n, sleep_ms);

    /* Deliver what is pending, then block SIGCHLD again: A's own SIGCHLD,
     * whenever it comes, must not be counted. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int got = nrec;
    printf("signals delivered: %d\n", got);
    for (int i = 0; i < got; i++) {
        const siginfo_t *si = &rec[i];
        const char *from = si->si_pid == a ? "A" : si->si_pid == b ? "B" : "SOMEONE ELSE";
        if (si->si_signo == SIGCHLD)
            printf("  SIGCHLD code=%s status=%d from %s\n", si->si_code == CLD_EXITED ? "CLD_EXITED" : "other",
                   si->si_status, from);
        else if (si->si_signo == SIGRTMIN)
            printf("  SIGRTMIN code=%s value=%d from %s\n", si->si_code == SI_QUEUE ? "SI_QUEUE" : "other",
                   si->si_value.sival_int, from);
        else
            printf("  signal %d code=%s from %s\n", si->si_signo, si->si_code == SI_USER ? "SI_USER" : "other", from);
    }
    printf("B %s\n", tc_status(tc_wait(b)));
    printf("A %s\n", tc_status(tc_wait(a)));
    uint64_t h = tc_cat("a.out", "  | ");
    printf("result acc=%016" PRIx64 " signals=%d a=%016" PRIx64 "\n", acc, got, h);
    return 0;
}
