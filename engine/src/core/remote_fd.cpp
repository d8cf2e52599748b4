#include "core/remote_fd.hpp"

#include "core/error.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <string>

namespace stasis {

UniqueFd copy_remote_fd(pid_t pid, int fd)
{
    UniqueFd process(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    UniqueFd copy(process.valid() ? static_cast<int>(::syscall(SYS_pidfd_getfd, process.get(), fd, 0)) : -1);
    if (!copy.valid()) {
        throw sys_error("cannot take a copy of fd " + std::to_string(fd) + " of process " + std::to_string(pid));
    }
    return copy;
}

}  // namespace stasis
