#pragma once
// The restore half of eventfd, signalfd, timerfd and epoll: each object
// recreated with its saved state (an epoll still empty), and an epoll's
// watches added inside the restored process once its fds are in place.
#include "core/restore_context.hpp"
#include <stasis/unique_fd.hpp>
#include "event_fds/event_fd_state.hpp"

namespace stasis {

// nonblock: the saved description had O_NONBLOCK.
UniqueFd create_eventfd(const EventFdState& saved, bool nonblock);
UniqueFd create_signalfd(const SignalFdState& saved, bool nonblock);
UniqueFd create_timerfd(const TimerFdState& saved, bool nonblock);
UniqueFd create_epoll();

void add_epoll_watches(RestoreContext& ctx, int epfd, const EpollState& epoll);

}  // namespace stasis
