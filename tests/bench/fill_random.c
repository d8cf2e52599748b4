/* fill_random: hold N GiB of random (incompressible) data, for benchmarks.
 *
 * usage: fill_random GIB [SEED]
 *
 * Maps GIB GiB of anonymous memory, fills it with xorshift64* output, prints
 * "ready GIB GiB" and then sleeps until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
    uint64_t x = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ULL;
    if (x == 0)
        x = 1;
    size_t bytes = (size_t)(gib * 1024.0 * 1024.0 * 1024.0) & ~(size_t)4095;
    uint64_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "fill_random: mmap %zu bytes: %s\n", bytes, strerror(errno));
        return 1;
    }
    size_t n = bytes / sizeof *p;
    for (size_t i = 0; i < n; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        p[i] = x * 0x2545f4914f6cdd1dULL;
    }
    printf("ready %s GiB\n", argv[1]);
    fflush(stdout);
    for (;;)
        pause();
}
