#include "event_fds/restore_event_fds.hpp"

#include "core/durations.hpp"
#include "core/kernel_abi.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace stasis {

namespace {

sigset_t to_sigset(std::uint64_t mask)
{
    sigset_t set;
    ::sigemptyset(&set);
    for (int sig = 1; sig <= max_signal; ++sig) {
        if ((mask & signal_bit(sig)) != 0) {
            ::sigaddset(&set, sig);
        }
    }
    return set;
}

}  // namespace

UniqueFd create_eventfd(const EventFdState& saved, bool nonblock)
{
    int flags = EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0) | (saved.semaphore ? EFD_SEMAPHORE : 0);
    UniqueFd fd(::eventfd(0, flags));
    if (fd.valid() && saved.count > 0 && ::write(fd.get(), &saved.count, sizeof(saved.count)) != sizeof(saved.count)) {
        fd.reset();
    }
    return fd;
}

UniqueFd create_signalfd(const SignalFdState& saved, bool nonblock)
{
    sigset_t set = to_sigset(saved.mask);
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | (nonblock ? SFD_NONBLOCK : 0)));
}

UniqueFd create_timerfd(const TimerFdState& saved, bool nonblock)
{
    UniqueFd fd(::timerfd_create(saved.clockid, TFD_CLOEXEC | (nonblock ? TFD_NONBLOCK : 0)));
    // Expirations not yet read become one that is due at once.
    std::int64_t value = saved.ticks > 0 ? 1 : saved.value_ns;
    itimerspec spec{to_timespec(saved.interval_ns), to_timespec(value)};
    if (fd.valid() && ::timerfd_settime(fd.get(), 0, &spec, nullptr) < 0) {
        fd.reset();
    }
    return fd;
}

UniqueFd create_epoll()
{
    return UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
}

}  // namespace stasis
