/* rewrite: a job that rewrites PERCENT % of its memory per round, for the
 * incremental-checkpoint benchmark.
 *
 * usage: rewrite [--block-mib B] [--every SECS] GIB PERCENT
 *
 * Holds GIB GiB of random (incompressible) data and prints
 * "ready GIB GiB pid PID: K of M blocks of B MiB per round". A round writes
 * new random data over the same K blocks, contiguous runs of B MiB (default
 * 2) spread evenly over the whole memory, K = PERCENT % of M, and prints
 * "round R rewrote BYTES in S s". Rounds run on SIGUSR1, one each, so a
 * caller can checkpoint between two of them; with --every, one round every
 * SECS seconds by itself (a job under `stasis run`, which holds the
 * signals sent to its job). Because every round rewrites the same blocks,
 * the memory changed between two checkpoints is PERCENT % however many
 * rounds ran in between.
 */
#include "bench_common.h"

#include <signal.h>

static volatile sig_atomic_t rounds_requested;

static void on_usr1(int sig)
{
    (void)sig;
    rounds_requested++;
}

int main(int argc, char **argv)
{
    double block_mib = 2, every = 0;
    int a = 1;
    while (a + 1 < argc && argv[a][0] == '-') {
        if (strcmp(argv[a], "--block-mib") == 0)
            block_mib = bench_number("rewrite", "block size in MiB", argv[a + 1], 0.00390625, 1024);
        else if (strcmp(argv[a], "--every") == 0)
            every = bench_number("rewrite", "round period in seconds", argv[a + 1], 0.01, 86400);
        else
            break;
        a += 2;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: rewrite [--block-mib B] [--every SECS] GIB PERCENT\n");
        return 2;
    }
    size_t bytes = bench_gib("rewrite", argv[a]);
    double percent = bench_number("rewrite", "percentage", argv[a + 1], 0, 100);
    size_t block = (size_t)(block_mib * 1048576.0) & ~(size_t)4095;
    if (block == 0 || block > bytes) {
        fprintf(stderr, "rewrite: bad block size for %s GiB: %g MiB\n", argv[a], block_mib);
        return 2;
    }
    size_t blocks = bytes / block;
    size_t chosen = (size_t)((double)blocks * percent / 100.0 + 0.5);
    if (chosen == 0 && percent > 0)
        chosen = 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0) {
        perror("rewrite: sigaction");
        return 1;
    }
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);

    char *p = bench_map("rewrite", bytes);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    bench_fill_random((uint64_t *)p, bytes / sizeof(uint64_t), &x);
    printf("ready %s GiB pid %d: %zu of %zu blocks of %g MiB per round\n", argv[a], (int)getpid(), chosen, blocks,
           (double)block / 1048576.0);
    fflush(stdout);

    double start = bench_now();
    for (long round = 1;; round++) {
        if (every > 0) {
            double wait = start + (double)(round - 1) * every - bench_now();
            if (wait > 0) {
                struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
                }
            }
        } else {
            /* Wait for SIGUSR1 without missing one that comes between the
             * check and the wait. */
            sigprocmask(SIG_BLOCK, &usr1, &old);
            while (rounds_requested == 0)
                sigsuspend(&old);
            rounds_requested--;
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
        double t0 = bench_now();
        for (size_t i = 0; i < chosen; i++) {
            size_t b = i * blocks / chosen;
            bench_fill_random((uint64_t *)(p + b * block), block / sizeof(uint64_t), &x);
        }
        printf("round %ld rewrote %zu in %.3f s\n", round, chosen * block, bench_now() - t0);
        fflush(stdout);
    }
}
