/* tree_unsupported: a process tree one member of which holds something
 * stasis cannot checkpoint yet, for the refusal tests of process trees.
 *
 * usage: tree_unsupported socket|hugetlb|fanotify WORKDIR [STEPS [SLEEP_MS]]
 *
 * The root forks a child, which forks a grandchild. With "socket" the child
 * holds a TCP socket listening on 127.0.0.1 (port 0) with a connection of
 * its own waiting in its backlog, not accepted yet, a line sent on it; with "hugetlb" the
 * child holds a huge page memfd (MFD_HUGETLB) of 2 MiB; with "fanotify" the
 * grandchild holds a fanotify group (unprivileged: FAN_REPORT_FID) marking
 * WORKDIR/watched. Once it has it,
 * the holder writes "pid PID fd FD" into WORKDIR/holder (atomically, by
 * rename) for the test to know whom the refusal must name. Every process
 * computes in steps (the root on stdout, the others into WORKDIR/child.out
 * and WORKDIR/grandchild.out) and then waits for the test's "go"
 * (tc_wait_go), so that none ends before the test has tried its dump; at
 * the end the holder uses its object (the
 * socket accepts the waiting connection and reads from it; the memfd tells
 * its size; fanotify reports a file created in the watched directory), the
 * child waits for the
 * grandchild and the root for the child, and the root prints the statuses
 * and both files. Nothing printed depends on pids, ports, WORKDIR or timing.
 */
#include "tree_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/socket.h>

static void announce(int fd)
{
    FILE *f = fopen("holder.tmp", "we");
    if (f == NULL)
        tc_die("cannot create holder.tmp: %s", strerror(errno));
    fprintf(f, "pid %d fd %d\n", (int)getpid(), fd);
    if (fclose(f) != 0 || rename("holder.tmp", "holder") != 0)
        tc_die("cannot write holder: %s", strerror(errno));
}

static uint64_t steps(int out, const char *who, uint64_t acc, long n, long sleep_ms)
{
    for (long s = 1; s <= n; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 100000);
        tc_fdprintf(out, "%s step %ld acc=%016" PRIx64 "\n", who, s, acc);
        tc_sleep_ms(sleep_ms);
    }
    return acc;
}

static int tcp_listener(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        tc_die("socket: %s", strerror(errno));
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 4) != 0)
        tc_die("bind/listen on 127.0.0.1: %s", strerror(errno));
    return s;
}

/* Connect to our own listener and send a line; not accepted yet. */
static int connect_waiting(int s)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(s, (struct sockaddr *)&a, &len) != 0)
        tc_die("getsockname: %s", strerror(errno));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, len) != 0)
        tc_die("connect to own listener: %s", strerror(errno));
    tc_write_all(c, "ping\n", 5);
    return c;
}

/* Accept the waiting connection, read its line. */
static void use_tcp(int out, int s, int c)
{
    int conn;
    while ((conn = accept(s, NULL, NULL)) < 0 && errno == EINTR) {
    }
    if (conn < 0)
        tc_die("accept: %s", strerror(errno));
    char buf[16] = { 0 };
    size_t got = 0;
    while (got < 5) {
        ssize_t n = read(conn, buf + got, 5 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            tc_die("read from accepted connection: %s", n < 0 ? strerror(errno) : "end of file");
        got += (size_t)n;
    }
    buf[4] = '\0';
    tc_fdprintf(out, "tcp: accepted a connection and read '%s'\n", buf);
    close(conn);
    close(c);
    close(s);
}

static int huge_memfd(void)
{
    int fd = memfd_create("huge", MFD_HUGETLB | MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 2 << 20) != 0)
        tc_die("huge page memfd: %s", strerror(errno));
    return fd;
}

static void use_huge_memfd(int out, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        tc_die("fstat of the huge page memfd: %s", strerror(errno));
    tc_fdprintf(out, "hugetlb: a memfd of %ld bytes\n", (long)st.st_size);
    close(fd);
}

