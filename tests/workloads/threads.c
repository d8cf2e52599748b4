/* threads: a deterministic multi-threaded workload for checkpoint/restart tests.
 *
 * usage: threads [STEPS [NTHREADS [SLEEP_MS [WORK [PACE_FILE]]]]]
 *
 * NTHREADS workers (default 4) run STEPS steps. In each step every worker
 * computes a partial result with double vectors (AVX2 code when the CPU has
 * it, otherwise SSE2; the results are identical), odd-numbered workers then
 * sleep in nanosleep() with known values held in vector registers across the
 * system call (ymm8-ymm11 with AVX, xmm8-xmm11 otherwise) and check them
 * afterwards, and all workers add their partials into a shared total in
 * worker order (mutex + condition variable, so workers block in futex) and
 * meet at a pthread barrier. The last worker of each step prints
 * "step N ...". The main thread spends the run in pthread_join(), then prints
 * "vector registers ok" (or "VECTOR REGISTERS CORRUPTED ...") and a final
 * "result ..." line. Output depends only on the arguments.
 *
 * With PACE_FILE, the odd workers sleep only while that file exists: a long
 * run is paced by its sleeps for as long as a test wants, and then (the file
 * removed) ends at full speed, as does its uninterrupted reference run
 * without the file. The file does not change the output.
 */
#define _GNU_SOURCE
#include <errno.h>
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

#define MAX_THREADS 64

typedef double v4d __attribute__((vector_size(32)));

static long steps;
static int nthreads;
static long pause_ms;
static long work;
static const char *pace_file;
static int have_avx;
static int have_avx2;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;
static pthread_barrier_t barrier;
static double total;
static uint64_t mix = 0xcbf29ce484222325ULL;
static int regs_bad;
static long regs_bad_step;
static int regs_bad_thread;

struct worker_result {
    v4d acc;
    uint64_t state;
};
static struct worker_result results[MAX_THREADS];

static void die(const char *what, int err)
{
    fprintf(stderr, "threads: %s: %s\n", what, strerror(err));
    exit(1);
}

/* The same computation, compiled twice: lane-wise double arithmetic gives the
 * same bits with AVX2 and with SSE2 (no FMA contraction: -ffp-contract=off). */
#define COMPUTE_BODY                                                              \
    v4d a = *acc;                                                                 \
    for (long i = 0; i < n; i++) {                                                \
        uint64_t s = *state;                                                      \
        s ^= s << 13;                                                             \
        s ^= s >> 7;                                                              \
        s ^= s << 17;                                                             \
        *state = s;                                                               \
        v4d t = { (double)(s & 0xffff), (double)((s >> 16) & 0xffff),             \
                  (double)((s >> 32) & 0xffff), (double)(s >> 48) };              \
        a = a * k1 + t * k2;                                                      \
    }                                                                             \
    *acc = a;

__attribute__((target("avx2"))) static void compute_avx2(v4d *acc, uint64_t *state, long n)
{
    const v4d k1 = { 0.999, 0.998, 0.997, 0.996 };
    const v4d k2 = { 1e-3, 2e-3, 3e-3, 4e-3 };
    COMPUTE_BODY
}

static void compute_generic(v4d *acc, uint64_t *state, long n)
{
    const v4d k1 = { 0.999, 0.998, 0.997, 0.996 };
    const v4d k2 = { 1e-3, 2e-3, 3e-3, 4e-3 };
    COMPUTE_BODY
}

/* nanosleep() as a raw system call with 16 doubles held in vector registers
 * across it; the kernel preserves them, and so must a checkpoint/restore that
 * catches the thread inside the call. Returns the syscall's return value. */
__attribute__((target("avx"))) static long sleep_in_ymm(const struct timespec *req, double *v)
{
    long ret;
    __asm__ volatile("vmovupd 0(%[v]), %%ymm8\n\t"
                     "vmovupd 32(%[v]), %%ymm9\n\t"
                     "vmovupd 64(%[v]), %%ymm10\n\t"
                     "vmovupd 96(%[v]), %%ymm11\n\t"
                     "syscall\n\t"
                     "vmovupd %%ymm8, 0(%[v])\n\t"
                     "vmovupd %%ymm9, 32(%[v])\n\t"
                     "vmovupd %%ymm10, 64(%[v])\n\t"
                     "vmovupd %%ymm11, 96(%[v])\n\t"
                     "vzeroupper\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_nanosleep), "D"(req), "S"((void *)0), [v] "r"(v)
                     : "rcx", "r11", "memory", "xmm8", "xmm9", "xmm10", "xmm11");
    return ret;
}

