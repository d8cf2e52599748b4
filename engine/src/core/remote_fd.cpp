#include "core/remote_fd.hpp"

#include "core/error.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <string>

namespace stasis {

UniqueFd copy_remote_fd(pid_t pid, int fd)
{
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd.valid()) {
        throw sys_error("cannot open a pidfd of process " + std::to_string(pid));
    }
    UniqueFd copy(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
    if (!copy.valid()) {
        throw sys_error("cannot take a copy of fd " + std::to_string(fd) + " of process " + std::to_string(pid));
    }
    return copy;
}

}  // namespace stasis
