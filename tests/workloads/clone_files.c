/*
 * clone_files: a parent and a child that share one fd table (clone with
 * CLONE_FILES, not CLONE_VM), which stasis refuses to checkpoint. The child
 * opens a file each step into the shared table; the parent finds it there,
 * reads it and closes it, and prints a line.
 *
 *   clone_files WORKDIR STEPS SLEEP_MS
 */
#include "tree_common.h"

#include <sched.h>

static long steps, sleep_ms;

/* Each step: create step file N, open it at fd 100 + N % 10 of the shared
 * table, and wait until the parent has closed it. */
static int child(void *unused)
{
    (void)unused;
    for (long i = 1; i <= steps; i++) {
        char name[32];
        snprintf(name, sizeof name, "step.%ld", i);
        int fd = open(name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            tc_die("create %s: %s", name, strerror(errno));
        tc_fdprintf(fd, "%ld\n", i * i);
        int slot = (int)(100 + i % 10);
        if (dup2(fd, slot) < 0)
            tc_die("dup2: %s", strerror(errno));
        close(fd);
        int64_t deadline = tc_now_ms() + 20000;
        while (fcntl(slot, F_GETFD) >= 0) {
            if (tc_now_ms() > deadline)
                tc_die("the parent did not take fd %d within 20 s", slot);
            tc_sleep_ms(1);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    tc_prog = "clone_files";
    if (argc < 2 || chdir(argv[1]) < 0)
        tc_die("usage: clone_files WORKDIR [STEPS [SLEEP_MS]]");
    steps = tc_arg(argc, argv, 2, 60, 1, 100000);
    sleep_ms = tc_arg(argc, argv, 3, 50, 0, 10000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("clone_files start steps=%ld\n", steps);
    static char stack[256 * 1024] __attribute__((aligned(16)));
    pid_t pid = clone(child, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
    if (pid < 0)
        tc_die("clone: %s", strerror(errno));
    uint64_t sum = 0;
    for (long i = 1; i <= steps; i++) {
        int slot = (int)(100 + i % 10);
        int64_t deadline = tc_now_ms() + 20000;
        while (fcntl(slot, F_GETFD) < 0) {
            if (tc_now_ms() > deadline)
                tc_die("the child did not open step %ld within 20 s", i);
            tc_sleep_ms(1);
        }
        char buf[32] = "";
        if (pread(slot, buf, sizeof buf - 1, 0) < 0)
            tc_die("pread: %s", strerror(errno));
        close(slot);
        sum += (uint64_t)strtoll(buf, NULL, 10);
        printf("step %ld read %ld from the child's fd %d\n", i, strtol(buf, NULL, 10), slot);
        tc_sleep_ms(sleep_ms);
    }
    printf("child %s\n", tc_status(tc_wait(pid)));
    printf("result sum=%" PRIu64 "\n", sum);
    return 0;
}
