/* memory_kinds: a workload that holds many kinds of process state, for
 * checkpoint/restart tests.
 *
 * usage: memory_kinds WORKDIR [STEPS [SLEEP_MS]]
 *
 * It creates WORKDIR/mk-work, chdirs into it and keeps, across its steps:
 *   - small malloc()s (the brk heap), one big malloc() (mmap'd by malloc),
 *     a partly touched anonymous mmap, a read-only (mprotect) region and a
 *     PROT_NONE guard page;
 *   - a MAP_PRIVATE mapping of a file it created (some pages written, some
 *     only read) and a MAP_SHARED mapping of another file it writes to;
 *   - a read-only fd at an offset it reads on from, an O_APPEND fd and an
 *     O_WRONLY fd it writes a line to each step, and /dev/null;
 *   - a SIGUSR1 handler (SA_RESTART) it raise()s every few steps, SIGUSR2
 *     blocked and pending from the start (unblocked at the end: its handler
 *     must run exactly once), SIGPIPE ignored;
 *   - RLIMIT_NOFILE lowered, umask 077, the cwd;
 *   - five small regions, each with one madvise advice the kernel keeps
 *     (DONTFORK, WIPEONFORK, HUGEPAGE, NOHUGEPAGE, DONTDUMP): at the end it
 *     reads each region's VmFlags, and forks a child that finds the
 *     DONTFORK region absent and the WIPEONFORK one zeroed.
 * At the end it prints all of that state and checksums of every file and
 * memory area. Nothing printed depends on WORKDIR, timing or pids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

#define PAGE 4096
#define PRIV_PAGES 64
#define SHARED_PAGES 16
#define ANON_PAGES 4096 /* 16 MiB */
#define BIG_MALLOC (8u << 20)
#define RO_PAGES 4
#define RO_FILE_SIZE 65536
#define RO_START (4096 + 123)
#define RO_READ 32

static volatile sig_atomic_t usr1_count;
static volatile sig_atomic_t usr2_count;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2_count++;
}

static void die(const char *what)
{
    fprintf(stderr, "memory_kinds: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* FNV-1a, 64 bit */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL

static void write_all(int fd, const void *buf, size_t n, const char *what)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die(what);
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Checksum of a whole file, read through a new fd. */
static uint64_t file_sum(const char *path, long *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die(path);
    uint64_t h = FNV_INIT;
    char buf[8192];
    long total = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die(path);
        }
        if (r == 0)
            break;
        h = fnv(h, buf, (size_t)r);
        total += r;
    }
    close(fd);
    *size = total;
    return h;
}

static int create_file(const char *path, size_t size, unsigned seed)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die(path);
    unsigned char *buf = malloc(size);
    if (!buf)
        die("malloc");
    for (size_t i = 0; i < size; i++)
        buf[i] = (unsigned char)((i / PAGE) * 7 + seed + (i % 251));
    write_all(fd, buf, size, path);
    free(buf);
    return fd;
}

/* Permissions ("rw-p") of the mapping that contains addr, from /proc/self/maps. */
static void perms_of(const void *addr, char out[5])
{
    strcpy(out, "????");
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        die("/proc/self/maps");
    char line[512];
    uintptr_t a = (uintptr_t)addr;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && a >= lo && a < hi) {
            memcpy(out, perms, 5);
            break;
        }
    }
    fclose(f);
}

/* Regions given one advice each, and the VmFlags name of the advice. */
static const struct {
    int advice;
    const char *flag;
} advices[] = {{MADV_DONTFORK, "dc"}, {MADV_WIPEONFORK, "wf"}, {MADV_HUGEPAGE, "hg"},
               {MADV_NOHUGEPAGE, "nh"}, {MADV_DONTDUMP, "dd"}};
#define ADVISED (sizeof advices / sizeof advices[0])

static void advise_regions(unsigned char *regions[ADVISED])
{
    for (size_t i = 0; i < ADVISED; i++) {
        regions[i] = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (regions[i] == MAP_FAILED)
            die("mmap advised");
        memset(regions[i], (int)(0x41 + i), 2 * PAGE);
        if (madvise(regions[i], 2 * PAGE, advices[i].advice) < 0)
            die("madvise");
    }
}

