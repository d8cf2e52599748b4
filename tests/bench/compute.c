/* compute: a compute-bound job that measures its own progress, for the
 * slowdown benchmark.
 *
 * usage: compute GIB SECONDS
 *
 * Holds GIB GiB of doubles in (0, 1), as many a simulation does: seven
 * eighths a table it only reads (a mesh, cross sections, a matrix) and one
 * eighth the state it rewrites. A unit of work takes the next 256 KiB block
 * of the state and of the table, mixes them, and iterates a logistic map
 * 1024 times over the block while it is in cache: arithmetic, not memory
 * traffic, sets the pace, and the state is rewritten over and over (every
 * few seconds to a minute, depending on the size). After SECONDS seconds of
 * monotonic time (which goes on while a checkpoint holds the job) it prints
 * "done UNITS units in S s, CPU cpu s, REWRITE MiB/s rewritten" and exits
 * 0: fewer units in the same time is the slowdown a checkpointer caused, and
 * units per CPU second tell it from a busy machine's share of the CPU.
 * Every 10 s it prints "progress S UNITS".
 */
#include "bench_common.h"

#include <inttypes.h>

enum { block_doubles = 32768, iterations = 1024 };

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: compute GIB SECONDS\n");
        return 2;
    }
    size_t bytes = bench_gib("compute", argv[1]);
    double seconds = bench_number("compute", "duration in seconds", argv[2], 0.1, 1e6);
    size_t blocks = bytes / (block_doubles * sizeof(double));
    size_t state_blocks = blocks / 8, table_blocks = blocks - state_blocks;
    if (state_blocks == 0) {
        fprintf(stderr, "compute: %s GiB is less than 8 blocks of 256 KiB\n", argv[1]);
        return 2;
    }
    double *mem = bench_map("compute", blocks * block_doubles * sizeof(double));
    double *table = mem, *state = mem + table_blocks * block_doubles;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < blocks * block_doubles; i++)
        mem[i] = ((double)(bench_next(&x) >> 11) + 0.5) / 9007199254740992.0;
    printf("ready %s GiB pid %d: %zu MiB state, %zu MiB read-only table\n", argv[1], (int)getpid(),
           state_blocks / 4, table_blocks / 4);
    fflush(stdout);

    double t0 = bench_now(), c0 = cpu_now(), next_report = t0 + 10, now = t0;
    uint64_t units = 0;
    while (now - t0 < seconds) {
        double *s = state + (units % state_blocks) * block_doubles;
        const double *t = table + (units % table_blocks) * block_doubles;
        for (size_t i = 0; i < block_doubles; i++)
            s[i] = 0.5 * (s[i] + t[i]);
        for (int it = 0; it < iterations; it++)
            for (size_t i = 0; i < block_doubles; i++)
                s[i] = 3.99 * s[i] * (1.0 - s[i]);
        units++;
        now = bench_now();
        if (now >= next_report) {
            printf("progress %.1f %" PRIu64 "\n", now - t0, units);
            fflush(stdout);
            next_report += 10;
        }
    }
    double wall = now - t0;
    printf("done %" PRIu64 " units in %.3f s, %.3f cpu s, %.1f MiB/s rewritten\n", units, wall, cpu_now() - c0,
           (double)units * block_doubles * sizeof(double) / 1048576.0 / wall);
    return 0;
}
