#pragma once
// A copy of another process's fd (pidfd_getfd): the same open file
// description, in stasis's own fd table, to query or peek at an object only
// that process holds. Needs ptrace access to the process (stasis holds it
// seized while it dumps).
#include <stasis/unique_fd.hpp>

#include <sys/types.h>

namespace stasis {

// Throws an Error naming the process and the fd.
UniqueFd copy_remote_fd(pid_t pid, int fd);

}  // namespace stasis
