#pragma once
// Unix sockets (stream, datagram, seqpacket) whose other ends are in the
// tree: socketpairs, named and abstract sockets, listeners with their
// backlog, connections with their queued data, shutdown state and options
// (docs/engine.md, "Unix sockets"). One leading out of the tree is handed
// over on fds 0-2 (kind inherit) and refused beyond them.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& unix_socket_kind();

}  // namespace stasis
