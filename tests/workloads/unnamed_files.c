/* unnamed_files: a process and its child that work with files which no
 * longer have a name, for checkpoint/restart tests.
 *
 * usage: unnamed_files WORKDIR [STEPS [SLEEP_MS]]
 *
 * The root makes, in WORKDIR and /dev/shm:
 *  - a deleted file: 1.5 MiB of a pattern with a 1 MiB hole after it,
 *    opened twice on one description (dup), unlinked; a private mapping of
 *    its first two pages, the first of which the root writes (a private
 *    copy) while the second stays the file's; every step appends a line at
 *    the shared offset;
 *  - a memfd "unnamed-test", 4 pages, sealed against shrinking and growing,
 *    mapped shared; every step writes a record at its fd's offset;
 *  - an O_TMPFILE file in WORKDIR; every step writes a line to it;
 *  - a POSIX shared memory segment (shm_open), mapped shared, then
 *    unlinked and closed: it is only mapped.
 * Then it forks a child that keeps the mappings (and closes its copy of the
 * memfd's fd, so it only maps it). Each step both count in the memfd and
 * the segment, and wait (with a deadline) until they see the other's count:
 * were the mappings not shared after a restore, the wait would time out.
 * Each step the root checks what a careful test would: offsets of every fd
 * (the dup'd one too), sizes, link counts, the names /proc shows ("/memfd:
 * unnamed-test (deleted)", "WORKDIR/#N (deleted)", the segment's mapping
 * "/dev/shm/... (deleted)"), the memfd's seals and that they hold, the
 * private mapping's two pages; any failure ends it with exit 111. It prints
 * one line per step and at the end the child's status and a checksum of
 * every file's bytes. Nothing printed depends on pids, WORKDIR or timing.
 */
#include "tree_common.h"

#include <limits.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define PAGE 4096
#define WAIT_MS 20000
#define DELETED_DATA (3 * 512 * 1024)
#define DELETED_HOLE (1024 * 1024)
#define MEMFD_SIZE (4 * PAGE)
#define MEMFD_SEALS (F_SEAL_SHRINK | F_SEAL_GROW)
#define MEMFD_RECORDS (2 * PAGE)

struct counters {
    _Atomic long count[2];  /* root, child */
};

static int deleted_fd, deleted_dup, memfd, tmpfile_fd;
static off_t deleted_pos, memfd_pos, tmpfile_pos;
static char *private_map, *memfd_map, *shm_map;
static char workdir[PATH_MAX];

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 2654435761U) >> 13);
}

static void check(int ok, const char *what)
{
    if (!ok)
        tc_die("check failed: %s", what);
}

static void check_link(const char *link, const char *prefix, const char *what)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n < 0)
        tc_die("readlink %s: %s", link, strerror(errno));
    buf[n] = '\0';
    const char *tail = " (deleted)";
    size_t lp = strlen(prefix), lt = strlen(tail);
    if ((size_t)n < lp + lt || strncmp(buf, prefix, lp) != 0 || strcmp(buf + n - lt, tail) != 0)
        tc_die("%s: /proc shows '%s', expected '%s... (deleted)'", what, buf, prefix);
}

static void check_fd_link(int fd, const char *prefix, const char *what)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    check_link(link, prefix, what);
}

/* The mapping at addr, as /proc/self/maps names it. */
static void check_mapping_name(const void *addr, const char *prefix, const char *what)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        tc_die("cannot open /proc/self/maps: %s", strerror(errno));
    char line[PATH_MAX + 128];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        unsigned long start = 0;
        if (sscanf(line, "%lx-", &start) == 1 && start == (unsigned long)addr) {
            line[strcspn(line, "\n")] = '\0';
            const char *path = strchr(line, '/');
            found = path != NULL && strncmp(path, prefix, strlen(prefix)) == 0 && strstr(path, " (deleted)") != NULL;
            if (!found)
                tc_die("%s: mapping named '%s'", what, path ? path : "(anonymous)");
        }
    }
    fclose(f);
    if (!found)
        tc_die("%s: no mapping at %p", what, addr);
}

