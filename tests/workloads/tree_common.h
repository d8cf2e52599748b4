/* tree_common.h: small helpers shared by the process-tree workloads
 * (tree_*.c) and a few others. Header-only; every function is static inline.
 *
 * Every blocking call restarts after EINTR, since a checkpoint may interrupt
 * it, and every wait that depends on another process of the tree has a
 * deadline, so that a broken restore fails with a message instead of
 * hanging the test.
 */
#ifndef STASIS_TREE_COMMON_H
#define STASIS_TREE_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

static const char *tc_prog = "tree";

static inline void tc_die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", tc_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(111);
}

static inline long tc_arg(int argc, char **argv, int i, long def, long min, long max)
{
    return workload_arg(tc_prog, argc, argv, i, def, min, max);
}

static inline void tc_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static inline int64_t tc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the file "go" exists in the current directory (the
 * workload's WORKDIR): the test's word that the tree may end. A tree that
 * waits for it before its end cannot finish before the test has dumped it,
 * however slow the machine; the test makes the file before a reference run,
 * and after the dump. */
static inline void tc_wait_go(void)
{
    int64_t deadline = tc_now_ms() + 120000;
    while (access("go", F_OK) != 0) {
        if (tc_now_ms() > deadline)
            tc_die("no \"go\" file within 120 s");
        tc_sleep_ms(20);
    }
}

/* A deterministic amount of integer work; returns the new state. */
static inline uint64_t tc_work(uint64_t acc, long iterations)
{
    for (long i = 0; i < iterations; i++) {
        acc ^= acc << 13;
        acc ^= acc >> 7;
        acc ^= acc << 17;
    }
    return acc;
}

/* Reads exactly len bytes, or dies naming what it read. */
static inline void tc_read_all(int fd, void *buf, size_t len, const char *what)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            tc_die("%s: read: %s", what, n < 0 ? strerror(errno) : "end of file");
        p += n;
        len -= (size_t)n;
    }
}

static inline void tc_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            tc_die("write to fd %d: %s", fd, strerror(errno));
        p += n;
        len -= (size_t)n;
    }
}

/* printf to an fd with one write(2) */
static inline void tc_fdprintf(int fd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        tc_die("line too long");
    tc_write_all(fd, buf, (size_t)n);
}

/* waitpid(pid) restarting after EINTR; returns the wait status. */
static inline int tc_wait(pid_t pid)
{
    int status = 0;
    pid_t r;
    while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r != pid)
        tc_die("waitpid(child) returned %d: %s", (int)r, r < 0 ? strerror(errno) : "another pid");
    return status;
}

/* "exited 3" / "killed by signal 10" */
static inline const char *tc_status(int status)
{
    static char buf[64];
    if (WIFEXITED(status))
        snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sizeof buf, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, sizeof buf, "status 0x%x", status);
    return buf;
}

/* Open PATH for writing (created, truncated), O_CLOEXEC. */
static inline int tc_create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        tc_die("cannot create %s: %s", path, strerror(errno));
    return fd;
}

/* A frame on a stream: its length (4 bytes, host order), then its bytes. */
static inline void tc_send_frame(int fd, const void *data, uint32_t len)
{
    tc_write_all(fd, &len, sizeof len);
    tc_write_all(fd, data, len);
}

/* Reads one frame into buf (room for max bytes); returns its length, or dies
 * naming what it read. */
static inline uint32_t tc_read_frame(int fd, char *buf, uint32_t max, const char *what)
{
    uint32_t len;
    tc_read_all(fd, &len, sizeof len, what);
    if (len > max)
        tc_die("%s: frame of %u bytes", what, len);
    tc_read_all(fd, buf, len, what);
    return len;
}

/* FNV-1a: h updated with len bytes of data. */
static inline uint64_t tc_fnv(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Copy the file PATH to stdout, each line prefixed with PREFIX; returns an
 * FNV-1a hash of its bytes. */
static inline uint64_t tc_cat(const char *path, const char *prefix)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        tc_die("cannot open %s: %s", path, strerror(errno));
    uint64_t h = 0xcbf29ce484222325ULL;
    char line[2048];
    while (fgets(line, sizeof line, f) != NULL) {
        h = tc_fnv(line, strlen(line), h);
        printf("%s%s", prefix, line);
        size_t n = strlen(line);
        if (n == 0 || line[n - 1] != '\n')
            printf("\n[no newline at end]\n");
    }
    fclose(f);
    return h;
}

#endif
