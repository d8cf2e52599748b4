/* fill_random: hold N GiB of random (incompressible) data, for benchmarks.
 *
 * usage: fill_random [--write-to FILE] GIB [SEED [WORKERS]]
 *
 * Maps GIB GiB of anonymous memory, fills it with xorshift64* output, times
 * one read of it ("mem-read BYTES SECONDS"), prints "ready GIB GiB pid PID"
 * and then sleeps until killed. On SIGUSR2 (with --write-to) it writes its
 * memory to FILE with write(2) and fdatasync and prints "raw-write BYTES
 * SECONDS": the raw write speed of these very bytes, the reference of a
 * dump (the caller removes FILE). On SIGUSR1 it checks that the memory still
 * holds the same sequence and prints "verify ok" or "verify BAD at byte N"
 * (used to check a restored copy). With WORKERS, once filled it forks that
 * many workers first, a pool sharing the memory they only read; each
 * prints "worker pid PID" and serves SIGUSR1 the same way.
 */
#include "bench_common.h"

#include <inttypes.h>

static uint64_t *mem;
static size_t words;
static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static void verify(void)
{
    uint64_t x = seed;
    size_t bad = words;
    for (size_t i = 0; i < words; i++) {
        if (mem[i] != bench_next(&x)) {
            bad = i;
            break;
        }
    }
    if (bad == words)
        printf("verify ok\n");
    else
        printf("verify BAD at byte %zu\n", bad * sizeof *mem);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int a = 1;
    const char *write_to = bench_write_to(argc, argv, &a);
    if (argc - a < 1 || argc - a > 3) {
        fprintf(stderr, "usage: fill_random [--write-to FILE] GIB [SEED [WORKERS]]\n");
        return 2;
    }
    size_t bytes = bench_gib("fill_random", argv[a]);
    if (argc - a > 1)
        seed = strtoull(argv[a + 1], NULL, 0);
    long workers = argc - a > 2 ? strtol(argv[a + 2], NULL, 10) : 0;
    if (seed == 0)
        seed = 1;
    bench_install_handlers("fill_random");

    mem = bench_map("fill_random", bytes);
    words = bytes / sizeof *mem;
    uint64_t x = seed;
    bench_fill_random(mem, words, &x);

    uint64_t sum;
    double read_s = bench_read_memory(mem, bytes, &sum);
    printf("mem-read %zu %.6f (sum %016" PRIx64 ")\n", bytes, read_s, sum);
    fflush(stdout);
    for (long w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "fill_random: fork: %s\n", strerror(errno));
            return 1;
        }
        if (pid == 0) {
            printf("worker pid %d\n", (int)getpid());
            fflush(stdout);
            bench_serve("fill_random", mem, bytes, NULL, verify);
        }
    }
    printf("ready %s GiB pid %d\n", argv[a], (int)getpid());
    fflush(stdout);
    bench_serve("fill_random", mem, bytes, write_to, verify);
}
