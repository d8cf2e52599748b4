/* tree_pipeline: producer | filter | consumer, with data in flight in both
 * pipes, for checkpoint/restart tests of process trees.
 *
 * usage: tree_pipeline tree N [BATCH [SLEEP_MS]]   the whole pipeline
 *        tree_pipeline producer N                  the stages, on stdin/stdout
 *        tree_pipeline filter
 *        tree_pipeline consumer [BATCH [SLEEP_MS]]
 *
 * The producer writes N numbered lines as fast as the pipe takes them. The
 * filter checks each line and transforms it. The consumer reads slowly
 * (SLEEP_MS after every BATCH lines), so both pipes stay full and the
 * producer blocked for much of the run; it checks that the numbers come in
 * sequence with nothing lost or doubled and that each transformation is
 * right, prints a progress line every 500 lines and a final count and
 * checksum. The filter passes an end line through after its input ends.
 * "tree" makes the pipes, forks the three stages (each execs this program)
 * and waits for them by pid, printing their statuses once all have ended;
 * only the consumer and, before and after it, the root write stdout.
 * Nothing printed depends on pids or timing.
 */
#include "tree_common.h"

static uint64_t payload(long i)
{
    return tc_work((uint64_t)i * 0x9e3779b97f4a7c15ULL + 0x51ed270b27fULL, 3);
}

/* The filter's transformation of a payload. */
static uint64_t transform(uint64_t p)
{
    return (p >> 17 | p << 47) ^ 0xa5a5a5a5a5a5a5a5ULL;
}

static int producer(long n)
{
    /* Full buffering: writes go out in 4 KiB blocks and block when the
     * pipe is full. */
    for (long i = 1; i <= n; i++)
        if (printf("line %07ld %016" PRIx64 "\n", i, payload(i)) < 0)
            tc_die("producer: write: %s", strerror(errno));
    if (fflush(stdout) != 0)
        tc_die("producer: write: %s", strerror(errno));
    return 0;
}

static int filter(void)
{
    char line[256];
    long count = 0, bad = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        long i;
        uint64_t p;
        if (sscanf(line, "line %ld %" SCNx64, &i, &p) != 2 || p != payload(i)) {
            bad++;
            printf("BAD %s", line);
            continue;
        }
        count++;
        printf("%ld:%016" PRIx64 ":%c\n", i, transform(p), "abcdefghijklmnopqrstuvwxyz"[i % 26]);
    }
    if (ferror(stdin))
        tc_die("filter: read: %s", strerror(errno));
    printf("end %ld %ld\n", count, bad);
    if (fflush(stdout) != 0)
        tc_die("filter: write: %s", strerror(errno));
    return bad != 0;
}

static int consumer(long batch, long sleep_ms)
{
    char line[256];
    long expect = 1, errors = 0, ended = 0, n_in = 0;
    uint64_t sum = 0;
    FILE *out = stdout;
    setvbuf(out, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin) != NULL) {
        long i, count, bad;
        uint64_t t;
        char c;
        n_in++;
        if (ended) {
            errors++;
            fprintf(out, "consumer: line after the end: %s", line);
        } else if (sscanf(line, "end %ld %ld", &count, &bad) == 2) {
            ended = 1;
            fprintf(out, "consumer: filter passed %ld lines, %ld bad\n", count, bad);
        } else if (sscanf(line, "%ld:%" SCNx64 ":%c", &i, &t, &c) == 3) {
            if (i != expect) {
                errors++;
                fprintf(out, "consumer: expected line %ld, got %ld\n", expect, i);
            }
            if (t != transform(payload(i)) || c != "abcdefghijklmnopqrstuvwxyz"[i % 26]) {
                errors++;
                fprintf(out, "consumer: line %ld is wrong: %s", i, line);
            }
            expect = i + 1;
            sum = sum * 1000003 + t;
            if (i % 500 == 0)
                fprintf(out, "consumer at line %ld sum=%016" PRIx64 "\n", i, sum);
        } else {
            errors++;
            fprintf(out, "consumer: bad line: %s", line);
        }
        if (batch > 0 && n_in % batch == 0)
            tc_sleep_ms(sleep_ms);
    }
    if (ferror(stdin))
        tc_die("consumer: read: %s", strerror(errno));
    if (!ended) {
        errors++;
        fprintf(out, "consumer: no end line\n");
    }
    fprintf(out, "consumer got %ld lines, last %ld, %ld errors, checksum %016" PRIx64 "\n", n_in, expect - 1, errors,
            sum);
    return errors != 0;
}

static pid_t stage(char **argv, int in, int out, int close1, int close2)
{
    pid_t p = fork();
    if (p < 0)
        tc_die("fork: %s", strerror(errno));
    if (p == 0) {
        if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0))
            tc_die("dup2: %s", strerror(errno));
        int fds[] = { in, out, close1, close2 };
        for (int k = 0; k < 4; k++)
            if (fds[k] > 2)
                close(fds[k]);
        execv("/proc/self/exe", argv);
        tc_die("exec: %s", strerror(errno));
    }
    return p;
}

static int tree(char *n, char *batch, char *sleep_ms)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("pipeline start n=%s batch=%s sleep_ms=%s\n", n, batch, sleep_ms);
    int a[2], b[2];
    if (pipe2(a, O_CLOEXEC) != 0 || pipe2(b, O_CLOEXEC) != 0)
        tc_die("pipe: %s", strerror(errno));
    char *pa[] = { "tree_pipeline", "producer", n, NULL };
    char *fa[] = { "tree_pipeline", "filter", NULL };
    char *ca[] = { "tree_pipeline", "consumer", batch, sleep_ms, NULL };
    pid_t pp = stage(pa, -1, a[1], a[0], -1);
    pid_t fp = stage(fa, a[0], b[1], -1, -1);
    pid_t cp = stage(ca, b[0], -1, -1, -1);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    int sp = tc_wait(pp);
    int sf = tc_wait(fp);
    int sc = tc_wait(cp);
    printf("producer %s\n", tc_status(sp));
    printf("filter %s\n", tc_status(sf));
    printf("consumer %s\n", tc_status(sc));
    int ok = sp == 0 && sf == 0 && sc == 0;
    printf("result pipeline %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    tc_prog = "tree_pipeline";
    if (argc < 2)
        tc_die("usage: tree_pipeline tree|producer|filter|consumer ...");
    if (strcmp(argv[1], "tree") == 0 && argc >= 3) {
        tc_arg(argc, argv, 2, 0, 1, 100000000L);
        tc_arg(argc, argv, 3, 4, 0, 1000000);
        tc_arg(argc, argv, 4, 2, 0, 60000);
        return tree(argv[2], argc > 3 ? argv[3] : "4", argc > 4 ? argv[4] : "2");
    }
    if (strcmp(argv[1], "producer") == 0 && argc >= 3)
        return producer(tc_arg(argc, argv, 2, 0, 1, 100000000L));
    if (strcmp(argv[1], "filter") == 0)
        return filter();
    if (strcmp(argv[1], "consumer") == 0)
        return consumer(tc_arg(argc, argv, 2, 4, 0, 1000000), tc_arg(argc, argv, 3, 2, 0, 60000));
    tc_die("usage: tree_pipeline tree|producer|filter|consumer ...");
}
