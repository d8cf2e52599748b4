/*
 * event_fds: a loop driven by epoll over a periodic timerfd and a signalfd,
 * counting through an eventfd. Checkpointed while it waits in epoll_wait,
 * it must come back with the same eventfd count, signal mask, timer and
 * epoll watches, and neither lose nor invent an event.
 *
 *   event_fds STEPS
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

enum { timer_event = 7, signal_event = 9 };

int main(int argc, char **argv)
{
    int steps = argc > 1 ? atoi(argv[1]) : 40;
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    int counter = eventfd(0, EFD_CLOEXEC);
    int signals = signalfd(-1, &usr1, SFD_CLOEXEC);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct itimerspec period = {{0, 100000000}, {0, 100000000}};
    struct epoll_event ev = {EPOLLIN, {.u64 = timer_event}};
    if (counter < 0 || signals < 0 || timer < 0 || ep < 0 || timerfd_settime(timer, 0, &period, NULL) < 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, timer, &ev) < 0) {
        perror("event_fds: setup");
        return 1;
    }
    ev.data.u64 = signal_event;
    epoll_ctl(ep, EPOLL_CTL_ADD, signals, &ev);
    printf("event_fds: %d steps\n", steps);
    long sum = 0, signal_sum = 0;
    for (int i = 0; i < steps;) {
        uint64_t add = (uint64_t)i + 1, value = 0;
        struct epoll_event out;
        if (epoll_wait(ep, &out, 1, 5000) != 1) {
            perror("event_fds: epoll_wait");
            return 1;
        }
        if (out.data.u64 == signal_event) {
            struct signalfd_siginfo si;
            if (read(signals, &si, sizeof si) == sizeof si)
                signal_sum += si.ssi_signo;
            continue;
        }
        if (read(timer, &value, sizeof value) != sizeof value || write(counter, &add, sizeof add) != sizeof add ||
            read(counter, &value, sizeof value) != sizeof value) {
            perror("event_fds: timer or counter");
            return 1;
        }
        sum += (long)value;
        if (i % 10 == 3)
            raise(SIGUSR1);
        printf("step %d sum %ld signals %ld\n", i, sum, signal_sum);
        i++;
    }
    printf("result %ld %ld\n", sum, signal_sum);
    return 0;
}
