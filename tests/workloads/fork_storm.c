/* fork_storm: a process tree that forks all the time, for the cgroup freezer
 * test (tests/engine/cgroup_freezer.sh): whenever it is dumped, children and
 * grandchildren are being born, computing and ending.
 *
 * usage: fork_storm STEPS [CHILDREN [WORK]]
 *
 * Each step the root forks CHILDREN children at once; each child forks a
 * grandchild, both compute WORK rounds of integer work seeded by the step
 * and the child's number, the grandchild exits with a status derived from
 * its result, and the child exits with one derived from its own result and
 * the grandchild's status. The root waits for each child by the pid fork
 * returned, folds the statuses into its state and prints one line per step,
 * then a "result" line. Nothing printed depends on pids or timing.
 */
#include "tree_common.h"

static int child_status(long step, long j, long work)
{
    uint64_t seed = ((uint64_t)step << 16) ^ (uint64_t)j;
    pid_t grand = fork();
    if (grand < 0)
        tc_die("fork: %s", strerror(errno));
    if (grand == 0)
        _exit((int)(tc_work(seed * 3 + 1, work) % 61));
    uint64_t own = tc_work(seed, work);
    int st = tc_wait(grand);
    if (!WIFEXITED(st))
        tc_die("grandchild %s", tc_status(st));
    return (int)((own + (uint64_t)WEXITSTATUS(st)) % 113);
}

int main(int argc, char **argv)
{
    tc_prog = "fork_storm";
    if (argc < 2)
        tc_die("usage: fork_storm STEPS [CHILDREN [WORK]]");
    long steps = tc_arg(argc, argv, 1, 100, 1, 1000000);
    long children = tc_arg(argc, argv, 2, 4, 1, 64);
    long work = tc_arg(argc, argv, 3, 20000, 1, 1000000000L);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("fork_storm start steps=%ld children=%ld work=%ld\n", steps, children, work);

    uint64_t acc = 0x5eedULL;
    pid_t pids[64];
    for (long s = 1; s <= steps; s++) {
        for (long j = 0; j < children; j++) {
            pids[j] = fork();
            if (pids[j] < 0)
                tc_die("fork: %s", strerror(errno));
            if (pids[j] == 0)
                _exit(child_status(s, j, work));
        }
        for (long j = 0; j < children; j++) {
            int st = tc_wait(pids[j]);
            if (!WIFEXITED(st))
                tc_die("child %ld of step %ld %s", j, s, tc_status(st));
            acc = acc * 1000003ULL + (uint64_t)WEXITSTATUS(st);
        }
        printf("step %ld acc=%016" PRIx64 "\n", s, acc);
    }
    printf("result acc=%016" PRIx64 " forks=%ld\n", acc, steps * children * 2);
    return 0;
}