/* Create a file in the watched directory and report the event. */
static void use_fanotify(int out, int fan)
{
    int f = open("watched/new.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f < 0)
        tc_die("create watched/new.txt: %s", strerror(errno));
    close(f);
    char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    ssize_t n;
    while ((n = read(fan, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    if (n < (ssize_t)sizeof(struct fanotify_event_metadata))
        tc_die("read fanotify: %s", n < 0 ? strerror(errno) : "short read");
    const struct fanotify_event_metadata *ev = (const struct fanotify_event_metadata *)buf;
    tc_fdprintf(out, "fanotify: %s\n", (ev->mask & FAN_CREATE) ? "FAN_CREATE" : "other event");
    close(fan);
}

int main(int argc, char **argv)
{
    tc_prog = "tree_unsupported";
    if (argc < 3)
        tc_die("usage: tree_unsupported socket|hugetlb|fanotify WORKDIR [STEPS [SLEEP_MS]]");
    int tcp = strcmp(argv[1], "socket") == 0;
    int huge = strcmp(argv[1], "hugetlb") == 0;
    int fan = strcmp(argv[1], "fanotify") == 0;
    if (!tcp && !huge && !fan)
        tc_die("unknown mode %s", argv[1]);
    const char *dir = argv[2];
    long n = tc_arg(argc, argv, 3, 80, 5, 1000000);
    long sleep_ms = tc_arg(argc, argv, 4, 50, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(dir) != 0)
        tc_die("chdir %s: %s", dir, strerror(errno));
    unlink("holder");
    printf("tree_unsupported start mode=%s steps=%ld sleep_ms=%ld\n", argv[1], n, sleep_ms);

    long sub = 3 * n / 5;
    pid_t child = fork();
    if (child < 0)
        tc_die("fork: %s", strerror(errno));
    if (child == 0) {
        int out = tc_create("child.out");
        pid_t grand = fork();
        if (grand < 0)
            tc_die("fork: %s", strerror(errno));
        if (grand == 0) {
            int gout = tc_create("grandchild.out");
            int in = -1;
            if (fan) {
                if (mkdir("watched", 0755) != 0 && errno != EEXIST)
                    tc_die("mkdir watched: %s", strerror(errno));
                unlink("watched/new.txt");
                in = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC, O_RDONLY);
                if (in < 0 || fanotify_mark(in, FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, "watched") != 0)
                    tc_die("fanotify: %s", strerror(errno));
                announce(in);
            }
            uint64_t g = steps(gout, "grandchild", 0x2468ULL, sub, sleep_ms);
            tc_wait_go();
            if (fan)
                use_fanotify(gout, in);
            _exit((int)(g % 50) + 1);
        }
        int s = -1, waiting = -1;
        if (tcp || huge) {
            s = tcp ? tcp_listener() : huge_memfd();
            if (tcp)
                waiting = connect_waiting(s);
            announce(s);
        }
        uint64_t c = steps(out, "child", 0x1357ULL, sub, sleep_ms);
        tc_wait_go();
        if (tcp)
            use_tcp(out, s, waiting);
        if (huge)
            use_huge_memfd(out, s);
        tc_fdprintf(out, "child: grandchild %s\n", tc_status(tc_wait(grand)));
        _exit((int)(c % 50) + 60);
    }

    uint64_t acc = 0xabcdefULL;
    for (long s = 1; s <= n; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 100000);
        printf("root step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_sleep_ms(sleep_ms);
    }
    tc_wait_go();
    printf("child %s\n", tc_status(tc_wait(child)));
    uint64_t hc = tc_cat("child.out", "  | ");
    uint64_t hg = tc_cat("grandchild.out", "  || ");
    printf("result acc=%016" PRIx64 " child=%016" PRIx64 " grandchild=%016" PRIx64 "\n", acc, hc, hg);
    return 0;
}
