/* pty_pair: a pty pair inside the process tree, for the pty pair test
 * (tests/engine/pty_pair.sh).
 *
 * usage: pty_pair WORKDIR [STEPS [SLEEP_MS]]
 *
 * The parent opens a pty (posix_openpt), sets its window size, and forks a
 * child that starts a session of its own with the slave as its controlling
 * terminal (setsid, TIOCSCTTY) and its stdin and stdout on it. The child
 * puts the terminal in non-canonical mode without echo, with CR->NL and
 * NL->CR input mapping and NL->CRNL output mapping all on (bytes processed
 * twice would come out changed), and answers each request line with a value
 * computed from all requests so far, after a pause. The parent keeps two
 * requests ahead of the answers and pauses after each step, so bytes sit
 * unread in one direction or the other most of the time. It prints one line
 * per answer. Then the parent asks for a check and says so; the child reads
 * that request only once WORKDIR/go exists (so it waits unread in the pair
 * until then), and both sides check their terminal (settings, window size,
 * session, controlling terminal, foreground group, the slave's name) and
 * print one line each; then the child quits and the parent prints the
 * result. Every line depends only on the arguments.
 */
#include "tree_common.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#define ROWS 37
#define COLS 111
#define XPIXEL 333
#define YPIXEL 444
#define LINE_MAX_LEN 512
/* Every third answer slower than the parent's pause, the others faster:
 * requests wait for the child at some moments, answers for the parent at
 * others. */
#define CHILD_SLOW_MS 120
#define CHILD_FAST_MS 10

static const tcflag_t want_iflag = ICRNL | INLCR | IUTF8;
static const tcflag_t want_oflag = OPOST | ONLCR;

/* One line from fd up to '\n' (dropped); dies after 60 s without one. */
static void read_line(int fd, char *line, const char *what)
{
    size_t len = 0;
    int64_t deadline = tc_now_ms() + 60000;
    for (;;) {
        struct pollfd in = { fd, POLLIN, 0 };
        int64_t left = deadline - tc_now_ms();
        if (left <= 0)
            tc_die("%s: no whole line within 60 s (%zu bytes so far)", what, len);
        if (poll(&in, 1, (int)left) < 0 && errno != EINTR)
            tc_die("%s: poll: %s", what, strerror(errno));
        if ((in.revents & (POLLIN | POLLHUP | POLLERR)) == 0)
            continue;
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            tc_die("%s: read: %s", what, n < 0 ? strerror(errno) : "end of file");
        if (c == '\n')
            break;
        if (len + 1 >= LINE_MAX_LEN)
            tc_die("%s: line too long", what);
        line[len++] = c;
    }
    line[len] = '\0';
}

static int termios_kept(const struct termios *t)
{
    return (t->c_lflag & (ICANON | ECHO)) == 0 && (t->c_iflag & want_iflag) == want_iflag &&
           (t->c_oflag & want_oflag) == want_oflag && t->c_cc[VMIN] == 1 && t->c_cc[VTIME] == 0;
}

static int winsize_kept(int fd)
{
    struct winsize ws;
    return ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row == ROWS && ws.ws_col == COLS && ws.ws_xpixel == XPIXEL &&
           ws.ws_ypixel == YPIXEL;
}

static const char *yes(int ok)
{
    return ok ? "yes" : "NO";
}

/* Whether the kernel names dev as this process's controlling terminal
 * (tty_nr in /proc/self/stat, the kernel's own device encoding) and
 * /dev/tty opens. */
static int controlling_terminal_is(dev_t dev)
{
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *end = strrchr(buf, ')');
    char state;
    int ppid, pgrp, session;
    unsigned tty_nr;
    if (end == NULL || sscanf(end + 1, " %c %d %d %d %u", &state, &ppid, &pgrp, &session, &tty_nr) != 5)
        return 0;
    unsigned maj = (tty_nr >> 8) & 0xfff, min = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return 0;
    close(tty);
    return maj == major(dev) && min == minor(dev);
}

/* The child's checks of its own terminal, as one line for the parent. */
static void child_check(void)
{
    struct termios t;
    struct stat st0, st_name;
    int termios_ok = tcgetattr(0, &t) == 0 && termios_kept(&t);
    int have0 = fstat(0, &st0) == 0;
    int controlling = have0 && controlling_terminal_is(st0.st_rdev) && tcgetsid(0) == getpid();
    const char *name = ttyname(0);
    int name_ok = have0 && name != NULL && stat(name, &st_name) == 0 && st_name.st_rdev == st0.st_rdev;
    tc_fdprintf(1, "check termios %s, window %s, session leader %s, controlling terminal %s, foreground %s, "
                   "ttyname %s; name=%s\n",
                yes(termios_ok), yes(winsize_kept(0)), yes(getsid(0) == getpid()), yes(controlling),
                yes(tcgetpgrp(0) == getpgrp()), yes(name_ok), name != NULL ? name : "?");
}

