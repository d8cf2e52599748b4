#pragma once
// A copy of another process's fd (pidfd_getfd, Linux 5.6; needs ptrace
// access to it), to ask its open file description what only an fd tells
// (FIONREAD, getsockopt ...) without injecting anything.
#include <stasis/unique_fd.hpp>

#include <sys/types.h>

namespace stasis {

// Throws an Error naming pid and fd when the copy cannot be made.
UniqueFd copy_remote_fd(pid_t pid, int fd);

}  // namespace stasis
