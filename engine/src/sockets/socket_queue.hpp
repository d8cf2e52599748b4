#pragma once
// The receive queue of a Unix socket, read without consuming it: the dump
// peeks (MSG_PEEK) through a copy of the tree's fd, from the start of the
// queue (SO_PEEK_OFF 0), and puts the program's own peek offset back.
#include "sockets/socket_state.hpp"
#include "sockets/unix_diag.hpp"

#include <vector>

namespace stasis {

struct PeekedQueue {
    // A stream's bytes as one message; each datagram or record as one.
    std::vector<UnixMessage> messages;
    // Some message carries fds (SCM_RIGHTS) the receiver has not taken yet.
    bool carries_fds = false;
};

// sock: stasis's copy of the socket (core/remote_fd.hpp); socket: its
// description by the kernel. Throws Error when the socket cannot be read.
PeekedQueue peek_receive_queue(int sock, const UnixDiag& socket);

}  // namespace stasis