static long sleep_in_xmm(const struct timespec *req, double *v)
{
    long ret;
    __asm__ volatile("movupd 0(%[v]), %%xmm8\n\t"
                     "movupd 16(%[v]), %%xmm9\n\t"
                     "movupd 32(%[v]), %%xmm10\n\t"
                     "movupd 48(%[v]), %%xmm11\n\t"
                     "syscall\n\t"
                     "movupd %%xmm8, 0(%[v])\n\t"
                     "movupd %%xmm9, 16(%[v])\n\t"
                     "movupd %%xmm10, 32(%[v])\n\t"
                     "movupd %%xmm11, 48(%[v])\n\t"
                     : "=a"(ret)
                     : "0"((long)SYS_nanosleep), "D"(req), "S"((void *)0), [v] "r"(v)
                     : "rcx", "r11", "memory", "xmm8", "xmm9", "xmm10", "xmm11");
    return ret;
}

/* Sleep pause_ms with known values in vector registers; 0 if they survived. */
static int sleep_keeping_vectors(int id, long step)
{
    double want[16], v[16];
    for (int i = 0; i < 16; i++)
        want[i] = (double)id * 1000.5 + (double)step * 0.25 + (double)i * 1e-3;
    struct timespec req = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
    int n = have_avx ? 16 : 8;
    for (;;) {
        memcpy(v, want, sizeof v);
        long ret = have_avx ? sleep_in_ymm(&req, v) : sleep_in_xmm(&req, v);
        if (memcmp(v, want, (size_t)n * sizeof(double)) != 0)
            return 1;
        /* Interrupted (for example by a checkpoint): sleep again, the
         * output does not depend on how long we slept. */
        if (ret == -EINTR)
            continue;
        if (ret != 0)
            die("nanosleep", (int)-ret);
        return 0;
    }
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint64_t state = 0x0123456789abcdefULL ^ ((uint64_t)(id + 1) * 0x9e3779b97f4a7c15ULL);
    v4d acc = { (double)id, (double)id + 0.5, (double)id + 0.25, (double)id + 0.125 };

    for (long s = 1; s <= steps; s++) {
        /* Uneven work so that workers wait for each other. */
        long n = work + (work / 4) * (id % 3);
        if (have_avx2)
            compute_avx2(&acc, &state, n);
        else
            compute_generic(&acc, &state, n);

        int bad = 0;
        if (id % 2 == 1 && pause_ms > 0 && (!pace_file || access(pace_file, F_OK) == 0))
            bad = sleep_keeping_vectors(id, s);

        int rc = pthread_mutex_lock(&mu);
        if (rc)
            die("pthread_mutex_lock", rc);
        while (turn != id)
            pthread_cond_wait(&cv, &mu);
        if (bad && !regs_bad) {
            regs_bad = 1;
            regs_bad_step = s;
            regs_bad_thread = id;
        }
        total += acc[0] + acc[1] * 2.0 + acc[2] * 3.0 + acc[3] * 4.0;
        mix = (mix ^ state) * 0x100000001b3ULL;
        turn = (id + 1) % nthreads;
        if (id == nthreads - 1)
            printf("step %ld total=%.17g mix=%016" PRIx64 "\n", s, total, mix);
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);

        rc = pthread_barrier_wait(&barrier);
        if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
            die("pthread_barrier_wait", rc);
    }
    results[id].acc = acc;
    results[id].state = state;
    return NULL;
}

int main(int argc, char **argv)
{
    steps = workload_arg("threads", argc, argv, 1, 200, 1, 100000000L);
    nthreads = (int)workload_arg("threads", argc, argv, 2, 4, 1, MAX_THREADS);
    pause_ms = workload_arg("threads", argc, argv, 3, 15, 0, 60000);
    work = workload_arg("threads", argc, argv, 4, 300000, 1, 1000000000L);
    pace_file = argc > 5 ? argv[5] : NULL;

    setvbuf(stdout, NULL, _IOLBF, 0);
    __builtin_cpu_init();
    have_avx = __builtin_cpu_supports("avx");
    have_avx2 = __builtin_cpu_supports("avx2");
    if (getenv("STASIS_WORKLOAD_NO_AVX")) /* to check both paths agree */
        have_avx = have_avx2 = 0;
    printf("threads start steps=%ld threads=%d sleep_ms=%ld work=%ld\n", steps, nthreads, pause_ms,
           work);

    int rc = pthread_barrier_init(&barrier, NULL, (unsigned)nthreads);
    if (rc)
        die("pthread_barrier_init", rc);
    pthread_t tids[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) {
        rc = pthread_create(&tids[i], NULL, worker, (void *)(intptr_t)i);
        if (rc)
            die("pthread_create", rc);
    }
    for (int i = 0; i < nthreads; i++) {
        rc = pthread_join(tids[i], NULL);
        if (rc)
            die("pthread_join", rc);
    }

    if (regs_bad)
        printf("VECTOR REGISTERS CORRUPTED in thread %d at step %ld\n", regs_bad_thread,
               regs_bad_step);
    else
        printf("vector registers ok\n");
    uint64_t h = mix;
    double sum = 0.0;
    for (int i = 0; i < nthreads; i++) {
        h = (h ^ results[i].state) * 0x100000001b3ULL;
        for (int l = 0; l < 4; l++)
            sum += results[i].acc[l];
    }
    printf("result total=%.17g sum=%.17g hash=%016" PRIx64 "\n", total, sum, h);
    return 0;
}
