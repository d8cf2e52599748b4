/*
 * timers: POSIX timers on every clock programs use, and the interval
 * timers, which must come back from a checkpoint with the same ids, clocks,
 * notification and intervals, still firing, and with plausible times left.
 *
 *   timers STEPS
 *
 * Timers (by index, sigev_value = index): 0 CLOCK_REALTIME, signal to the
 * process, every 20 ms; 1 CLOCK_MONOTONIC every 30 ms; 2
 * CLOCK_PROCESS_CPUTIME_ID every 10 ms of CPU; 3 CLOCK_THREAD_CPUTIME_ID
 * every 15 ms of CPU, signal to this thread (SIGEV_THREAD_ID); 4
 * CLOCK_BOOTTIME with SIGEV_NONE, once in 1000 s; 5 CLOCK_MONOTONIC never
 * armed. A timer created and deleted between 0 and 1 leaves a gap in the
 * ids. Interval timers: ITIMER_VIRTUAL every 20 ms, ITIMER_PROF every 25 ms,
 * and alarm(1000).
 *
 * Each step does a fixed amount of work, then spins until every periodic
 * timer has fired again (so timers that stopped firing after a restore fail
 * the run), then checks every timer: the ids the program holds are exactly
 * those /proc/self/timers lists, each with its signal, value, notification
 * and clock; each periodic timer has its interval and 0 < time left <=
 * interval (interval timers: plus the clock tick setitimer adds); the one-shot ones have between 900 and 1000 s left; the unarmed
 * one is still unarmed. It prints one line per step that depends only on
 * the work done, and "result ..." at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

enum { n_timers = 6, n_periodic = 4, one_shot = 4, unarmed = 5 };
enum { ms = 1000000 };

struct spec {
    clockid_t clock;
    int notify;
    int sig; /* offset from SIGRTMIN */
    long interval_ns;
    int proc_clock; /* ClockID as /proc/self/timers shows it */
};

static const struct spec specs[n_timers] = {
    { CLOCK_REALTIME, SIGEV_SIGNAL, 0, 20 * ms, 0 },
    { CLOCK_MONOTONIC, SIGEV_SIGNAL, 1, 30 * ms, 1 },
    { CLOCK_PROCESS_CPUTIME_ID, SIGEV_SIGNAL, 2, 10 * ms, -6 },
    { CLOCK_THREAD_CPUTIME_ID, SIGEV_SIGNAL | SIGEV_THREAD_ID, 3, 15 * ms, -2 },
    { CLOCK_BOOTTIME, SIGEV_NONE, 4, 0, 7 },
    { CLOCK_MONOTONIC, SIGEV_SIGNAL, 5, 0, 1 },
};

static timer_t ids[n_timers];
static volatile sig_atomic_t ticks[n_timers];
static volatile sig_atomic_t virtual_ticks, prof_ticks, alarms;
static volatile uint64_t spun; /* keeps the spinning from being optimized away */

static void fail(int step, const char *what)
{
    printf("step %d: FAILED: %s\n", step, what);
    exit(1);
}

static void on_timer(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    int k = si->si_value.sival_int;
    if (si->si_code == SI_TIMER && k >= 0 && k < n_timers)
        ticks[k]++;
}

static void on_itimer(int sig)
{
    if (sig == SIGVTALRM)
        virtual_ticks++;
    else if (sig == SIGPROF)
        prof_ticks++;
    else
        alarms++;
}

static void handle(int sig, void (*h)(int), void (*sa)(int, siginfo_t *, void *))
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    if (sa) {
        act.sa_sigaction = sa;
        act.sa_flags = SA_SIGINFO | SA_RESTART;
    } else {
        act.sa_handler = h;
        act.sa_flags = SA_RESTART;
    }
    sigaction(sig, &act, NULL);
}

static uint64_t work(uint64_t acc, long n)
{
    for (long i = 0; i < n; i++) {
        acc ^= acc << 13;
        acc ^= acc >> 7;
        acc ^= acc << 17;
    }
    return acc;
}

static void create_timers(void)
{
    for (int k = 0; k < n_timers; k++) {
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = specs[k].notify;
        ev.sigev_signo = SIGRTMIN + specs[k].sig;
        ev.sigev_value.sival_int = k;
        ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
        if (timer_create(specs[k].clock, &ev, &ids[k]) != 0) {
            perror("timers: timer_create");
            exit(1);
        }
        if (k == 0) { /* a gap in the ids */
            timer_t gap;
            if (timer_create(CLOCK_MONOTONIC, NULL, &gap) != 0 || timer_delete(gap) != 0) {
                perror("timers: gap timer");
                exit(1);
            }
        }
        struct itimerspec it = { { 0, specs[k].interval_ns }, { 0, specs[k].interval_ns } };
        if (k == one_shot)
            it.it_value.tv_sec = 1000;
        if (k != unarmed && timer_settime(ids[k], 0, &it, NULL) != 0) {
            perror("timers: timer_settime");
            exit(1);
        }
    }
    struct itimerval virt = { { 0, 20000 }, { 0, 20000 } }, prof = { { 0, 25000 }, { 0, 25000 } };
    if (setitimer(ITIMER_VIRTUAL, &virt, NULL) != 0 || setitimer(ITIMER_PROF, &prof, NULL) != 0) {
        perror("timers: setitimer");
        exit(1);
    }
    alarm(1000);
}

