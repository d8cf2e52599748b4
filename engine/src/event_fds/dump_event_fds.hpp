#pragma once
// The dump half of eventfd, signalfd, timerfd and epoll: their state from
// the fd's fdinfo text.
#include "event_fds/event_fd_state.hpp"

#include <sys/types.h>

#include <string>

namespace stasis {

EventFdState parse_eventfd(const std::string& fdinfo);
SignalFdState parse_signalfd(const std::string& fdinfo);
TimerFdState parse_timerfd(const std::string& fdinfo);
EpollState parse_epoll(const std::string& fdinfo);

}  // namespace stasis
