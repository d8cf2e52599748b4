#pragma once
// The restore half of Unix sockets (sockets/unix_socket_kind.hpp): every
// socket of the image made again, once, before the tree is forked: bound to
// its name, listening, connected as it was (pairs, accepted connections,
// connections still waiting in a backlog), its receive queue sent again from
// its peer's end, shut down and set up as it was.
#include "files/fd_state.hpp"
#include "image/checkpoint.hpp"
#include "sockets/socket_fds.hpp"
#include <stasis/unique_fd.hpp>

#include <cstdint>
#include <map>

namespace stasis {

class RecreatedUnixSockets {
public:
    // Throws Error when a socket cannot be made again (a name in use, ...).
    explicit RecreatedUnixSockets(const Checkpoint& checkpoint);

    // A new fd of stasis's own on saved's socket, with its status flags.
    // Throws ImageError when the image lacks the socket.
    UniqueFd socket_for(const FdState& saved);

private:
    SocketsByInode sockets_;
};

}  // namespace stasis