static void check_file(int fd, off_t pos, off_t size, const char *what)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        tc_die("fstat %s: %s", what, strerror(errno));
    if (st.st_nlink != 0 || st.st_size != size)
        tc_die("%s: %ld links, %ld bytes; expected 0 links, %ld bytes", what, (long)st.st_nlink, (long)st.st_size,
               (long)size);
    off_t at = lseek(fd, 0, SEEK_CUR);
    if (at != pos)
        tc_die("%s: offset %ld, expected %ld", what, (long)at, (long)pos);
}

static void check_everything(void)
{
    check_file(deleted_fd, deleted_pos, deleted_pos, "the deleted file");
    check(lseek(deleted_dup, 0, SEEK_CUR) == deleted_pos, "the deleted file's dup shares its offset");
    check_fd_link(deleted_fd, workdir, "the deleted file");
    check(private_map[0] == 'P' && private_map[1] == 'R', "the private mapping keeps its own first page");
    for (size_t i = PAGE; i < 2 * PAGE; i++)
        check(private_map[i] == (char)pattern(i), "the private mapping's second page is the file's");

    check_file(memfd, memfd_pos, MEMFD_SIZE, "the memfd");
    check_fd_link(memfd, "/memfd:unnamed-test", "the memfd");
    check(fcntl(memfd, F_GET_SEALS) == MEMFD_SEALS, "the memfd keeps its seals");
    check(ftruncate(memfd, MEMFD_SIZE * 2) != 0 && errno == EPERM, "the memfd's seals forbid growing");

    char tmpdir_prefix[PATH_MAX + 2];
    snprintf(tmpdir_prefix, sizeof tmpdir_prefix, "%s/#", workdir);
    check_file(tmpfile_fd, tmpfile_pos, tmpfile_pos, "the O_TMPFILE file");
    check_fd_link(tmpfile_fd, tmpdir_prefix, "the O_TMPFILE file");
    check_mapping_name(shm_map, "/dev/shm/unnamed-files-", "the shared memory segment");
    check_mapping_name(memfd_map, "/memfd:unnamed-test", "the memfd's mapping");
}

static void wait_for(struct counters *c, int other, long step, const char *what)
{
    int64_t deadline = tc_now_ms() + WAIT_MS;
    while (atomic_load(&c->count[other]) < step) {
        if (tc_now_ms() > deadline)
            tc_die("%s: the other process's count stays at %ld, expected %ld", what, atomic_load(&c->count[other]),
                   step);
        tc_sleep_ms(1);
    }
}

/* One step of either process: count in both shared objects, then wait to
 * see the other's count. */
static void count(int me, long step)
{
    struct counters *in_memfd = (struct counters *)memfd_map;
    struct counters *in_shm = (struct counters *)shm_map;
    atomic_fetch_add(&in_memfd->count[me], 1);
    atomic_fetch_add(&in_shm->count[me], 1);
    wait_for(in_memfd, 1 - me, step, "the memfd mapping");
    wait_for(in_shm, 1 - me, step, "the shm segment");
}

static void make_deleted_file(void)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/deleted.dat", workdir);
    deleted_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (deleted_fd < 0)
        tc_die("cannot create %s: %s", path, strerror(errno));
    static unsigned char block[DELETED_DATA];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = pattern(i);
    tc_write_all(deleted_fd, block, sizeof block);
    deleted_pos = lseek(deleted_fd, DELETED_HOLE, SEEK_CUR);
    if (unlink(path) != 0)
        tc_die("unlink %s: %s", path, strerror(errno));
    deleted_dup = dup(deleted_fd);
    private_map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, deleted_fd, 0);
    if (deleted_dup < 0 || private_map == MAP_FAILED)
        tc_die("dup/mmap of the deleted file: %s", strerror(errno));
    private_map[0] = 'P';
    private_map[1] = 'R';
}

