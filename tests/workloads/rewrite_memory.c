/* rewrite_memory: a workload whose memory mostly stays as it was, for the
 * incremental checkpoint tests.
 *
 * usage: rewrite_memory [MIB [STEPS [SLEEP_MS]]]
 *
 * Fills MIB MiB with a deterministic pattern, then each step rewrites one
 * MiB of the first quarter (in turn) with values derived from the step, and
 * every 8th step sums the whole area. A restored process whose memory lost
 * or mixed up one chunk prints another sum from then on. Output depends
 * only on the arguments: "step N sum S" lines and a final "result S".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memory_pattern.h"
#include "workload_args.h"

#define MIB (1024L * 1024L)

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static uint64_t sum_all(const uint64_t *area, long words)
{
    uint64_t s = 0;
    for (long i = 0; i < words; i++) {
        s = s * 31 + area[i];
    }
    return s;
}

int main(int argc, char **argv)
{
    long mib = workload_arg("rewrite_memory", argc, argv, 1, 64, 4, 65536);
    long steps = workload_arg("rewrite_memory", argc, argv, 2, 200, 1, 100000000L);
    long pause_ms = workload_arg("rewrite_memory", argc, argv, 3, 20, 0, 60000);

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("rewrite_memory start mib=%ld steps=%ld sleep_ms=%ld\n", mib, steps, pause_ms);

    long words = mib * MIB / (long)sizeof(uint64_t);
    long words_per_mib = MIB / (long)sizeof(uint64_t);
    uint64_t *area = malloc((size_t)(mib * MIB));
    if (area == NULL) {
        fprintf(stderr, "rewrite_memory: cannot allocate %ld MiB\n", mib);
        return 1;
    }
    for (long i = 0; i < words; i++) {
        area[i] = mix((uint64_t)i);
    }
    uint64_t sum = sum_all(area, words);
    printf("filled sum %016" PRIx64 "\n", sum);

    long rewritten = mib / 4;
    for (long s = 1; s <= steps; s++) {
        uint64_t *slice = area + (s % rewritten) * words_per_mib;
        for (long i = 0; i < words_per_mib; i++) {
            slice[i] = mix(slice[i] ^ (uint64_t)s);
        }
        if (s % 8 == 0) {
            sum = sum_all(area, words);
        }
        printf("step %ld sum %016" PRIx64 "\n", s, sum);
        sleep_ms(pause_ms);
    }
    printf("result %016" PRIx64 "\n", sum_all(area, words));
    free(area);
    return 0;
}
