/* tree_shared_offset: a parent and its children write to one file through
 * an inherited fd (one open file description, one offset, no O_APPEND), for
 * checkpoint/restart tests of process trees.
 *
 * usage: tree_shared_offset WORKDIR [ROUNDS [SLEEP_MS]]
 *
 * WORKDIR/shared.txt is opened once by the root, O_WRONLY without O_APPEND.
 *   - Phase 1: a long-lived child and the root take turns, ROUNDS times:
 *     the root writes a line and sends SIGUSR1 to the child (by the pid fork
 *     returned), the child writes a line and sends SIGUSR2 back to its
 *     parent. Both wait with sigtimedwait (signals blocked) and sleep
 *     SLEEP_MS before writing.
 *   - Phase 2: the root forks short-lived children one after another; each
 *     writes three lines and exits; the root waits for it and writes a line.
 *     The last child waits for the test's "go" (tc_wait_go) before it exits,
 *     so the tree cannot end before the test has dumped it.
 * Every line carries the offset it was written at, as lseek() tells the
 * writer. If the offset were not shared after a restore, lines would land
 * on top of each other. The root prints one stdout line per round, then the
 * final offset and size, and the whole file.
 * Nothing printed depends on pids, WORKDIR or timing.
 */
#include "tree_common.h"

#define WAIT_SECS 20

static void wait_signal(int sig, const char *who)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    struct timespec limit = { WAIT_SECS, 0 };
    for (;;) {
        int r = sigtimedwait(&set, NULL, &limit);
        if (r == sig)
            return;
        if (r < 0 && errno == EINTR)
            continue;
        tc_die("%s: no signal %d within %d s (%s)", who, sig, WAIT_SECS, r < 0 ? strerror(errno) : "other signal");
    }
}

static void write_line(int fd, const char *fmt, long a, long b)
{
    off_t off = lseek(fd, 0, SEEK_CUR);
    if (off < 0)
        tc_die("lseek: %s", strerror(errno));
    char text[200];
    snprintf(text, sizeof text, fmt, a, b);
    tc_fdprintf(fd, "%-40s at offset %ld\n", text, (long)off);
}

int main(int argc, char **argv)
{
    tc_prog = "tree_shared_offset";
    if (argc < 2)
        tc_die("usage: tree_shared_offset WORKDIR [ROUNDS [SLEEP_MS]]");
    const char *dir = argv[1];
    long rounds = tc_arg(argc, argv, 2, 40, 1, 1000000);
    long sleep_ms = tc_arg(argc, argv, 3, 30, 0, 60000);
    const long shorts = 8;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(dir) != 0)
        tc_die("chdir %s: %s", dir, strerror(errno));
    printf("shared_offset start rounds=%ld sleep_ms=%ld\n", rounds, sleep_ms);

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);

    int fd = open("shared.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        tc_die("cannot create shared.txt: %s", strerror(errno));
    pid_t parent = getpid();

    /* Phase 1: turns. */
    pid_t child = fork();
    if (child < 0)
        tc_die("fork: %s", strerror(errno));
    if (child == 0) {
        for (long r = 1; r <= rounds; r++) {
            wait_signal(SIGUSR1, "child");
            tc_sleep_ms(sleep_ms);
            write_line(fd, "child round %ld ppid-ok %ld", r, getppid() == parent);
            if (kill(parent, SIGUSR2) != 0)
                tc_die("child: kill(parent): %s", strerror(errno));
        }
        _exit(getppid() == parent ? 0 : 3);
    }
    for (long r = 1; r <= rounds; r++) {
        tc_sleep_ms(sleep_ms);
        write_line(fd, "parent round %ld", r, 0);
        if (kill(child, SIGUSR1) != 0)
            tc_die("parent: kill(child): %s", strerror(errno));
        wait_signal(SIGUSR2, "parent");
        printf("round %ld\n", r);
    }
    printf("turn-taking child %s\n", tc_status(tc_wait(child)));

    /* Phase 2: one short-lived child after another. */
    for (long c = 1; c <= shorts; c++) {
        pid_t p = fork();
        if (p < 0)
            tc_die("fork: %s", strerror(errno));
        if (p == 0) {
            for (long j = 1; j <= 3; j++) {
                write_line(fd, "short child %ld line %ld", c, j);
                tc_sleep_ms(sleep_ms);
            }
            if (c == shorts)
                tc_wait_go();
            _exit((int)c);
        }
        int st = tc_wait(p);
        write_line(fd, "parent: short child %ld exit %ld", c, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        printf("short child %ld %s\n", c, tc_status(st));
    }

    off_t end = lseek(fd, 0, SEEK_CUR);
    struct stat st;
    if (fstat(fd, &st) != 0)
        tc_die("fstat: %s", strerror(errno));
    printf("final offset %ld size %ld\n", (long)end, (long)st.st_size);
    close(fd);
    uint64_t h = tc_cat("shared.txt", "  | ");
    printf("result size=%ld hash=%016" PRIx64 "\n", (long)st.st_size, h);
    return 0;
}
