/* outside_pipes: a program that inherited pipes from outside its process
 * tree, for the checkpoint tests of such pipes (tests/engine/outside_pipes.sh).
 *
 * usage: outside_pipes STEPS [SLEEP_MS]
 *
 * fd 3 must be the read end of a pipe and fd 4 the write end of another,
 * both held at their other end by a process outside the tree (the test's
 * pipe_holder.py). The program computes STEPS steps, one stdout line each;
 * then it reads fd 3 to end-of-file and writes one byte to fd 4 (SIGPIPE
 * ignored), and prints what it found, as a careful program would check its
 * state: whether each fd is still a pipe, what fd 3 held, what the write to
 * fd 4 gave. Run with holders that let go at once, and restored from a
 * checkpoint taken while they held on, it must print the same.
 */
#include "tree_common.h"

#include <sys/stat.h>

static const char *kind_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return strerror(errno);
    return S_ISFIFO(st.st_mode) ? "a pipe" : "not a pipe";
}

static void report_reader(int fd)
{
    char buf[256];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            tc_die("read fd %d: %s", fd, strerror(errno));
        if (n == 0 || got + (size_t)n == sizeof buf - 1) {
            got += (size_t)n;
            break;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    if (got > 0 && buf[got - 1] == '\n')
        buf[got - 1] = '\0';
    printf("fd %d: %s, read %zu bytes then end-of-file: \"%s\"\n", fd, kind_of(fd), got, buf);
}

static void report_writer(int fd)
{
    signal(SIGPIPE, SIG_IGN);
    ssize_t n = write(fd, "x", 1);
    printf("fd %d: %s, write: %s\n", fd, kind_of(fd), n == 1 ? "written" : errno == EPIPE ? "EPIPE" : strerror(errno));
}

int main(int argc, char **argv)
{
    tc_prog = "outside_pipes";
    long steps = tc_arg(argc, argv, 1, 60, 1, 1000000);
    long sleep_ms = tc_arg(argc, argv, 2, 25, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("outside_pipes start steps=%ld\n", steps);
    uint64_t acc = 0x5eed;
    for (long s = 1; s <= steps; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 100000);
        printf("step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_sleep_ms(sleep_ms);
    }
    report_reader(3);
    report_writer(4);
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
