/* amx_tiles: AMX tile registers held across a checkpoint.
 *
 * usage: amx_tiles [STEPS [SLEEP_MS]]
 *
 * Asks the kernel for AMX (arch_prctl ARCH_REQ_XCOMP_PERM), as oneDNN and
 * PyTorch do on start; where that is refused (a CPU without AMX, a kernel
 * before 5.16) it says why on stderr and exits 3. A worker thread loads a
 * known pattern into tile register 0 and keeps it there while it runs STEPS
 * steps (integer work, then SLEEP_MS in nanosleep, one "step N ..." line
 * each); it then stores the tile and prints "tile kept" (or "TILE LOST at
 * byte N"). The main thread touches no AMX until the worker is done, then
 * round-trips a tile of its own and prints "main thread amx ok": after a
 * restore, that needs the process's AMX permission back. A final "result
 * ..." line. Output depends only on the arguments.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <immintrin.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

#define XFEATURE_XTILEDATA 18
#define ROWS 16
#define ROW_BYTES 64

struct tile_config {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

static long steps;
static long pause_ms;
static uint64_t worker_sum;
static int tile_bad = -1;

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void fill_pattern(uint8_t *buf, uint8_t seed)
{
    for (int i = 0; i < ROWS * ROW_BYTES; i++)
        buf[i] = (uint8_t)(seed + i * 7 + (i >> 6));
}

/* Tile 0 only: ROWS rows of ROW_BYTES. Static: the compiler cannot see
 * ldtilecfg read it, and may drop stores to a local it believes unread. */
static const struct tile_config config = { .palette = 1, .colsb = { ROW_BYTES }, .rows = { ROWS } };

static void load_config(void)
{
    _tile_loadconfig(&config);
}

/* The first byte where a tile stored back differs from what was loaded, or -1. */
static int tile_differs(const uint8_t *loaded)
{
    uint8_t stored[ROWS * ROW_BYTES];
    memset(stored, 0, sizeof stored);
    _tile_stored(0, stored, ROW_BYTES);
    for (int i = 0; i < ROWS * ROW_BYTES; i++)
        if (stored[i] != loaded[i])
            return i;
    return -1;
}

static void *worker(void *arg)
{
    (void)arg;
    uint8_t pattern[ROWS * ROW_BYTES];
    fill_pattern(pattern, 0x5a);
    load_config();
    _tile_loadd(0, pattern, ROW_BYTES);

    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (long s = 1; s <= steps; s++) {
        for (int i = 0; i < 200000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        worker_sum += x >> 32;
        printf("step %ld %016" PRIx64 "\n", s, x);
        sleep_ms(pause_ms);
    }
    tile_bad = tile_differs(pattern);
    _tile_release();
    return NULL;
}

static int main_thread_amx_ok(void)
{
    uint8_t pattern[ROWS * ROW_BYTES];
    fill_pattern(pattern, 0xc3);
    load_config();
    _tile_loadd(0, pattern, ROW_BYTES);
    int bad = tile_differs(pattern);
    _tile_release();
    return bad < 0;
}

int main(int argc, char **argv)
{
    steps = workload_arg("amx_tiles", argc, argv, 1, 120, 0, 100000000L);
    pause_ms = workload_arg("amx_tiles", argc, argv, 2, 25, 0, 60000);

    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) {
        fprintf(stderr, "amx_tiles: no AMX here: %s\n", strerror(errno));
        return 3;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("amx_tiles start steps=%ld sleep_ms=%ld\n", steps, pause_ms);

    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        fprintf(stderr, "amx_tiles: pthread_create failed\n");
        return 1;
    }
    pthread_join(t, NULL);
    if (tile_bad < 0)
        printf("tile kept\n");
    else
        printf("TILE LOST at byte %d\n", tile_bad);
    printf("main thread amx %s\n", main_thread_amx_ok() ? "ok" : "BROKEN");
    printf("result %016" PRIx64 "\n", worker_sum);
    return 0;
}
