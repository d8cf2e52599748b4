/* single_thread: a deterministic single-threaded workload for checkpoint/restart tests.
 *
 * usage: single_thread [STEPS [SLEEP_MS [WORK]]]
 *
 * Each step runs an integer (xorshift) and floating-point (logistic map, sqrt)
 * loop, reads CLOCK_MONOTONIC, CLOCK_REALTIME and gettimeofday(), checks that
 * monotonic time never goes backwards and that the realtime clocks agree, and
 * sleeps SLEEP_MS in nanosleep(). Output depends only on the arguments: one
 * "step N ..." line per step, then "clock ok" (or "CLOCK BROKEN ...") and a
 * final "result ..." line. The logistic map is chaotic, so a single wrong bit
 * of floating-point state after a restore changes every later line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "workload_args.h"

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int main(int argc, char **argv)
{
    long steps = workload_arg("single_thread", argc, argv, 1, 200, 1, 100000000L);
    long pause_ms = workload_arg("single_thread", argc, argv, 2, 15, 0, 60000);
    long work = workload_arg("single_thread", argc, argv, 3, 1500000, 1, 1000000000L);

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("single_thread start steps=%ld sleep_ms=%ld work=%ld\n", steps, pause_ms, work);

    uint64_t acc = 0x9e3779b97f4a7c15ULL;
    double x = 0.123456789;
    double sum = 0.0;
    double prod = 1.0;
    int clock_broken = 0;
    const char *why = "";

    struct timespec last;
    clock_gettime(CLOCK_MONOTONIC, &last);

    for (long s = 1; s <= steps; s++) {
        for (long i = 0; i < work; i++) {
            acc ^= acc << 13;
            acc ^= acc >> 7;
            acc ^= acc << 17;
            x = 3.99 * x * (1.0 - x);
            sum += sqrt((double)(acc & 0xffffu)) * x;
        }
        prod = prod * (1.0 + x / 1024.0);
        if (prod > 1e100)
            prod /= 1e100;

        struct timespec mono, real;
        struct timeval tv;
        clock_gettime(CLOCK_MONOTONIC, &mono);
        clock_gettime(CLOCK_REALTIME, &real);
        gettimeofday(&tv, NULL);
        if (ts_ns(&mono) < ts_ns(&last)) {
            clock_broken = 1;
            why = "monotonic clock went backwards";
        }
        last = mono;
        int64_t real_us = ts_ns(&real) / 1000;
        int64_t tv_us = (int64_t)tv.tv_sec * 1000000LL + tv.tv_usec;
        if (tv_us - real_us > 2000000 || real_us - tv_us > 2000000) {
            clock_broken = 1;
            why = "gettimeofday and CLOCK_REALTIME disagree";
        }

        printf("step %ld acc=%016" PRIx64 " x=%.17g sum=%.17g prod=%.17g\n", s, acc, x, sum, prod);
        if (pause_ms > 0)
            sleep_ms(pause_ms);
    }

    if (clock_broken)
        printf("CLOCK BROKEN: %s\n", why);
    else
        printf("clock ok\n");
    printf("result acc=%016" PRIx64 " x=%.17g sum=%.17g prod=%.17g\n", acc, x, sum, prod);
    return 0;
}
