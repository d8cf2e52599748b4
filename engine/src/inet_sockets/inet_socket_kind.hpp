#pragma once
// TCP and UDP sockets (IPv4 and IPv6) whose other ends are in the tree:
// listeners, connections between two processes of the tree with their
// unread data, UDP sockets with their queued datagrams, and options
// (docs/engine.md, "TCP and UDP sockets"). One leading out of the tree is
// handed over on fds 0-2 (kind inherit) and refused beyond them, naming the
// peer's address.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& inet_socket_kind();

}  // namespace stasis