static void child_main(int master, const char *slave_name, long steps)
{
    tc_prog = "pty_pair child";
    close(master);
    if (setsid() < 0)
        tc_die("setsid: %s", strerror(errno));
    int slave = open(slave_name, O_RDWR | O_NOCTTY);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
        tc_die("cannot take %s as controlling terminal: %s", slave_name, strerror(errno));
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0)
        tc_die("dup2: %s", strerror(errno));
    close(slave);
    struct termios t;
    if (tcgetattr(0, &t) < 0)
        tc_die("tcgetattr: %s", strerror(errno));
    cfmakeraw(&t);
    t.c_iflag |= want_iflag;
    t.c_oflag |= want_oflag;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &t) < 0)
        tc_die("tcsetattr: %s", strerror(errno));
    tc_fdprintf(1, "ready\n");
    uint64_t acc = 0x9e3779b97f4a7c15ULL;
    char line[LINE_MAX_LEN];
    for (;;) {
        read_line(0, line, "child: request");
        long step, value;
        if (sscanf(line, "q %ld %ld", &step, &value) == 2) {
            tc_sleep_ms(step % 3 == 0 ? CHILD_SLOW_MS : CHILD_FAST_MS);
            acc = tc_work(acc ^ (uint64_t)value, 1000 + step);
            tc_fdprintf(1, "a %ld %016" PRIx64 "\n", step, acc);
            if (step == steps)
                tc_wait_go(); /* the check request waits unread meanwhile */
        } else if (strcmp(line, "check") == 0) {
            child_check();
        } else if (strcmp(line, "quit") == 0) {
            exit(0);
        } else {
            tc_die("unexpected request '%s'", line);
        }
    }
}

/* An answer line as the master reads it: its '\n' came as "\r\n" (ONLCR);
 * returns it without the '\r'. */
static void read_answer(int master, char *line, const char *what)
{
    read_line(master, line, what);
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\r' || strchr(line, '\r') != line + len - 1)
        tc_die("%s: '%s' does not end in exactly one CR before its NL", what, line);
    line[len - 1] = '\0';
}

static void send_request(int master, long step)
{
    tc_fdprintf(master, "q %ld %ld\r", step, (step * 7919) % 100003);
}

/* The parent's checks of the pair, from the master's side. */
static void parent_check(int master, pid_t child, const char *child_name)
{
    struct termios t;
    int packet = -1, locked = -1;
    pid_t sid = -1, fg = -1;
    ioctl(master, TIOCGPKT, &packet);
    ioctl(master, TIOCGPTLCK, &locked);
    ioctl(master, TIOCGSID, &sid);
    ioctl(master, TIOCGPGRP, &fg);
    const char *name = ptsname(master);
    printf("parent: slave termios %s, window %s, session of child %s, foreground child %s, packet %d, locked %d, "
           "ptsname is the child's ttyname %s\n",
           yes(tcgetattr(master, &t) == 0 && termios_kept(&t)), yes(winsize_kept(master)), yes(sid == child),
           yes(fg == child), packet, locked, yes(name != NULL && strcmp(name, child_name) == 0));
}

int main(int argc, char **argv)
{
    tc_prog = "pty_pair";
    if (argc < 2)
        tc_die("usage: pty_pair WORKDIR [STEPS [SLEEP_MS]]");
    long steps = tc_arg(argc, argv, 2, 60, 1, 10000);
    long sleep_ms = tc_arg(argc, argv, 3, 50, 0, 10000);
    if (chdir(argv[1]) < 0)
        tc_die("chdir %s: %s", argv[1], strerror(errno));
    setvbuf(stdout, NULL, _IOLBF, 0);

    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
        tc_die("cannot open a pty: %s", strerror(errno));
    struct winsize ws = { ROWS, COLS, XPIXEL, YPIXEL };
    if (ioctl(master, TIOCSWINSZ, &ws) < 0)
        tc_die("TIOCSWINSZ: %s", strerror(errno));
    char slave_name[128];
    if (ptsname_r(master, slave_name, sizeof slave_name) != 0)
        tc_die("ptsname: %s", strerror(errno));
    pid_t child = fork();
    if (child < 0)
        tc_die("fork: %s", strerror(errno));
    if (child == 0)
        child_main(master, slave_name, steps);

    char line[LINE_MAX_LEN];
    read_answer(master, line, "parent: ready");
    if (strcmp(line, "ready") != 0)
        tc_die("the child said '%s' instead of ready", line);
    printf("child ready, window %dx%d\n", ROWS, COLS);
    for (long s = 1; s <= 2 && s <= steps; s++)
        send_request(master, s);
    for (long s = 1; s <= steps; s++) {
        read_answer(master, line, "parent: answer");
        long got;
        char value[32];
        if (sscanf(line, "a %ld %31s", &got, value) != 2 || got != s)
            tc_die("answer '%s' at step %ld", line, s);
        printf("step %ld: %s\n", s, value);
        if (s + 2 <= steps)
            send_request(master, s + 2);
        tc_sleep_ms(sleep_ms);
    }
    tc_fdprintf(master, "check\r");
    printf("check asked\n");
    read_answer(master, line, "parent: check");
    char *name = strstr(line, "; name=");
    if (name == NULL)
        tc_die("check answer '%s'", line);
    *name = '\0';
    printf("child: %s\n", line);
    parent_check(master, child, name + strlen("; name="));
    tc_fdprintf(master, "quit\r");
    int status = tc_wait(child);
    printf("result child %s after %ld steps\n", tc_status(status), steps);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
