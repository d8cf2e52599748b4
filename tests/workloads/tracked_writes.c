/* tracked_writes: memory that changes in every way a process can change it,
 * most of them without a store of its own to the page: the workload of the
 * write-tracking test (tests/agent/write_tracking.sh).
 *
 * usage: tracked_writes [STEPS [SLEEP_MS]]
 *
 * Each step stores one word into the main area, and in turn:
 *   every 3rd step  drops one MiB of it (MADV_DONTNEED: it reads as zeros),
 *   every 4th step  has the kernel write a page of it (read() from a pipe),
 *   every 5th step  unmaps a 1 MiB mapping and maps a new one at the same
 *                   address with other contents,
 *   every 6th step  forks a child that rewrites its copy of the area and exits,
 *   every 7th step  swaps two 1 MiB mappings with mremap (each address then
 *                   holds what the other held, though nobody wrote a byte).
 * Every 2nd step it sums everything, in address order. A restored process
 * whose memory missed one of these changes prints another sum from then on.
 * Output depends only on the arguments: "step N sum S" lines and a final
 * "result S".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memory_pattern.h"
#include "workload_args.h"

#define MIB (1024L * 1024L)
#define PAGE 4096L
#define MAIN_MIB 24L

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void *map_mib(void *at, long mib, int prot)
{
    int fixed = at != NULL ? MAP_FIXED : 0;
    void *p = mmap(at, (size_t)(mib * MIB), prot, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
    if (p == MAP_FAILED)
        die("tracked_writes: mmap");
    return p;
}

static void fill(uint64_t *area, long bytes, uint64_t seed)
{
    for (long i = 0; i < bytes / (long)sizeof(uint64_t); i++)
        area[i] = mix((uint64_t)i ^ seed);
}

static uint64_t sum(uint64_t s, const uint64_t *area, long bytes)
{
    for (long i = 0; i < bytes / (long)sizeof(uint64_t); i++)
        s = s * 31 + area[i];
    return s;
}

static void move_mib(void *from, void *to)
{
    if (mremap(from, MIB, MIB, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED)
        die("tracked_writes: mremap");
}

int main(int argc, char **argv)
{
    long steps = workload_arg("tracked_writes", argc, argv, 1, 300, 1, 100000000L);
    long pause_ms = workload_arg("tracked_writes", argc, argv, 2, 20, 0, 60000);

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("tracked_writes start steps=%ld sleep_ms=%ld\n", steps, pause_ms);

    uint64_t *area = map_mib(NULL, MAIN_MIB, PROT_READ | PROT_WRITE);
    /* replaced, c1, c2, and the spare MiB a swap passes through */
    char *places = map_mib(NULL, 4, PROT_NONE);
    uint64_t *replaced = map_mib(places, 1, PROT_READ | PROT_WRITE);
    uint64_t *c1 = map_mib(places + MIB, 1, PROT_READ | PROT_WRITE);
    uint64_t *c2 = map_mib(places + 2 * MIB, 1, PROT_READ | PROT_WRITE);
    void *spare = places + 3 * MIB;
    fill(area, MAIN_MIB * MIB, 1);
    fill(replaced, MIB, 2);
    fill(c1, MIB, 3);
    fill(c2, MIB, 4);
    int pipefd[2];
    if (pipe(pipefd) != 0)
        die("tracked_writes: pipe");
    char page[PAGE];

    uint64_t s = 0;
    for (long step = 1; step <= steps; step++) {
        long words = MAIN_MIB * MIB / (long)sizeof(uint64_t);
        area[mix((uint64_t)step) % (uint64_t)words] = (uint64_t)step;
        if (step % 3 == 0 && madvise((char *)area + (step / 3 % MAIN_MIB) * MIB, MIB, MADV_DONTNEED) != 0)
            die("tracked_writes: madvise");
        if (step % 4 == 0) {
            memset(page, (int)(step & 0xff), sizeof page);
            long at = (long)(mix((uint64_t)step + 7) % (uint64_t)(MAIN_MIB * MIB / PAGE)) * PAGE;
            if (write(pipefd[1], page, sizeof page) != (ssize_t)sizeof page ||
                read(pipefd[0], (char *)area + at, PAGE) != PAGE)
                die("tracked_writes: pipe");
        }
        if (step % 5 == 0) {
            if (munmap(replaced, MIB) != 0)
                die("tracked_writes: munmap");
            map_mib(replaced, 1, PROT_READ | PROT_WRITE);
            fill(replaced, MIB, (uint64_t)step);
        }
        if (step % 6 == 0) {
            pid_t child = fork();
            if (child < 0)
                die("tracked_writes: fork");
            if (child == 0) {
                fill(area, MAIN_MIB * MIB, (uint64_t)step);
                _exit(0);
            }
            int status;
            if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("tracked_writes: child");
        }
        if (step % 7 == 0) {
            move_mib(c1, spare);
            move_mib(c2, c1);
            move_mib(spare, c2);
        }
        if (step % 2 == 0) {
            s = sum(sum(sum(sum(0, area, MAIN_MIB * MIB), replaced, MIB), c1, MIB), c2, MIB);
        }
        printf("step %ld sum %016" PRIx64 "\n", step, s);
        sleep_ms(pause_ms);
    }
    s = sum(sum(sum(sum(0, area, MAIN_MIB * MIB), replaced, MIB), c1, MIB), c2, MIB);
    printf("result %016" PRIx64 "\n", s);
    return 0;
}
