/* vfork_child: a process that vforks a child which takes its time, for the
 * tests of a checkpoint's freeze deadline (a vfork parent cannot be stopped
 * until its child execs or exits).
 *
 * usage: vfork_child STEPS VFORK_AT CHILD_MS exec|exit|thread-exit [GATE]
 *
 * Each of STEPS steps runs a xorshift loop, prints "step N acc=..." and
 * sleeps 20 ms. Before step VFORK_AT (once the file GATE exists, when given)
 * it vforks: the child writes "vfork child sleeping CHILD_MS ms", sleeps,
 * then execs /bin/true (exec) or exits with status 7 (exit, thread-exit);
 * the parent waits for it and prints "child exited N". With thread-exit a
 * second thread vforks while the first waits for it (pthread_join). Then a
 * "result ..." line. The output depends only on the arguments.
 */
#include "tree_common.h"

#include <pthread.h>

struct vfork_plan {
    long child_ms;
    int exec_true;
    int status;  /* as waitpid reports it */
};

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

static void *vfork_and_wait(void *arg)
{
    struct vfork_plan *plan = arg;
    pid_t child = vfork();
    if (child < 0)
        tc_die("vfork: %s", strerror(errno));
    if (child == 0)
        child_life(plan->child_ms, plan->exec_true);
    plan->status = tc_wait(child);
    return NULL;
}

int main(int argc, char **argv)
{
    tc_prog = "vfork_child";
    long steps = tc_arg(argc, argv, 1, 60, 1, 1000000L);
    long vfork_at = tc_arg(argc, argv, 2, 10, 1, 1000000L);
    long child_ms = tc_arg(argc, argv, 3, 1000, 0, 600000L);
    const char *how = argc > 4 ? argv[4] : "";
    int in_thread = strcmp(how, "thread-exit") == 0;
    if (strcmp(how, "exec") != 0 && strcmp(how, "exit") != 0 && !in_thread) {
        fprintf(stderr, "usage: vfork_child STEPS VFORK_AT CHILD_MS exec|exit|thread-exit [GATE]\n");
        return 2;
    }
    struct vfork_plan plan = { child_ms, strcmp(how, "exec") == 0, 0 };
    const char *gate = argc > 5 ? argv[5] : NULL;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("vfork_child start steps=%ld vfork_at=%ld child_ms=%ld %s\n", steps, vfork_at, child_ms, argv[4]);
    uint64_t acc = 0x9e3779b97f4a7c15ULL;
    for (long s = 1; s <= steps; s++) {
        if (s == vfork_at) {
            if (gate)
                wait_for_file(gate);
            pthread_t thread;
            if (!in_thread)
                vfork_and_wait(&plan);
            else if (pthread_create(&thread, NULL, vfork_and_wait, &plan) != 0 || pthread_join(thread, NULL) != 0)
                tc_die("cannot run the vforking thread");
            printf("child %s\n", tc_status(plan.status));
        }
        acc = tc_work(acc, 200000);
        printf("step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_sleep_ms(20);
    }
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
