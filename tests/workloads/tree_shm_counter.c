/* tree_shm_counter: a parent and two children share MAP_SHARED|MAP_ANONYMOUS
 * memory and count in it, for checkpoint/restart tests of process trees.
 *
 * usage: tree_shm_counter [STEPS [SLEEP_MS]]
 *
 * The root maps 16 pages shared and anonymous, puts a process-shared
 * pthread mutex and counters in the first page, and forks two children.
 * Each of the three, for STEPS steps: computes a little, then under the
 * mutex adds to a shared counter, a shared sum and its own slot, adds to an
 * atomic counter without the mutex, writes a record into its own part of
 * the other pages, and sleeps SLEEP_MS. The second child fills pages the
 * root never touches before the end. Then each waits (with a deadline) until
 * the shared counter shows every process's steps, i.e. until it sees the
 * others' increments, and the root waits for both children by pid. The root
 * prints one stdout line per step (its own state only) and at the end every
 * counter, the children's statuses and a checksum of the shared pages. If
 * the memory were not shared after a restore, the counters would be short
 * and the waits would time out. Nothing printed depends on pids or timing.
 */
#include "tree_common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define PAGE 4096
#define PAGES 16
#define NPROC 3
#define WAIT_MS 20000

struct shared {
    pthread_mutex_t lock;
    long counter;
    uint64_t sum;
    long slot[NPROC];
    long saw_all[NPROC];
    _Atomic long atomic_counter;
};

/* Records: process k writes its step s record at page 1 + k*5 + s % 5. */
static uint64_t *record(char *base, int k, long s)
{
    char *page = base + PAGE * (size_t)(1 + k * 5 + s % 5);
    return (uint64_t *)page + (s / 5) % (PAGE / sizeof(uint64_t));
}

static void lock(struct shared *sh)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_MS / 1000;
    int r = pthread_mutex_timedlock(&sh->lock, &until);
    if (r != 0)
        tc_die("mutex: %s", strerror(r));
}

static uint64_t run(char *base, int k, long steps, long sleep_ms, int verbose)
{
    struct shared *sh = (struct shared *)base;
    uint64_t acc = 0x1000 + (uint64_t)k;
    for (long s = 1; s <= steps; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 20000);
        lock(sh);
        sh->counter++;
        sh->sum += acc % 1000003;
        sh->slot[k]++;
        pthread_mutex_unlock(&sh->lock);
        atomic_fetch_add(&sh->atomic_counter, 1);
        *record(base, k, s) ^= acc;
        if (verbose)
            printf("root step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_sleep_ms(sleep_ms);
    }
    /* Wait until every process's increments are visible here. */
    int64_t deadline = tc_now_ms() + WAIT_MS;
    for (;;) {
        lock(sh);
        long c = sh->counter;
        pthread_mutex_unlock(&sh->lock);
        if (c == NPROC * steps && atomic_load(&sh->atomic_counter) == NPROC * steps)
            break;
        if (tc_now_ms() > deadline)
            tc_die("process %d: the shared counter stays at %ld (atomic %ld), expected %ld", k, c,
                   atomic_load(&sh->atomic_counter), NPROC * steps);
        tc_sleep_ms(10);
    }
    lock(sh);
    sh->saw_all[k] = sh->counter;
    pthread_mutex_unlock(&sh->lock);
    return acc;
}

int main(int argc, char **argv)
{
    tc_prog = "tree_shm_counter";
    long steps = tc_arg(argc, argv, 1, 120, 1, 1000000);
    long sleep_ms = tc_arg(argc, argv, 2, 25, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("shm_counter start steps=%ld sleep_ms=%ld\n", steps, sleep_ms);

    char *base = mmap(NULL, PAGE * PAGES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        tc_die("mmap: %s", strerror(errno));
    struct shared *sh = (struct shared *)base;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&sh->lock, &attr);
    pthread_mutexattr_destroy(&attr);

    pid_t kids[2];
    for (int k = 1; k <= 2; k++) {
        pid_t p = fork();
        if (p < 0)
            tc_die("fork: %s", strerror(errno));
        if (p == 0) {
            uint64_t acc = run(base, k, steps, sleep_ms + 3 * k, 0);
            _exit((int)(acc % 100));
        }
        kids[k - 1] = p;
    }
    uint64_t acc = run(base, 0, steps, sleep_ms, 1);
    for (int k = 1; k <= 2; k++)
        printf("child %d %s\n", k, tc_status(tc_wait(kids[k - 1])));

    printf("counter %ld atomic %ld sum %" PRIu64 "\n", sh->counter, atomic_load(&sh->atomic_counter), sh->sum);
    for (int k = 0; k < NPROC; k++)
        printf("process %d: slot %ld saw %ld\n", k, sh->slot[k], sh->saw_all[k]);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = PAGE; i < PAGE * PAGES; i++) {
        h ^= (unsigned char)base[i];
        h *= 0x100000001b3ULL;
    }
    printf("result acc=%016" PRIx64 " counter=%ld pages=%016" PRIx64 "\n", acc, sh->counter, h);
    return 0;
}
