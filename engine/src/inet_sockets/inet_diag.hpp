#pragma once
// The kernel's description of the TCP and UDP sockets of this network
// namespace (NETLINK_SOCK_DIAG, inet_diag, IPv4 and IPv6): state, addresses,
// queue lengths and shutdown bits, by inode. Lists every user's sockets,
// unprivileged; an unbound socket is not in it.
#include "inet_sockets/inet_address.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace stasis {

struct InetDiag {
    std::uint32_t inode = 0;
    int family = 0;    // AF_INET or AF_INET6
    int protocol = 0;  // IPPROTO_TCP or IPPROTO_UDP
    int state = 0;     // TCP's numbering (tcp_state_* below); UDP: established when connected
    InetAddress local, peer;
    // A listener: connections waiting to be accepted, and its backlog.
    // (A connection: unread bytes, and bytes not acknowledged by the peer;
    // UDP: memory its queues use.)
    std::uint32_t read_queue = 0;
    std::uint32_t write_queue = 0;
    int shutdown = 0;  // sk_shutdown: 1 receive, 2 send
};

inline constexpr int tcp_state_established = 1;
inline constexpr int tcp_state_close = 7;
inline constexpr int tcp_state_listen = 10;
// Bound, neither listening nor connected (Linux 6.6; Debian 12's headers
// predate it). The kernel lists such sockets only when asked for this state.
inline constexpr int tcp_state_bound_inactive = 13;

struct InetDiagTable {
    std::map<std::uint32_t, InetDiag> by_inode;
    // Connections waiting in a listener's backlog: no inode until accepted.
    std::vector<InetDiag> unaccepted;
};

// Every TCP and UDP socket, IPv4 and IPv6, of the caller's network
// namespace. Throws Error.
InetDiagTable query_inet_sockets();

// "ESTABLISHED", "FIN_WAIT1", ... for messages.
const char* tcp_state_name(int state);

}  // namespace stasis
