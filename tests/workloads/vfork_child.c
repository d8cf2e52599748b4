/* vfork_child: a process that vforks a child which takes its time, for the
 * tests of a checkpoint's freeze deadline (a vfork parent cannot be stopped
 * until its child execs or exits).
 *
 * usage: vfork_child STEPS VFORK_AT CHILD_MS exec|exit [GATE]
 *
 * Each of STEPS steps runs a xorshift loop, prints "step N acc=..." and
 * sleeps 20 ms. Before step VFORK_AT (once the file GATE exists, when given)
 * it vforks: the child writes "vfork child sleeping CHILD_MS ms", sleeps,
 * then execs /bin/true (exec) or exits with status 7 (exit); the parent
 * waits for it and prints "child status N". Then a "result ..." line. The
 * output depends only on the arguments.
 */
#include "tree_common.h"

static void wait_for_file(const char *path)
{
    while (access(path, F_OK) != 0)
        tc_sleep_ms(10);
}

/* Runs in the vfork child, on the parent's memory: raw calls only. */
static void child_life(long child_ms, int exec_true)
{
    char line[64];
    int n = snprintf(line, sizeof line, "vfork child sleeping %ld ms\n", child_ms);
    if (write(1, line, (size_t)n) != n)
        _exit(126);
    tc_sleep_ms(child_ms);
    if (exec_true)
        execl("/bin/true", "true", (char *)NULL);
    _exit(exec_true ? 127 : 7);
}

int main(int argc, char **argv)
{
    tc_prog = "vfork_child";
    long steps = tc_arg(argc, argv, 1, 60, 1, 1000000L);
    long vfork_at = tc_arg(argc, argv, 2, 10, 1, 1000000L);
    long child_ms = tc_arg(argc, argv, 3, 1000, 0, 600000L);
    if (argc < 5 || (strcmp(argv[4], "exec") != 0 && strcmp(argv[4], "exit") != 0)) {
        fprintf(stderr, "usage: vfork_child STEPS VFORK_AT CHILD_MS exec|exit [GATE]\n");
        return 2;
    }
    int exec_true = strcmp(argv[4], "exec") == 0;
    const char *gate = argc > 5 ? argv[5] : NULL;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("vfork_child start steps=%ld vfork_at=%ld child_ms=%ld %s\n", steps, vfork_at, child_ms, argv[4]);
    uint64_t acc = 0x9e3779b97f4a7c15ULL;
    for (long s = 1; s <= steps; s++) {
        if (s == vfork_at) {
            if (gate)
                wait_for_file(gate);
            pid_t child = vfork();
            if (child == 0)
                child_life(child_ms, exec_true);
            int status = 0;
            if (child < 0 || waitpid(child, &status, 0) != child) {
                perror("vfork_child: vfork/waitpid");
                return 1;
            }
            printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
        acc = tc_work(acc, 200000);
        printf("step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_sleep_ms(20);
    }
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
