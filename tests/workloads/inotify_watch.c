/*
 * inotify_watch: a program that watches a directory with inotify and
 * checks the watch descriptors the kernel hands out, for the checkpoint
 * tests of inotify (tests/engine/inotify.sh).
 *
 *   inotify_watch WORKDIR STEPS [watch|moved|removed]
 *
 * In WORKDIR it makes the directory "watched" and watches it (watch 1).
 * Each step it creates a file there, every third step a subdirectory with
 * a watch of its own (the next watch descriptor: the program checks it is
 * the one it expects) and a file in the newest subdirectory, and every
 * fourth step it removes the watch of an older subdirectory (leaving a gap
 * in the descriptors); it deletes the file of two steps before, then reads
 * every event queued and prints them (watch descriptor, events, name), so
 * no event is left unread between steps. A restored instance must come back
 * with the same watches under the same descriptors, report the same events
 * and hand out the same next descriptor.
 *
 * The other modes are for the refusal tests: "moved" moves the watched
 * directory out of WORKDIR (to WORKDIR-away, where stasis does not look) and
 * reads the event; "removed" removes it and leaves its events unread until
 * the end. Either then writes "pid PID fd FD" into WORKDIR/holder, and at
 * the end shows that the instance still works as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

enum { max_subs = 1000 };

static int in = -1;
static int next_wd = 1;
static uint64_t digest = 1469598103934665603ULL;

static void die(const char *what)
{
    fprintf(stderr, "inotify_watch: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, path, strlen(path)) < 0 || close(fd) != 0)
        die(path);
}

static int watch(const char *path, uint32_t mask)
{
    int wd = inotify_add_watch(in, path, mask);
    if (wd < 0)
        die(path);
    if (wd != next_wd) {
        printf("FAILED: the watch of %s is %d, expected %d\n", path, wd, next_wd);
        exit(1);
    }
    next_wd++;
    return wd;
}

static const char *event_names(uint32_t mask, char *buf, size_t size)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = { { IN_CREATE, "CREATE" },         { IN_DELETE, "DELETE" },   { IN_CLOSE_WRITE, "CLOSE_WRITE" },
                  { IN_MOVED_TO, "MOVED_TO" },     { IN_MOVE_SELF, "MOVE_SELF" }, { IN_DELETE_SELF, "DELETE_SELF" },
                  { IN_IGNORED, "IGNORED" },       { IN_ISDIR, "ISDIR" } };
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (mask & names[i].bit) {
            if (buf[0] != '\0')
                strncat(buf, "|", size - strlen(buf) - 1);
            strncat(buf, names[i].name, size - strlen(buf) - 1);
        }
    }
    return buf;
}

/* Prints every queued event (they are queued by the calls that caused them). */
static void read_events(const char *who)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            die("read");
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            char names[128];
            const char *name = ev->len > 0 ? ev->name : "-";
            printf("  %s: wd %d %s %s\n", who, ev->wd, event_names(ev->mask, names, sizeof names), name);
            for (const char *c = name; *c; c++)
                digest = (digest ^ (uint8_t)*c) * 1099511628211ULL;
            digest = (digest ^ (uint64_t)ev->wd ^ ((uint64_t)ev->mask << 20)) * 1099511628211ULL;
            p += sizeof *ev + ev->len;
        }
    }
}

static void announce(void)
{
    FILE *f = fopen("holder.tmp", "we");
    if (f == NULL || fprintf(f, "pid %d fd %d\n", (int)getpid(), in) < 0 || fclose(f) != 0 ||
        rename("holder.tmp", "holder") != 0)
        die("holder");
}

static void step(int i, int *subs, int *sub_wds, int *n_subs, int *oldest)
{
    char path[256];
    printf("step %d\n", i);
    if (i % 3 == 0 && *n_subs < max_subs) {
        snprintf(path, sizeof path, "watched/d%d", i);
        if (mkdir(path, 0755) != 0)
            die(path);
        subs[*n_subs] = i;
        sub_wds[*n_subs] = watch(path, IN_CREATE | IN_DELETE);
        printf("  watch %d on %s\n", sub_wds[*n_subs], path);
        (*n_subs)++;
    }
    snprintf(path, sizeof path, "watched/f%d", i);
    touch(path);
    if (*n_subs > 0) {
        snprintf(path, sizeof path, "watched/d%d/g%d", subs[*n_subs - 1], i);
        touch(path);
    }
    if (i % 4 == 3 && *oldest < *n_subs - 1) {
        if (inotify_rm_watch(in, sub_wds[*oldest]) != 0)
            die("inotify_rm_watch");
        printf("  removed watch %d\n", sub_wds[*oldest]);
        (*oldest)++;
    }
    if (i >= 2) {
        snprintf(path, sizeof path, "watched/f%d", i - 2);
        if (unlink(path) != 0)
            die(path);
    }
    read_events("event");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: inotify_watch WORKDIR STEPS [watch|moved|removed]\n");
        return 2;
    }
    int steps = (int)workload_arg("inotify_watch", argc, argv, 2, 40, 1, 100000);
    const char *mode = argc > 3 ? argv[3] : "watch";
    int moved = strcmp(mode, "moved") == 0, removed = strcmp(mode, "removed") == 0;
    if (!moved && !removed && strcmp(mode, "watch") != 0) {
        fprintf(stderr, "inotify_watch: unknown mode %s\n", mode);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(argv[1]) != 0)
        die(argv[1]);
    unlink("holder");
    if (mkdir("watched", 0755) != 0)
        die("mkdir watched");
    in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (in < 0)
        die("inotify_init1");
    watch("watched", IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVE_SELF | IN_DELETE_SELF);
    printf("inotify_watch: %d steps, mode %s\n", steps, mode);

    char away[4096];
    snprintf(away, sizeof away, "%s-away", argv[1]);
    if (moved) {
        if (rename("watched", away) != 0)
            die("rename watched");
        read_events("moved");
        announce();
    } else if (removed) {
        if (rmdir("watched") != 0)
            die("rmdir watched");
        announce();
    }
    static int subs[max_subs], sub_wds[max_subs];
    int n_subs = 0, oldest = 0;
    for (int i = 0; i < steps; i++) {
        if (moved || removed)
            printf("step %d\n", i);
        else
            step(i, subs, sub_wds, &n_subs, &oldest);
        sleep_ms(60);
    }
    if (moved) {
        char path[4200];
        snprintf(path, sizeof path, "%s/after", away);
        touch(path);
    }
    read_events("end");
    printf("result next watch %d digest %016" PRIx64 "\n", next_wd, digest);
    return 0;
}
