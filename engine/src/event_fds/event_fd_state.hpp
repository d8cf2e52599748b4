#pragma once
// The state of the kernel objects behind anonymous-inode fds, as the image
// keeps it (read from /proc/PID/fdinfo at dump): eventfd, signalfd, timerfd
// and epoll.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace stasis {

struct EventFdState {
    std::uint64_t count = 0;
    bool semaphore = false;
};

struct SignalFdState {
    std::uint64_t mask = 0;  // signal bit (sig - 1)
};

struct TimerFdState {
    int clockid = 0;
    std::uint64_t ticks = 0;  // expirations not yet read
    std::int64_t value_ns = 0;
    std::int64_t interval_ns = 0;
};

// One watch, named by the watching process's own fd number.
struct EpollWatch {
    int fd = 0;
    std::uint32_t events = 0;
    std::uint64_t data = 0;
};

struct EpollState {
    std::vector<EpollWatch> watches;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EventFdState, count, semaphore)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SignalFdState, mask)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimerFdState, clockid, ticks, value_ns, interval_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EpollWatch, fd, events, data)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EpollState, watches)

}  // namespace stasis
