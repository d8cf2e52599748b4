#pragma once
// The state of the kernel objects behind anonymous-inode fds, as the image
// keeps it (read from /proc/PID/fdinfo at dump): eventfd, signalfd, timerfd
// and epoll.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <utility>
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

// One watch: the fd number it was added with, and the open file description
// of the tree it is on (-1 in images that predate it: the file at that
// number in the epoll's first holder).
struct EpollWatch {
    int fd = 0;
    std::uint32_t events = 0;
    std::uint64_t data = 0;
    int description = -1;
};

struct EpollState {
    std::vector<EpollWatch> watches;
};

// Restore: (description, watched fd number) -> the fd a process is handed
// for a watch it re-adds but does not hold at that number.
using EpollWatchFds = std::map<std::pair<int, int>, int>;

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EventFdState, count, semaphore)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SignalFdState, mask)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimerFdState, clockid, ticks, value_ns, interval_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EpollWatch, fd, events, data, description)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EpollState, watches)

}  // namespace stasis
