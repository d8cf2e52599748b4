#pragma once
// Kernel objects a process reaches through anonymous-inode fds: eventfd,
// signalfd, timerfd and epoll. Their state is read from /proc/PID/fdinfo at
// dump and rebuilt by stasis at restore; an epoll's watch list is rebuilt
// inside the process, since it names the process's own fd numbers.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& eventfd_kind();
const FdKindOps& signalfd_kind();
const FdKindOps& timerfd_kind();
const FdKindOps& epoll_kind();

}  // namespace stasis
