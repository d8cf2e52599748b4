/*
 * epoll_watches: epoll watches whose fd number no longer names their file,
 * the state the kernel keeps and a restore must rebuild as it was.
 *
 *   epoll_watches STEPS SLEEP_MS
 *
 * The parent's epoll "mine" watches the read end of a pipe from its child
 * under a number the parent then closed (the pipe end stays open at its
 * first number; the closed one is high, so no later open takes it). The epoll
 * "shared" was made before fork: the child added its own pipe end to it,
 * and the parent, which holds the same epoll, closed its copy of that end
 * and reused the number for another pipe; the parent also added a pipe end
 * that only it holds, for the test to dump the child alone (refused: that
 * watch is on a file no process of the dumped tree holds). Each step the child writes a
 * number, the parent waits on "mine", answers through the other pipe, and
 * the child waits on "shared" for the answer. Every step the parent prints
 * the watched numbers as /proc/self/fdinfo shows them for both epolls, so a
 * watch added back under another number or on another file shows.
 */
#include "tree_common.h"

#include <sys/epoll.h>

enum { from_child = 1, from_parent = 2 };

static int by_number(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* The watched fd numbers of an epoll as its fdinfo lists them, in
 * increasing order (the kernel lists them in the order of its files'
 * addresses). */
static void watched_numbers(int ep, char *out, size_t len)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ep);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        tc_die("open %s: %s", path, strerror(errno));
    int numbers[16], n = 0;
    while (fgets(line, sizeof line, f) != NULL && n < 16) {
        if (sscanf(line, "tfd: %d", &numbers[n]) == 1)
            n++;
    }
    fclose(f);
    qsort(numbers, (size_t)n, sizeof numbers[0], by_number);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%d", i > 0 ? "," : "", numbers[i]);
    }
}

static uint64_t wait_for(int ep, uint64_t tag, int fd)
{
    struct epoll_event ev;
    int n;
    while ((n = epoll_wait(ep, &ev, 1, 20000)) == -1 && errno == EINTR) {
    }
    if (n != 1)
        tc_die("epoll_wait for %" PRIu64 ": %s", tag, n == 0 ? "nothing within 20 s" : strerror(errno));
    if (ev.data.u64 != tag)
        tc_die("epoll_wait for %" PRIu64 " returned %" PRIu64, tag, ev.data.u64);
    uint64_t value;
    tc_read_all(fd, &value, sizeof value, "a value");
    return value;
}

static void add(int ep, int fd, uint64_t tag)
{
    struct epoll_event ev = {EPOLLIN, {.u64 = tag}};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        tc_die("epoll_ctl ADD %d: %s", fd, strerror(errno));
}

static int child(int steps, long sleep_ms, int shared, int to_parent, int from)
{
    add(shared, from, from_parent);
    uint64_t acc = 0;
    for (int i = 1; i <= steps; i++) {
        tc_sleep_ms(sleep_ms);
        uint64_t v = (uint64_t)i * 7919 + acc % 1000;
        tc_write_all(to_parent, &v, sizeof v);
        acc += wait_for(shared, from_parent, from);
    }
    printf("child acc=%" PRIu64 "\n", acc);
    return 0;
}

int main(int argc, char **argv)
{
    tc_prog = "epoll_watches";
    int steps = (int)tc_arg(argc, argv, 1, 60, 1, 100000);
    long sleep_ms = tc_arg(argc, argv, 2, 50, 0, 10000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int up[2], down[2];
    int mine = epoll_create1(EPOLL_CLOEXEC), shared = epoll_create1(EPOLL_CLOEXEC);
    if (mine < 0 || shared < 0 || pipe(up) < 0 || pipe(down) < 0)
        tc_die("setup: %s", strerror(errno));
    int watched = fcntl(up[0], F_DUPFD_CLOEXEC, 40);
    if (watched < 0)
        tc_die("F_DUPFD: %s", strerror(errno));
    add(mine, watched, from_child);
    close(watched);
    printf("epoll_watches start steps=%d\n", steps);
    pid_t pid = fork();
    if (pid < 0)
        tc_die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(mine);
        close(up[0]);
        close(down[1]);
        exit(child(steps, sleep_ms, shared, up[1], down[0]));
    }
    close(up[1]);
    /* Let the child add its watch before the parent closes its copy. */
    char numbers[64];
    int64_t deadline = tc_now_ms() + 20000;
    for (watched_numbers(shared, numbers, sizeof numbers); numbers[0] == '\0';
         watched_numbers(shared, numbers, sizeof numbers)) {
        if (tc_now_ms() > deadline)
            tc_die("the child added no watch within 20 s");
        tc_sleep_ms(5);
    }
    int other[2];
    if (pipe(other) < 0 || dup2(other[0], down[0]) < 0)
        tc_die("pipe: %s", strerror(errno));
    printf("the shared epoll watches fd %d, which here is another pipe\n", down[0]);
    /* A write end is never readable: this watch never wakes the child. */
    add(shared, other[1], from_child);
    uint64_t sum = 0;
    for (int i = 1; i <= steps; i++) {
        uint64_t v = wait_for(mine, from_child, up[0]);
        uint64_t answer = v * 31 % 10007;
        /* All before the answer: after the last one the child prints and ends. */
        char a[64], b[64];
        watched_numbers(mine, a, sizeof a);
        watched_numbers(shared, b, sizeof b);
        printf("step %d got %" PRIu64 " answered %" PRIu64 " watched mine=%s shared=%s\n", i, v, answer, a, b);
        tc_write_all(down[1], &answer, sizeof answer);
        sum += answer;
    }
    int status = tc_wait(pid);
    printf("child %s\n", tc_status(status));
    printf("result sum=%" PRIu64 "\n", sum);
    return 0;
}
