/* pid_keeper: a single process that names a file after its pid, as a
 * program does with a lock or a log, and needs its pid to stay the same.
 *
 * usage: pid_keeper DIR STEPS
 *
 * Creates DIR/lock.PID (O_EXCL), then each of STEPS steps runs a xorshift
 * loop, checks that getpid() and its thread id are still the pid it
 * recorded and that DIR/lock.<getpid()> is there, prints "step N acc=..."
 * and sleeps 20 ms. Ends with "pid kept" (or "PID CHANGED ..." once, at
 * the first step that finds it changed) and a "result ..." line. The output
 * depends only on the arguments.
 */
#include "tree_common.h"

#include <sys/syscall.h>

static void lock_path(char *path, size_t size, const char *dir, pid_t pid)
{
    snprintf(path, size, "%s/lock.%d", dir, (int)pid);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pid_keeper DIR STEPS\n");
        return 2;
    }
    const char *dir = argv[1];
    tc_prog = "pid_keeper";
    long steps = tc_arg(argc, argv, 2, 100, 1, 1000000L);
    pid_t recorded = getpid();
    char path[4096];
    lock_path(path, sizeof path, dir, recorded);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror("pid_keeper: creating the lock file");
        return 1;
    }
    dprintf(fd, "%d\n", (int)recorded);
    close(fd);

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("pid_keeper start steps=%ld\n", steps);
    int changed = 0;
    uint64_t acc = 0x9e3779b97f4a7c15ULL;
    for (long s = 1; s <= steps; s++) {
        pid_t now = getpid();
        pid_t tid = (pid_t)syscall(SYS_gettid);
        lock_path(path, sizeof path, dir, now);
        if (!changed && (now != recorded || tid != recorded || access(path, F_OK) != 0)) {
            printf("PID CHANGED at step %ld: recorded %d, getpid %d, gettid %d, %s %s\n", s, (int)recorded,
                   (int)now, (int)tid, path, access(path, F_OK) == 0 ? "exists" : "is missing");
            changed = 1;
        }
        acc = tc_work(acc, 200000);
        printf("step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_sleep_ms(20);
    }
    if (!changed)
        printf("pid kept\n");
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
