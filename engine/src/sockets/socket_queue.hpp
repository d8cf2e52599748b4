#pragma once
// The receive queue of a socket (Unix, TCP, UDP), read without consuming it:
// the dump peeks (MSG_PEEK) through a copy of the tree's fd, from the start
// of the queue (SO_PEEK_OFF 0), and puts the program's own peek offset back.
#include "sockets/socket_message.hpp"

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct PeekedQueue {
    // A stream's bytes as one message; each datagram or record as one.
    std::vector<SocketMessage> messages;
    // Some message carries fds (SCM_RIGHTS) the receiver has not taken yet.
    bool carries_fds = false;
};

// What the kernel's socket table tells about a queue before it is read.
struct QueueShape {
    int type = 0;                 // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
    std::uint64_t counted_bytes = 0;  // unread bytes as the kernel counts them (stream, seqpacket)
    bool receive_shut = false;    // shut down for reading (a seqpacket's end of file follows its records)
    // 0: each datagram's length is peeked first (Unix). Else each datagram is
    // peeked whole into this much room (UDP: a truncated peek moves its peek
    // offset past the whole datagram).
    std::size_t datagram_room = 0;
};

// A datagram's sender, as recvmsg names it, in the image's words.
using SourceText = std::string (*)(const sockaddr_storage& from, socklen_t length);

// sock: stasis's copy of the socket (core/remote_fd.hpp). Throws Error when
// the socket cannot be read.
PeekedQueue peek_receive_queue(int sock, const QueueShape& shape, SourceText source_text);

}  // namespace stasis