static long ns_of(struct timespec t)
{
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static long us_of(struct timeval t)
{
    return t.tv_sec * 1000000L + t.tv_usec;
}

/* This process's (or, with thread, this thread's) id as /proc shows it:
 * /proc names processes as the PID namespace of its mount sees them, and a
 * restored process lives in a PID namespace of its own while /proc is the
 * one it was checkpointed under, so getpid() may differ. */
static pid_t proc_id(int thread)
{
    FILE *f = fopen(thread ? "/proc/thread-self/stat" : "/proc/self/stat", "re");
    int id = -1;
    if (f == NULL || fscanf(f, "%d", &id) != 1)
        id = -1;
    if (f != NULL)
        fclose(f);
    return (pid_t)id;
}

/* /proc/self/timers, open for the whole run: a checkpoint always finds it
 * open (at the offset of the last read), and the restored process must
 * read its own listing through it. */
static FILE *listing;

/* The ids, signals, values, notification and clocks /proc/self/timers lists. */
static void check_listing(int step)
{
    FILE *f = listing;
    if (f == NULL || fseek(f, 0, SEEK_SET) != 0)
        fail(step, "cannot read /proc/self/timers");
    int seen = 0, id = -1, signo = 0, clock = 0, target = 0;
    unsigned long long value = 0;
    char kind[16], who[16], line[256];
    int k = -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "ID: %d", &id) == 1) {
            k = -1;
            for (int j = 0; j < n_timers; j++)
                if ((int)(intptr_t)ids[j] == id)
                    k = j;
            if (k < 0)
                fail(step, "/proc/self/timers lists a timer the program does not hold");
            seen |= 1 << k;
        } else if (sscanf(line, "signal: %d/%llx", &signo, &value) == 2) {
            if (k < 0 || signo != SIGRTMIN + specs[k].sig || value != (unsigned long long)k)
                fail(step, "a timer's signal or value changed");
        } else if (sscanf(line, "notify: %15[a-z]/%15[a-z].%d", kind, who, &target) == 3) {
            int thread = (specs[k].notify & SIGEV_THREAD_ID) != 0;
            const char *want = (specs[k].notify & ~SIGEV_THREAD_ID) == SIGEV_NONE ? "none" : "signal";
            pid_t me = proc_id(thread);
            if (strcmp(kind, want) != 0 || strcmp(who, thread ? "tid" : "pid") != 0 || target != me)
                fail(step, "a timer's notification changed");
        } else if (sscanf(line, "ClockID: %d", &clock) == 1) {
            if (clock != specs[k].proc_clock)
                fail(step, "a timer's clock changed");
        }
    }
    if (seen != (1 << n_timers) - 1)
        fail(step, "/proc/self/timers lacks a timer the program holds");
}

static void check_times(int step)
{
    for (int k = 0; k < n_timers; k++) {
        struct itimerspec it;
        if (timer_gettime(ids[k], &it) != 0)
            fail(step, "timer_gettime refuses a timer id the program holds");
        long value = ns_of(it.it_value), interval = ns_of(it.it_interval);
        if (k < n_periodic && (interval != specs[k].interval_ns || value <= 0 || value > interval))
            fail(step, "a periodic timer has another interval or an implausible time left");
        if (k == one_shot && (interval != 0 || value <= 900000000000L || value > 1000000000000L))
            fail(step, "the one-shot timer has an implausible time left");
        if (k == unarmed && (interval != 0 || value != 0))
            fail(step, "the unarmed timer is armed");
    }
    struct itimerval real, virt, prof;
    getitimer(ITIMER_REAL, &real);
    getitimer(ITIMER_VIRTUAL, &virt);
    getitimer(ITIMER_PROF, &prof);
    if (us_of(real.it_interval) != 0 || us_of(real.it_value) <= 900000000L || us_of(real.it_value) > 1000000000L)
        fail(step, "the alarm has an implausible time left");
    /* setitimer adds one clock tick (10 ms at most) to the first expiry. */
    if (us_of(virt.it_interval) != 20000 || us_of(virt.it_value) <= 0 || us_of(virt.it_value) > 20000 + 10000)
        fail(step, "ITIMER_VIRTUAL has another interval or an implausible time left");
    if (us_of(prof.it_interval) != 25000 || us_of(prof.it_value) <= 0 || us_of(prof.it_value) > 25000 + 10000)
        fail(step, "ITIMER_PROF has another interval or an implausible time left");
    if (alarms != 0)
        fail(step, "the alarm fired");
}

/* Spin until every periodic timer and both interval timers fired again. */
static void wait_ticks(int step)
{
    sig_atomic_t before[n_periodic], v = virtual_ticks, p = prof_ticks;
    for (int k = 0; k < n_periodic; k++)
        before[k] = ticks[k];
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint64_t spin = 1;
    for (;;) {
        int all = virtual_ticks != v && prof_ticks != p;
        for (int k = 0; k < n_periodic; k++)
            all = all && ticks[k] != before[k];
        if (all)
            return;
        spin = work(spin, 20000);
        spun = spin;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 20)
            fail(step, "a timer stopped firing");
    }
}

int main(int argc, char **argv)
{
    int steps = (int)workload_arg("timers", argc, argv, 1, 100, 1, 1000000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int k = 0; k < n_timers; k++)
        handle(SIGRTMIN + specs[k].sig, NULL, on_timer);
    handle(SIGVTALRM, on_itimer, NULL);
    handle(SIGPROF, on_itimer, NULL);
    handle(SIGALRM, on_itimer, NULL);
    create_timers();
    listing = fopen("/proc/self/timers", "re");
    printf("timers: %d steps\n", steps);
    uint64_t acc = 0x1234567;
    for (int i = 0; i < steps; i++) {
        check_listing(i);
        check_times(i);
        acc = work(acc + (uint64_t)i, 200000);
        wait_ticks(i);
        printf("step %d acc=%016" PRIx64 " timers ok\n", i, acc);
    }
    printf("result acc=%016" PRIx64 " every timer kept its id and kept firing\n", acc);
    return 0;
}
