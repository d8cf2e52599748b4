#pragma once
// The dump half of Unix sockets (sockets/unix_socket_kind.hpp).
#include "image/checkpoint.hpp"

#include <vector>

namespace stasis {

// Tells sockets inside the tree from sockets leading out of it (a peer, a
// listener or a waiting client that no process of the tree holds): on fds
// 0-2 the latter become kind inherit, as pipes do; on higher fds they are
// refused, as is what a restore could not bring back (a connection not yet
// accepted that was already sent data, a path name no longer on disk, ...).
void classify_unix_sockets(std::vector<ProcessState>& tree);

// Records every Unix socket of the tree once: how it is connected, its
// options and its receive queue, read without consuming it. Refuses a queue
// holding fds in flight (SCM_RIGHTS) or datagrams from a sender that a
// restore cannot recreate. Must run while the tree is frozen.
void capture_unix_sockets(const std::vector<ProcessState>& tree, Checkpoint& checkpoint);

}  // namespace stasis
