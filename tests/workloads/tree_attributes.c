/* tree_attributes: the per-process settings careful programs check after a
 * restore (issue #10, item 11), in a root and one child.
 *
 * The root becomes a child subreaper, sets no-new-privileges, disables
 * transparent huge pages, raises its oom_score_adj and registers for
 * private expedited membarrier (as a runtime with its own memory model
 * does; unregistered, the barrier fails with EPERM); its child sets a
 * parent-death signal. The root also names itself (PR_SET_NAME). Every step
 * the root reads its own settings, its name, and whether /proc/self/cmdline
 * and /proc/self/environ still show its own argument and environment area,
 * and asks
 * the child (over a pipe pair) for its parent-death signal, and prints them
 * with a running sum; so any setting lost in a restore changes the output.
 *
 *   tree_attributes STEPS DELAY_MS
 */
#include "tree_common.h"

#include <linux/membarrier.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

enum { oom_score_adj_value = 345 };

/* Whether the /proc file shows exactly the bytes from first to end. */
static const char *proc_shows(const char *path, const char *first, const char *end)
{
    static char buf[1 << 16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        tc_die("open %s: %s", path, strerror(errno));
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    close(fd);
    return got == (size_t)(end - first) && memcmp(buf, first, got) == 0 ? "same" : "DIFFERENT";
}

/* The end of a NULL-terminated vector of strings laid out one after the other. */
static const char *area_end(char **strings)
{
    const char *end = strings[0];
    for (int i = 0; strings[i] != NULL; i++)
        end = strings[i] + strlen(strings[i]) + 1;
    return end;
}

static int read_oom_score_adj(void)
{
    FILE *f = fopen("/proc/self/oom_score_adj", "r");
    int v = -10000;
    if (!f || fscanf(f, "%d", &v) != 1)
        tc_die("cannot read /proc/self/oom_score_adj");
    fclose(f);
    return v;
}

static void set_oom_score_adj(int v)
{
    FILE *f = fopen("/proc/self/oom_score_adj", "w");
    if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f) != 0)
        tc_die("cannot write /proc/self/oom_score_adj: %s", strerror(errno));
}

static int membarrier(int cmd)
{
    return (int)syscall(SYS_membarrier, cmd, 0, 0);
}

/* The child: answers each question byte with its parent-death signal. */
static void child(int questions, int answers)
{
    if (prctl(PR_SET_PDEATHSIG, SIGUSR2) != 0)
        tc_die("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
    char q;
    for (;;) {
        tc_read_all(questions, &q, 1, "question from the root");
        if (q == 'q')
            exit(0);
        int sig = -1;
        prctl(PR_GET_PDEATHSIG, &sig);
        tc_write_all(answers, &sig, sizeof sig);
    }
}

int main(int argc, char **argv)
{
    tc_prog = "tree_attributes";
    long steps = tc_arg(argc, argv, 1, 60, 1, 100000);
    long delay = tc_arg(argc, argv, 2, 50, 0, 10000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0)
        tc_die("prctl: %s", strerror(errno));
    set_oom_score_adj(oom_score_adj_value);
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
        tc_die("membarrier(REGISTER_PRIVATE_EXPEDITED): %s", strerror(errno));
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0)
        tc_die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        tc_die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(to_child[1]);
        close(from_child[0]);
        child(to_child[0], from_child[1]);
    }
    close(to_child[0]);
    close(from_child[1]);
    extern char **environ;
    char **env = environ;
    if (prctl(PR_SET_NAME, "attr-root", 0, 0, 0) != 0)
        tc_die("PR_SET_NAME: %s", strerror(errno));
    printf("attributes start steps=%ld\n", steps);
    uint64_t sum = 0;
    for (long i = 1; i <= steps; i++) {
        int subreaper = -1, child_sig = -1;
        prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
        int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
        int thp = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
        const char *barrier = membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0 ? "ok" : strerror(errno);
        tc_write_all(to_child[1], "?", 1);
        tc_read_all(from_child[0], &child_sig, sizeof child_sig, "answer from the child");
        sum = sum * 31 + (uint64_t)(i * i);
        char name[17] = "";
        prctl(PR_GET_NAME, name, 0, 0, 0);
        printf("step %ld subreaper=%d no_new_privs=%d thp_disabled=%d oom_score_adj=%d child_pdeathsig=%d name=%s "
               "membarrier=%s cmdline=%s environ=%s sum=%" PRIu64 "\n",
               i, subreaper, nnp, thp, read_oom_score_adj(), child_sig, name, barrier,
               proc_shows("/proc/self/cmdline", argv[0], area_end(argv)),
               proc_shows("/proc/self/environ", env[0], area_end(env)), sum);
        tc_sleep_ms(delay);
    }
    tc_write_all(to_child[1], "q", 1);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    printf("result steps=%ld sum=%" PRIu64 " child_status=%d\n", steps, sum, status);
    return 0;
}
