/*
 * tree_stopped: a child stopped by job control (SIGSTOP) must stay stopped
 * through a checkpoint and restore, and carry on where it was once it is
 * continued.
 *
 *   tree_stopped STEPS SLEEP_MS
 *
 * The child counts in a shared page. The parent stops it with SIGSTOP, then
 * every step checks that it is still stopped (waitid WSTOPPED|WNOWAIT, which
 * leaves the report for the next look) and that its count has not moved,
 * and prints one line. At the end it sets a limit 20 above the count,
 * continues the child (SIGCONT), and the child counts to the limit and exits
 * with a status of its own. Nothing printed depends on timing or pids.
 */
#include "tree_common.h"

#include <sys/mman.h>

struct shared {
    volatile long count;
    volatile long limit;
};

static int child(struct shared *s)
{
    while (s->count < s->limit) {
        s->count++;
        tc_sleep_ms(2);
    }
    return 7;
}

static int is_stopped(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOHANG | WNOWAIT) < 0)
        tc_die("waitid: %s", strerror(errno));
    return info.si_pid == pid && info.si_code == CLD_STOPPED;
}

int main(int argc, char **argv)
{
    tc_prog = "tree_stopped";
    long steps = tc_arg(argc, argv, 1, 60, 1, 100000);
    long sleep_ms = tc_arg(argc, argv, 2, 50, 0, 10000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        tc_die("mmap: %s", strerror(errno));
    s->count = 0;
    s->limit = 1L << 40;
    printf("tree_stopped start steps=%ld\n", steps);
    pid_t pid = fork();
    if (pid < 0)
        tc_die("fork: %s", strerror(errno));
    if (pid == 0)
        _exit(child(s));
    int64_t deadline = tc_now_ms() + 20000;
    while (s->count < 10) {
        if (tc_now_ms() > deadline)
            tc_die("the child did not count to 10 within 20 s");
        tc_sleep_ms(1);
    }
    kill(pid, SIGSTOP);
    while (!is_stopped(pid)) {
        if (tc_now_ms() > deadline)
            tc_die("the child did not stop within 20 s");
        tc_sleep_ms(1);
    }
    long at_stop = s->count;
    uint64_t acc = 1;
    for (long i = 1; i <= steps; i++) {
        tc_sleep_ms(sleep_ms);
        acc = tc_work(acc + (uint64_t)i, 20000);
        printf("step %ld acc=%016" PRIx64 " child %s, count %s\n", i, acc, is_stopped(pid) ? "stopped" : "RUNNING",
               s->count == at_stop ? "unchanged" : "MOVED");
    }
    s->limit = at_stop + 20;
    kill(pid, SIGCONT);
    int status = tc_wait(pid);
    printf("child counted %ld after SIGCONT and %s\n", s->count - at_stop, tc_status(status));
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
