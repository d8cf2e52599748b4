#pragma once
// The restore's sockets (of every kind), made once for the whole tree, and
// the fds it hands each saved description.
#include "files/fd_state.hpp"
#include <stasis/unique_fd.hpp>

#include <cstdint>
#include <map>

namespace stasis {

using SocketsByInode = std::map<std::uint32_t, UniqueFd>;  // by inode at checkpoint time

// A new fd of stasis's own on saved's socket, with its status flags.
// Throws ImageError when sockets lacks it.
UniqueFd socket_fd_for(const SocketsByInode& sockets, const FdState& saved);

}  // namespace stasis
