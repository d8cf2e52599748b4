/* tty_probe: a program on a terminal (a pty), for checkpoint/restart tests of
 * terminals (tests/engine/tree_terminal.sh).
 *
 * usage: tty_probe counter STEPS DELAY_MS ROWS COLS
 *        tty_probe setup ROWS COLS
 *        tty_probe check LABEL [HOLD_MS]
 *
 * Every line it prints describes the terminal as the program sees it:
 *   isatty=1      fd 0 is a terminal
 *   devtty=1      /dev/tty opens: the session has a controlling terminal
 *   fg=own        the terminal's foreground process group is the program's own
 *   leader=1      the program leads its session
 *   echo=off      the terminal's ECHO flag
 *   size=RxC      its window size
 * so that any of these that does not survive a restore changes the output.
 *
 * counter: the single-process case. Opens /dev/tty as fd 3 and the pty by
 * its name as fd 4 (O_NONBLOCK), keeps both, turns ECHO off and sets the
 * window size ROWSxCOLS, then prints a line every DELAY_MS for STEPS steps,
 * also telling whether fd 4 is still non-blocking and on the same terminal
 * as fd 0 and how many SIGWINCH it got. Then prints "ready for input", reads
 * one line from stdin, prints it back and a last line.
 *
 * setup: ECHO off and the window size, on fd 0, for a script (tree case).
 * check: one line, LABEL first, holding /dev/tty open for HOLD_MS (default
 * 0) while it looks.
 */
#include "tree_common.h"

#include <sys/ioctl.h>
#include <termios.h>

static volatile sig_atomic_t winches;

static void on_winch(int sig)
{
    (void)sig;
    winches++;
}

/* The common part of every line, into buf. */
static void describe(char *buf, size_t size, int tty_fd)
{
    struct termios tio;
    struct winsize ws = {0};
    int echo = tcgetattr(0, &tio) == 0 ? (tio.c_lflag & ECHO) != 0 : -1;
    ioctl(0, TIOCGWINSZ, &ws);
    int devtty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    pid_t fg = tcgetpgrp(tty_fd >= 0 ? tty_fd : devtty);
    snprintf(buf, size, "isatty=%d devtty=%d fg=%s leader=%d echo=%s size=%ux%u", isatty(0), devtty >= 0,
             fg == getpgrp() ? "own" : fg < 0 ? "none" : "other", getsid(0) == getpid(),
             echo < 0 ? "?" : echo ? "on" : "off", ws.ws_row, ws.ws_col);
    if (devtty >= 0)
        close(devtty);
}

static void setup(long rows, long cols)
{
    struct termios tio;
    if (tcgetattr(0, &tio) != 0)
        tc_die("fd 0 is not a terminal: %s", strerror(errno));
    tio.c_lflag &= ~(tcflag_t)ECHO;
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (tcsetattr(0, TCSANOW, &tio) != 0 || ioctl(0, TIOCSWINSZ, &ws) != 0)
        tc_die("cannot set the terminal: %s", strerror(errno));
}

static int counter(int argc, char **argv)
{
    long steps = tc_arg(argc, argv, 2, 40, 1, 100000);
    long delay = tc_arg(argc, argv, 3, 100, 0, 60000);
    long rows = tc_arg(argc, argv, 4, 33, 1, 1000);
    long cols = tc_arg(argc, argv, 5, 111, 1, 1000);
    char line[512], text[256];

    if (dup2(open("/dev/tty", O_RDWR | O_CLOEXEC), 3) != 3)
        tc_die("cannot open /dev/tty: %s", strerror(errno));
    const char *name = ttyname(0);
    if (name == NULL || dup2(open(name, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), 4) != 4)
        tc_die("cannot open the terminal by its name: %s", strerror(errno));
    setup(rows, cols);
    struct sigaction sa = {.sa_handler = on_winch, .sa_flags = SA_RESTART};
    sigaction(SIGWINCH, &sa, NULL);

    printf("counter start steps=%ld\n", steps);
    for (long i = 1; i <= steps; i++) {
        tc_sleep_ms(delay);
        struct stat a, b;
        int same = fstat(0, &a) == 0 && fstat(4, &b) == 0 && a.st_rdev == b.st_rdev;
        describe(line, sizeof(line), 3);
        printf("step %ld %s nonblock=%d same=%d winch=%d\n", i, line, (fcntl(4, F_GETFL) & O_NONBLOCK) != 0, same,
               (int)winches);
        fflush(stdout);
    }
    printf("ready for input\n");
    fflush(stdout);
    if (fgets(text, sizeof(text), stdin) == NULL)
        snprintf(text, sizeof(text), "(end of input)\n");
    text[strcspn(text, "\n")] = '\0';
    describe(line, sizeof(line), 3);
    printf("got: %s\nafter input %s winch=%d\nresult steps=%ld\n", text, line, (int)winches, steps);
    return 0;
}

int main(int argc, char **argv)
{
    tc_prog = "tty_probe";
    char line[512];
    if (argc >= 2 && strcmp(argv[1], "counter") == 0)
        return counter(argc, argv);
    if (argc >= 4 && strcmp(argv[1], "setup") == 0) {
        setup(tc_arg(argc, argv, 2, 0, 1, 1000), tc_arg(argc, argv, 3, 0, 1, 1000));
        describe(line, sizeof(line), -1);
        printf("setup %s\n", line);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "check") == 0) {
        int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
        tc_sleep_ms(tc_arg(argc, argv, 3, 0, 0, 60000));
        describe(line, sizeof(line), tty);
        printf("%s %s\n", argv[2], line);
        return 0;
    }
    tc_die("usage: tty_probe counter STEPS DELAY_MS ROWS COLS | setup ROWS COLS | check LABEL [HOLD_MS]");
}
