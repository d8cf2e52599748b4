/* bench_common.h: what the benchmark workloads in tests/bench share.
 * Header-only: the clock, the random sequence, size arguments, big
 * anonymous mappings, and writing memory to a file the way a plain program
 * would (the reference a checkpoint is compared with). */
#ifndef STASIS_BENCH_COMMON_H
#define STASIS_BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The FILE of a leading "--write-to FILE" (NULL without one); *first is
 * then the index of the first argument after it. */
static inline const char *bench_write_to(int argc, char **argv, int *first)
{
    if (argc > 2 && strcmp(argv[1], "--write-to") == 0) {
        *first = 3;
        return argv[2];
    }
    *first = 1;
    return NULL;
}

/* Monotonic seconds: it goes on while a process is frozen, so a workload
 * that times itself sees the time a checkpoint held it. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: fast enough to fill GiBs, and its output does not compress. */
static inline uint64_t bench_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dULL;
}

static inline void bench_fill_random(uint64_t *p, size_t words, uint64_t *state)
{
    for (size_t i = 0; i < words; i++)
        p[i] = bench_next(state);
}

/* A size in GiB ("2", "0.25") as bytes, whole pages; a bad one exits 2. */
static inline size_t bench_gib(const char *prog, const char *arg)
{
    char *end = NULL;
    double gib = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(gib > 0) || gib > 1024) {
        fprintf(stderr, "%s: bad size in GiB: %s\n", prog, arg);
        exit(2);
    }
    return (size_t)(gib * 1073741824.0) & ~(size_t)4095;
}

/* A number in [min, max]; a bad one exits 2. */
static inline double bench_number(const char *prog, const char *what, const char *arg, double min, double max)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(v >= min && v <= max)) {
        fprintf(stderr, "%s: bad %s: %s\n", prog, what, arg);
        exit(2);
    }
    return v;
}

/* Anonymous private memory, populated up front so the first touch is not
 * part of any figure. */
static inline void *bench_map(const char *prog, size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "%s: mmap %zu bytes: %s\n", prog, bytes, strerror(errno));
        exit(1);
    }
    return p;
}

/* Writes BYTES at P to PATH with write(2) in 8 MiB pieces, then fdatasync,
 * as `dd conv=fdatasync` would: the raw write speed of these very bytes.
 * Returns the seconds it took, or exits 1. The file is left for the caller
 * to remove; no descriptor stays open (a checkpoint would record it). */
static inline double bench_write_file(const char *prog, const char *path, const void *p, size_t bytes)
{
    double t0 = bench_now();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "%s: open %s: %s\n", prog, path, strerror(errno));
        exit(1);
    }
    const char *c = p;
    size_t done = 0;
    while (done < bytes) {
        size_t n = bytes - done < (8u << 20) ? bytes - done : (8u << 20);
        ssize_t w = write(fd, c + done, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "%s: write %s: %s\n", prog, path, w < 0 ? strerror(errno) : "short write");
            exit(1);
        }
        done += (size_t)w;
    }
    if (fdatasync(fd) < 0 || close(fd) < 0) {
        fprintf(stderr, "%s: fdatasync %s: %s\n", prog, path, strerror(errno));
        exit(1);
    }
    return bench_now() - t0;
}

/* Reads BYTES at P once (a sum the compiler must keep): the memory read
 * speed a dump cannot beat. Returns the seconds it took. */
static inline double bench_read_memory(const void *p, size_t bytes, uint64_t *sum_out)
{
    double t0 = bench_now();
    const uint64_t *w = p;
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t n = bytes / sizeof *w;
    for (size_t i = 0; i + 3 < n; i += 4) {
        s0 += w[i];
        s1 += w[i + 1];
        s2 += w[i + 2];
        s3 += w[i + 3];
    }
    *sum_out = s0 ^ s1 ^ s2 ^ s3;
    return bench_now() - t0;
}

/* Set by the handlers bench_serve installs. */
static volatile sig_atomic_t bench_usr1, bench_usr2;

static void bench_on_signal(int sig)
{
    if (sig == SIGUSR1)
        bench_usr1 = 1;
    else
        bench_usr2 = 1;
}

/* After the workload's "ready" line: sleeps until killed, and on each
 * SIGUSR2 writes the BYTES at MEM to WRITE_TO (when given) as
 * bench_write_file does, printing "raw-write BYTES SECONDS", so a caller can
 * time the raw write of these very bytes right before and after a dump; on
 * each SIGUSR1 calls VERIFY (when given), which checks the memory of a
 * restored copy. The handlers are in place before "ready" is printed. */
static inline void bench_install_handlers(const char *prog)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = bench_on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGUSR2, &sa, NULL) < 0) {
        fprintf(stderr, "%s: sigaction: %s\n", prog, strerror(errno));
        exit(1);
    }
}

static inline void bench_serve(const char *prog, const void *mem, size_t bytes, const char *write_to,
                               void (*verify)(void))
{
    sigset_t both, old;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    for (;;) {
        /* Blocked between the check and the wait, so none is missed. */
        sigprocmask(SIG_BLOCK, &both, &old);
        while (!bench_usr1 && !bench_usr2)
            sigsuspend(&old);
        int usr1 = bench_usr1, usr2 = bench_usr2;
        bench_usr1 = bench_usr2 = 0;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (usr2 && write_to) {
            double s = bench_write_file(prog, write_to, mem, bytes);
            printf("raw-write %zu %.6f\n", bytes, s);
            fflush(stdout);
        }
        if (usr1 && verify)
            verify();
    }
}

#endif
