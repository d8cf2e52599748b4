/* fill_random: hold N GiB of random (incompressible) data, for benchmarks.
 *
 * usage: fill_random GIB [SEED]
 *
 * Maps GIB GiB of anonymous memory, fills it with xorshift64* output, prints
 * "ready GIB GiB" and then sleeps until killed. On SIGUSR1 it checks that the
 * memory still holds the same sequence and prints "verify ok" or
 * "verify BAD at byte N" (used to check a restored copy).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t verify_requested;

static void on_usr1(int sig)
{
    (void)sig;
    verify_requested = 1;
}

static inline uint64_t next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fill_random GIB [SEED]\n");
        return 2;
    }
    char *end = NULL;
    double gib = strtod(argv[1], &end);
    if (end == argv[1] || *end != '\0' || gib <= 0 || gib > 1024) {
        fprintf(stderr, "fill_random: bad size: %s\n", argv[1]);
        return 2;
    }
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ULL;
    if (seed == 0)
        seed = 1;
    size_t bytes = (size_t)(gib * 1024.0 * 1024.0 * 1024.0) & ~(size_t)4095;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0) {
        perror("fill_random: sigaction");
        return 1;
    }

    uint64_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "fill_random: mmap %zu bytes: %s\n", bytes, strerror(errno));
        return 1;
    }
    size_t n = bytes / sizeof *p;
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++)
        p[i] = next(&x);
    printf("ready %s GiB\n", argv[1]);
    fflush(stdout);

    for (;;) {
        pause();
        if (!verify_requested)
            continue;
        verify_requested = 0;
        x = seed;
        size_t bad = n;
        for (size_t i = 0; i < n; i++) {
            if (p[i] != next(&x)) {
                bad = i;
                break;
            }
        }
        if (bad == n)
            printf("verify ok\n");
        else
            printf("verify BAD at byte %zu\n", bad * sizeof *p);
        fflush(stdout);
    }
}
