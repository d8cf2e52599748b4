/* forked_pages: a parent fills memory, then forks workers that read all of
 * it, as a multiprocessing pool does; for the tests of pages a forked child
 * still shares with its parent.
 *
 * usage: forked_pages [MIB [CHILDREN [STEPS [SLEEP_MS]]]]
 *
 * The root fills MIB MiB of private anonymous memory with pseudo-random
 * (incompressible) words, then forks CHILDREN children; child 0 forks a
 * grandchild first, which acts as child CHILDREN. Child k first rewrites
 * the first 256 KiB of MiB k with a pattern of its own (those pages are its
 * own from then on) and the root rewrites the last 256 KiB; each of them
 * then, for STEPS steps, reads the whole buffer, checks that every word is
 * the one it last wrote or the root's fill, and sleeps SLEEP_MS. A child
 * exits with a status made of its sum (child 0's of the grandchild's too);
 * the root prints one line per step and at the end each child's status. A
 * page restored with another process's bytes, or with nothing, changes the
 * sums or fails the check. Nothing printed depends on pids or timing.
 */
#include "tree_common.h"

#include <sys/mman.h>

#define MIB (1024 * 1024)
#define OWN (256 * 1024)
#define MAX_CHILDREN 16

static uint64_t fill_word(size_t i)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL * (i + 1);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    return x ^ (x >> 29);
}

static uint64_t own_word(int k, size_t i)
{
    return fill_word(i) ^ (0x0101010101010101ULL * (uint64_t)(k + 1));
}

/* The words process k rewrote: the root (k = -1) its last OWN bytes, a
 * child its first OWN bytes of MiB k. */
static int rewrote(int k, size_t i, size_t words)
{
    const size_t own = OWN / sizeof(uint64_t);
    if (k < 0)
        return i >= words - own;
    size_t from = (size_t)k * (MIB / sizeof(uint64_t));
    return i >= from && i < from + own;
}

static void rewrite(uint64_t *buf, size_t words, int k)
{
    for (size_t i = 0; i < words; i++)
        if (rewrote(k, i, words))
            buf[i] = own_word(k, i);
}

/* Reads every word, dies on one that is neither this process's nor the
 * fill; returns their sum. */
static uint64_t check(const uint64_t *buf, size_t words, int k)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < words; i++) {
        uint64_t want = rewrote(k, i, words) ? own_word(k, i) : fill_word(i);
        if (buf[i] != want)
            tc_die("process %d: word %zu is %016" PRIx64 ", not %016" PRIx64, k, i, buf[i], want);
        sum += buf[i] * (i | 1);
    }
    return sum;
}

int main(int argc, char **argv)
{
    tc_prog = "forked_pages";
    long mib = tc_arg(argc, argv, 1, 32, 2, 4096);
    long children = tc_arg(argc, argv, 2, 3, 1, MAX_CHILDREN);
    long steps = tc_arg(argc, argv, 3, 60, 1, 1000000);
    long sleep_ms = tc_arg(argc, argv, 4, 50, 0, 60000);
    if (children + 1 >= mib)
        tc_die("%ld children and a grandchild need more than %ld MiB", children, mib);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("forked_pages start mib=%ld children=%ld steps=%ld\n", mib, children, steps);

    size_t words = (size_t)mib * MIB / sizeof(uint64_t);
    uint64_t *buf = mmap(NULL, (size_t)mib * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        tc_die("mmap: %s", strerror(errno));
    for (size_t i = 0; i < words; i++)
        buf[i] = fill_word(i);
    printf("filled\n");

    pid_t kids[MAX_CHILDREN];
    for (int k = 0; k < children; k++) {
        pid_t p = fork();
        if (p < 0)
            tc_die("fork: %s", strerror(errno));
        if (p == 0) {
            pid_t grandchild = -1;
            int own = k;
            if (k == 0 && (grandchild = fork()) == 0)
                own = (int)children;
            if (grandchild < 0 && own == 0)
                tc_die("fork: %s", strerror(errno));
            rewrite(buf, words, own);
            uint64_t sum = 0;
            for (long s = 1; s <= steps; s++) {
                sum += check(buf, words, own);
                tc_sleep_ms(sleep_ms);
            }
            if (grandchild > 0) {
                int status = tc_wait(grandchild);
                sum += WIFEXITED(status) ? (uint64_t)WEXITSTATUS(status) : 1000;
            }
            _exit((int)(sum % 97) + 1);
        }
        kids[k] = p;
    }
    rewrite(buf, words, -1);
    printf("forked\n");
    uint64_t sum = 0;
    for (long s = 1; s <= steps; s++) {
        sum += check(buf, words, -1);
        printf("root step %ld sum=%016" PRIx64 "\n", s, sum);
        tc_sleep_ms(sleep_ms);
    }
    for (int k = 0; k < children; k++) {
        int status = tc_wait(kids[k]);
        printf("child %d status %d\n", k, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    printf("result %016" PRIx64 "\n", sum);
    return 0;
}