static void make_memfd(void)
{
    memfd = memfd_create("unnamed-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
    if (memfd < 0 || ftruncate(memfd, MEMFD_SIZE) != 0 || fcntl(memfd, F_ADD_SEALS, MEMFD_SEALS) != 0)
        tc_die("memfd: %s", strerror(errno));
    memfd_map = mmap(NULL, MEMFD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (memfd_map == MAP_FAILED)
        tc_die("mmap of the memfd: %s", strerror(errno));
    memfd_pos = lseek(memfd, MEMFD_RECORDS, SEEK_SET);
}

static void make_tmpfile(void)
{
    tmpfile_fd = open(workdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tmpfile_fd < 0)
        tc_die("O_TMPFILE in %s: %s", workdir, strerror(errno));
}

static void make_shm_segment(void)
{
    char name[64];
    snprintf(name, sizeof name, "/unnamed-files-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 2 * PAGE) != 0)
        tc_die("shm_open %s: %s", name, strerror(errno));
    shm_map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (shm_map == MAP_FAILED)
        tc_die("mmap of %s: %s", name, strerror(errno));
    shm_unlink(name);
    close(fd);
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t file_hash(int fd, off_t size)
{
    static char buf[65536];
    uint64_t h = 0xcbf29ce484222325ULL;
    for (off_t at = 0; at < size;) {
        ssize_t n = pread(fd, buf, sizeof buf, at);
        if (n <= 0)
            tc_die("pread: %s", n < 0 ? strerror(errno) : "end of file");
        h = fnv(h, buf, (size_t)n);
        at += n;
    }
    return h;
}

static int child(long steps, long sleep_ms)
{
    close(memfd);
    uint64_t acc = 0x5eed;
    for (long s = 1; s <= steps; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 20000);
        shm_map[PAGE + (s % PAGE)] ^= (char)acc;
        memfd_map[PAGE + (s % PAGE)] ^= (char)(acc >> 8);
        count(1, s);
        tc_sleep_ms(sleep_ms + 3);
    }
    return (int)(acc % 100);
}

int main(int argc, char **argv)
{
    tc_prog = "unnamed_files";
    if (argc < 2 || realpath(argv[1], workdir) == NULL) {
        fprintf(stderr, "usage: unnamed_files WORKDIR [STEPS [SLEEP_MS]]\n");
        return 2;
    }
    long steps = tc_arg(argc, argv, 2, 60, 1, 100000);
    long sleep_ms = tc_arg(argc, argv, 3, 40, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("unnamed_files start steps=%ld sleep_ms=%ld\n", steps, sleep_ms);

    make_deleted_file();
    make_memfd();
    make_tmpfile();
    make_shm_segment();
    pid_t kid = fork();
    if (kid < 0)
        tc_die("fork: %s", strerror(errno));
    if (kid == 0)
        _exit(child(steps, sleep_ms));

    uint64_t acc = 0x1234;
    for (long s = 1; s <= steps; s++) {
        acc = tc_work(acc * 0x9e3779b97f4a7c15ULL + (uint64_t)s, 20000);
        char line[96];
        int n = snprintf(line, sizeof line, "step %ld acc=%016" PRIx64 "\n", s, acc);
        tc_write_all(deleted_fd, line, (size_t)n);
        deleted_pos += n;
        tc_write_all(tmpfile_fd, line, (size_t)n);
        tmpfile_pos += n;
        uint64_t record = acc ^ (uint64_t)s;
        if (memfd_pos + (off_t)sizeof record > MEMFD_SIZE)
            memfd_pos = lseek(memfd, MEMFD_RECORDS, SEEK_SET);
        tc_write_all(memfd, &record, sizeof record);
        memfd_pos += (off_t)sizeof record;
        shm_map[PAGE + (s % PAGE)] ^= (char)(acc >> 16);
        count(0, s);
        check_everything();
        printf("step %ld acc=%016" PRIx64 " deleted=%ld tmpfile=%ld memfd_pos=%ld checked\n", s, acc,
               (long)deleted_pos, (long)tmpfile_pos, (long)memfd_pos);
        tc_sleep_ms(sleep_ms);
    }
    printf("child %s\n", tc_status(tc_wait(kid)));
    printf("result acc=%016" PRIx64 " deleted=%016" PRIx64 " tmpfile=%016" PRIx64 " memfd=%016" PRIx64
           " shm=%016" PRIx64 " private=%016" PRIx64 "\n",
           acc, file_hash(deleted_fd, deleted_pos), file_hash(tmpfile_fd, tmpfile_pos),
           fnv(0xcbf29ce484222325ULL, memfd_map + PAGE, MEMFD_SIZE - PAGE), fnv(0xcbf29ce484222325ULL, shm_map + PAGE, PAGE),
           fnv(0xcbf29ce484222325ULL, private_map, 2 * PAGE));
    return 0;
}