/* Whether the VmFlags of the region holding addr name flag. */
static int has_vm_flag(const void *addr, const char *flag)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (!f)
        die("/proc/self/smaps");
    char line[512];
    int inside = 0, found = 0;
    uintptr_t a = (uintptr_t)addr;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = a >= lo && a < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            for (char *t = strtok(line + 8, " \n"); t; t = strtok(NULL, " \n"))
                found |= strcmp(t, flag) == 0;
            break;
        }
    }
    fclose(f);
    return found;
}

static void report_advice(unsigned char *regions[ADVISED])
{
    printf("advice kept:");
    for (size_t i = 0; i < ADVISED; i++)
        printf(" %s=%s", advices[i].flag, has_vm_flag(regions[i], advices[i].flag) ? "yes" : "NO");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        int absent = msync(regions[0], PAGE, MS_ASYNC) < 0 && errno == ENOMEM;
        int zeroed = regions[1][0] == 0 && regions[1][PAGE] == 0;
        _exit(absent | zeroed << 1);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int bits = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    printf("; in a fork child dontfork %s, wipeonfork %s\n", bits >= 0 && (bits & 1) ? "absent" : "PRESENT",
           bits >= 0 && (bits & 2) ? "zeroed" : "NOT ZEROED");
}

struct node {
    struct node *next;
    uint32_t len;
    unsigned char data[];
};

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: memory_kinds WORKDIR [STEPS [SLEEP_MS]]\n");
        return 2;
    }
    long steps = workload_arg("memory_kinds", argc, argv, 2, 150, 1, 100000000L);
    long pause_ms = workload_arg("memory_kinds", argc, argv, 3, 25, 0, 60000);

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("memory_kinds start steps=%ld sleep_ms=%ld\n", steps, pause_ms);

    /* --- process attributes --- */
    if (chdir(argv[1]) < 0)
        die("chdir WORKDIR");
    if (mkdir("mk-work", 0700) < 0 && errno != EEXIST)
        die("mkdir mk-work");
    if (chdir("mk-work") < 0)
        die("chdir mk-work");
    umask(077);

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit");
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1000)
        rl.rlim_max = 1000;
    rl.rlim_cur = 123;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit");

    /* --- signals --- */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    if (sigaction(SIGUSR1, &sa, NULL) < 0)
        die("sigaction SIGUSR1");
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR2, &sa, NULL) < 0)
        die("sigaction SIGUSR2");
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        die("signal SIGPIPE");
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    if (sigprocmask(SIG_BLOCK, &block, NULL) < 0)
        die("sigprocmask");
    if (raise(SIGUSR2) != 0)
        die("raise SIGUSR2");

    /* --- files --- */
    int fd_priv = create_file("private.dat", PRIV_PAGES * PAGE, 1);
    int fd_shared = open("shared.dat", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_shared < 0 || ftruncate(fd_shared, SHARED_PAGES * PAGE) < 0)
        die("shared.dat");
    int fd_tmp = create_file("readonly.dat", RO_FILE_SIZE, 3);
    close(fd_tmp);
    int fd_ro = open("readonly.dat", O_RDONLY);
    if (fd_ro < 0)
        die("open readonly.dat");
    if (lseek(fd_ro, RO_START, SEEK_SET) != RO_START)
        die("lseek readonly.dat");
    int fd_app = open("append.log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd_app < 0)
        die("open append.log");
    int fd_wr = open("wronly.log", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd_wr < 0)
        die("open wronly.log");
    int fd_null = open("/dev/null", O_RDWR);
    if (fd_null < 0)
        die("open /dev/null");

    /* --- memory --- */
    unsigned char *priv =
        mmap(NULL, PRIV_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd_priv, 0);
    if (priv == MAP_FAILED)
        die("mmap private.dat");
    close(fd_priv); /* the mapping keeps the file */
    unsigned char *shared =
        mmap(NULL, SHARED_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd_shared, 0);
    if (shared == MAP_FAILED)
        die("mmap shared.dat");
    unsigned char *anon =
        mmap(NULL, ANON_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (anon == MAP_FAILED)
        die("mmap anon");
    for (size_t p = 0; p < ANON_PAGES; p += 16)
        anon[p * PAGE + (p % 97)] = (unsigned char)(p * 13 + 1);
    unsigned char *ro =
        mmap(NULL, RO_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED)
        die("mmap ro");
    for (size_t i = 0; i < RO_PAGES * PAGE; i++)
        ro[i] = (unsigned char)(i * 31 + 7);
    if (mprotect(ro, RO_PAGES * PAGE, PROT_READ) < 0)
        die("mprotect");
    void *guard = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard == MAP_FAILED)
        die("mmap guard");
    unsigned char *advised[ADVISED];
    advise_regions(advised);
    unsigned char *big = malloc(BIG_MALLOC);
    if (!big)
        die("malloc big");
    for (size_t i = 0; i < BIG_MALLOC; i++)
        big[i] = (unsigned char)(i ^ (i >> 9));

    struct node *list = NULL;
    uint64_t state = 0x2545f4914f6cdd1dULL;
    uint64_t acc = FNV_INIT;

    printf("fds ro=%d append=%d wronly=%d null=%d shared=%d\n", fd_ro, fd_app, fd_wr, fd_null,
           fd_shared);

    for (long s = 1; s <= steps; s++) {
        /* small heap allocations: a list that grows, with some freed */
        for (int k = 0; k < 40; k++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            uint32_t len = 8 + (uint32_t)(state % 200);
            struct node *n = malloc(sizeof *n + len);
            if (!n)
                die("malloc node");
            n->len = len;
            for (uint32_t i = 0; i < len; i++)
                n->data[i] = (unsigned char)(state >> (i % 56));
            n->next = list;
            list = n;
        }
        if (s % 3 == 0) { /* free every other node of the newest 20 */
            struct node **pp = &list;
            for (int k = 0; k < 20 && *pp; k++) {
                struct node *n = *pp;
                if (k % 2 == 0) {
                    *pp = n->next;
                    free(n);
                } else {
                    pp = &n->next;
                }
            }
        }

        /* private file mapping: write only pages whose index is a multiple of 4 */
        size_t pp_idx = (size_t)(s % (PRIV_PAGES / 4)) * 4;
        priv[pp_idx * PAGE + (size_t)(s % PAGE)] ^= (unsigned char)s;
        /* ... and read one of the others */
        acc = fnv(acc, &priv[((size_t)(s % PRIV_PAGES) | 1) * PAGE + 100], 8);

        /* shared file mapping */
        uint64_t v = (uint64_t)s * 0x9e3779b97f4a7c15ULL;
        memcpy(&shared[(size_t)(s % SHARED_PAGES) * PAGE + (size_t)(s / SHARED_PAGES) * 8 % PAGE],
               &v, 8);

        /* anonymous memory: one more page each step, the big malloc too */
        anon[(size_t)((s * 37) % ANON_PAGES) * PAGE + 5] += (unsigned char)s;
        big[(size_t)(s * 7919) % BIG_MALLOC] ^= (unsigned char)(s * 3);
        acc = fnv(acc, &ro[(size_t)(s * 13) % (RO_PAGES * PAGE)], 1);

        /* read-only file, continuing at its offset */
        unsigned char rbuf[RO_READ];
        ssize_t r = read(fd_ro, rbuf, sizeof rbuf);
        if (r < 0)
            die("read readonly.dat");
        acc = fnv(acc, rbuf, (size_t)r);

        char line[128];
        int len = snprintf(line, sizeof line, "append step %ld\n", s);
        write_all(fd_app, line, (size_t)len, "write append.log");
        len = snprintf(line, sizeof line, "wronly step %ld acc=%016" PRIx64 "\n", s, acc);
        write_all(fd_wr, line, (size_t)len, "write wronly.log");
        write_all(fd_null, line, (size_t)len, "write /dev/null");

        if (s % 10 == 0 && raise(SIGUSR1) != 0)
            die("raise SIGUSR1");

        printf("step %ld acc=%016" PRIx64 " usr1=%d\n", s, acc, (int)usr1_count);
        if (pause_ms > 0)
            sleep_ms(pause_ms);
    }

    /* --- final report --- */
    sigset_t mask, pending;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&pending);
    uint64_t mask_bits = 0;
    for (int sig = 1; sig <= 64; sig++)
        if (sigismember(&mask, sig) == 1)
            mask_bits |= 1ULL << (sig - 1);
    printf("sigmask=%016" PRIx64 " usr2_blocked=%d usr2_pending=%d\n", mask_bits,
           sigismember(&mask, SIGUSR2), sigismember(&pending, SIGUSR2));
    int before = (int)usr2_count;
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("usr2 handler ran %d time(s) before unblocking, %d after\n", before, (int)usr2_count);

    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    printf("usr1 count=%d handler=%s restart=%d mask_has_usr2=%d\n", (int)usr1_count,
           cur.sa_handler == on_usr1 ? "ours" : "OTHER", (cur.sa_flags & SA_RESTART) ? 1 : 0,
           sigismember(&cur.sa_mask, SIGUSR2));
    sigaction(SIGPIPE, NULL, &cur);
    printf("sigpipe %s\n", cur.sa_handler == SIG_IGN ? "ignored" : "NOT IGNORED");

    getrlimit(RLIMIT_NOFILE, &rl);
    printf("rlimit nofile soft=%llu hard=%llu\n", (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max);
    mode_t um = umask(0);
    umask(um);
    printf("umask=%03o\n", (unsigned)um);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        die("getcwd");
    const char *base = strrchr(cwd, '/');
    printf("cwd=%s\n", base ? base + 1 : cwd);

    printf("fd flags append=%d wronly_accmode=%d ro_accmode=%d null_accmode=%d\n",
           (fcntl(fd_app, F_GETFL) & O_APPEND) ? 1 : 0, fcntl(fd_wr, F_GETFL) & O_ACCMODE,
           fcntl(fd_ro, F_GETFL) & O_ACCMODE, fcntl(fd_null, F_GETFL) & O_ACCMODE);
    printf("offsets ro=%lld append=%lld wronly=%lld\n", (long long)lseek(fd_ro, 0, SEEK_CUR),
           (long long)lseek(fd_app, 0, SEEK_CUR), (long long)lseek(fd_wr, 0, SEEK_CUR));

    uint64_t h_list = FNV_INIT;
    long nodes = 0;
    for (struct node *n = list; n; n = n->next) {
        h_list = fnv(h_list, n->data, n->len);
        nodes++;
    }
    printf("heap nodes=%ld sum=%016" PRIx64 " big=%016" PRIx64 "\n", nodes, h_list,
           fnv(FNV_INIT, big, BIG_MALLOC));
    printf("anon sum=%016" PRIx64 " ro sum=%016" PRIx64 "\n",
           fnv(FNV_INIT, anon, (size_t)ANON_PAGES * PAGE), fnv(FNV_INIT, ro, RO_PAGES * PAGE));
    char p_ro[5], p_guard[5], p_priv[5], p_shared[5];
    perms_of(ro, p_ro);
    perms_of(guard, p_guard);
    perms_of(priv, p_priv);
    perms_of(shared, p_shared);
    printf("perms ro=%s guard=%s private=%s shared=%s\n", p_ro, p_guard, p_priv, p_shared);
    report_advice(advised);

    if (msync(shared, SHARED_PAGES * PAGE, MS_SYNC) < 0)
        die("msync");
    long sz;
    uint64_t h;
    printf("private mapping=%016" PRIx64 "\n", fnv(FNV_INIT, priv, PRIV_PAGES * PAGE));
    h = file_sum("private.dat", &sz);
    printf("private.dat size=%ld sum=%016" PRIx64 "\n", sz, h);
    printf("shared mapping=%016" PRIx64 "\n", fnv(FNV_INIT, shared, SHARED_PAGES * PAGE));
    h = file_sum("shared.dat", &sz);
    printf("shared.dat size=%ld sum=%016" PRIx64 "\n", sz, h);
    h = file_sum("append.log", &sz);
    printf("append.log size=%ld sum=%016" PRIx64 "\n", sz, h);
    h = file_sum("wronly.log", &sz);
    printf("wronly.log size=%ld sum=%016" PRIx64 "\n", sz, h);
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
