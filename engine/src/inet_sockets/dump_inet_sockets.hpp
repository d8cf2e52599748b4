#pragma once
// The dump half of TCP and UDP sockets (inet_sockets/inet_socket_kind.hpp).
#include "image/checkpoint.hpp"

#include <vector>

namespace stasis {

// Tells sockets inside the tree from sockets leading out of it (a TCP
// connection whose other end, or a connected UDP socket whose peer, no
// process of the tree holds): on fds 0-2 the latter become kind inherit; on
// higher fds they are refused, naming the peer's address, as is what a
// restore cannot bring back yet (connections waiting in a listener's
// backlog, a half-closed connection, a TCP state other than LISTEN,
// ESTABLISHED or CLOSE).
void classify_inet_sockets(std::vector<ProcessState>& tree);

// Records every TCP and UDP socket of the tree once: addresses, the tree's
// socket at the other end, options and the receive queue, read without
// consuming it, once every byte sent has been acknowledged (so is in its
// receiver's queue). Refuses a connection whose peer does not take its bytes
// (a full window) and a queued datagram whose sender is not in the tree.
// Leaves SO_REUSEADDR set on the tree's TCP sockets, so that what the
// killed tree leaves in TIME_WAIT does not keep a restore from binding its
// ports again. Must run while the tree is frozen.
void capture_inet_sockets(const std::vector<ProcessState>& tree, Checkpoint& checkpoint);

}  // namespace stasis
