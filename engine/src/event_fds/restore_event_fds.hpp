#pragma once
// The restore half of eventfd, signalfd, timerfd and epoll: each object
// recreated with its saved state (an epoll still empty: its watches are
// added by event_fds/epoll_watches).
#include <stasis/unique_fd.hpp>
#include "event_fds/event_fd_state.hpp"

namespace stasis {

// nonblock: the saved description had O_NONBLOCK.
UniqueFd create_eventfd(const EventFdState& saved, bool nonblock);
UniqueFd create_signalfd(const SignalFdState& saved, bool nonblock);
UniqueFd create_timerfd(const TimerFdState& saved, bool nonblock);
UniqueFd create_epoll();

}  // namespace stasis
