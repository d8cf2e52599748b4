/*
 * path_fds: O_PATH descriptors, which name a file without opening it: a
 * directory used with *at() calls, a regular file, a symlink itself
 * (O_NOFOLLOW) and a FIFO. Every step uses each of them the way programs
 * do and prints what it saw; a restored descriptor that is not O_PATH, or
 * names another file, changes the line.
 *
 *   path_fds WORKDIR STEPS SLEEP_MS
 */
#include "tree_common.h"

#include <sys/stat.h>

static int opath(const char *path, int extra)
{
    int fd = open(path, O_PATH | O_CLOEXEC | extra);
    if (fd < 0)
        tc_die("open %s O_PATH: %s", path, strerror(errno));
    return fd;
}

static const char *kind(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return "fstat-failed";
    return S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "symlink"
                                       : S_ISFIFO(st.st_mode) ? "fifo" : "other";
}

int main(int argc, char **argv)
{
    tc_prog = "path_fds";
    if (argc < 2 || chdir(argv[1]) < 0)
        tc_die("usage: path_fds WORKDIR [STEPS [SLEEP_MS]]");
    long steps = tc_arg(argc, argv, 2, 60, 1, 100000);
    long sleep_ms = tc_arg(argc, argv, 3, 50, 0, 10000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    mkdir("dir", 0755);
    close(tc_create("dir/data"));
    unlink("link");
    unlink("fifo");
    if (symlink("dir/data", "link") < 0 || mkfifo("fifo", 0600) < 0)
        tc_die("setup: %s", strerror(errno));
    int dir = opath("dir", O_DIRECTORY), file = opath("dir/data", 0), link = opath("link", O_NOFOLLOW);
    int fifo = opath("fifo", 0);
    printf("path_fds start steps=%ld\n", steps);
    for (long i = 1; i <= steps; i++) {
        tc_sleep_ms(sleep_ms);
        /* Grow the file through the directory fd; read its size through the file fd. */
        int w = openat(dir, "data", O_WRONLY | O_APPEND | O_CLOEXEC);
        if (w < 0)
            tc_die("openat: %s", strerror(errno));
        tc_fdprintf(w, "%ld\n", i);
        close(w);
        struct stat st;
        fstat(file, &st);
        char target[64] = "";
        ssize_t n = readlinkat(link, "", target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        int all_opath = 1, fds[] = {dir, file, link, fifo};
        for (int k = 0; k < 4; k++)
            all_opath &= (fcntl(fds[k], F_GETFL) & O_PATH) != 0;
        char buf[1];
        printf("step %ld size=%lld %s %s %s %s link->%s opath=%d read=%s\n", i, (long long)st.st_size, kind(dir),
               kind(file), kind(link), kind(fifo), target, all_opath,
               read(file, buf, 1) < 0 && errno == EBADF ? "EBADF" : "READ");
    }
    printf("result ok\n");
    return 0;
}
