#pragma once
// The kernel's own description of the Unix sockets of this network namespace
// (NETLINK_SOCK_DIAG, family AF_UNIX): what /proc does not tell about a
// socket — its peer, the connections waiting in a listener's backlog, its
// shutdown state, its bound name and queue lengths. The query works
// unprivileged and lists every user's sockets.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stasis {

struct UnixDiag {
    std::uint32_t inode = 0;
    int type = 0;   // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
    int state = 0;  // unix_state_* below
    // As bound: a path (as given to bind, possibly relative), or an abstract
    // name starting with a NUL byte; empty when unbound.
    std::string name;
    // The inode of a path name's socket file, and its device.
    std::uint32_t vfs_inode = 0;
    dev_t vfs_dev = 0;
    // The peer's inode; 0 without one, also when the peer has been closed or
    // is a connection not yet accepted (it has no inode until accept).
    std::uint32_t peer = 0;
    // A listener's connections not accepted yet: their clients' inodes, in
    // the order accept returns them.
    std::vector<std::uint32_t> pending;
    // Bytes waiting to be read (a datagram socket: the first datagram's);
    // a listener: connections waiting. Bytes sent but not read yet by the
    // receiver (with the kernel's overhead); a listener: its backlog.
    std::uint32_t read_queue = 0;
    std::uint32_t write_queue = 0;
    int shutdown = 0;  // unix_receive_shut | unix_send_shut
};

// Socket states as sock_diag reports them (the TCP numbering).
inline constexpr int unix_state_connected = 1;  // TCP_ESTABLISHED
inline constexpr int unix_state_unconnected = 7;  // TCP_CLOSE
inline constexpr int unix_state_listening = 10;  // TCP_LISTEN

// The kernel's sk_shutdown bits.
inline constexpr int unix_receive_shut = 1;
inline constexpr int unix_send_shut = 2;

using UnixDiagTable = std::map<std::uint32_t, UnixDiag>;  // by inode

// Every Unix socket of the caller's network namespace. Throws Error.
UnixDiagTable query_unix_sockets();

}  // namespace stasis
