#pragma once
// The restore half of TCP and UDP sockets (inet_sockets/inet_socket_kind.hpp):
// every socket of the image made again, once, before the tree is forked:
// bound to its address (a port taken by someone else since fails the
// restore, naming the address), listening, each TCP connection made again
// for real between its two ends (no TCP_REPAIR: it needs CAP_NET_ADMIN),
// UDP sockets connected, each receive queue sent again from the other end,
// then the options set.
#include "image/checkpoint.hpp"
#include "sockets/socket_fds.hpp"

namespace stasis {

class RecreatedInetSockets {
public:
    // Throws Error when a socket cannot be made again (an address in use, ...).
    explicit RecreatedInetSockets(const Checkpoint& checkpoint);

    // A new fd of stasis's own on saved's socket, with its status flags.
    UniqueFd socket_for(const FdState& saved) const { return socket_fd_for(sockets_, saved); }

private:
    SocketsByInode sockets_;
};

}  // namespace stasis
