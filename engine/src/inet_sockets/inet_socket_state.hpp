#pragma once
// A TCP or UDP socket the tree holds, as the image keeps it
// (docs/image-format.md, "inet_sockets"): its addresses, how it is connected
// to another socket of the tree, its options and the data waiting in its
// receive queue. Its fds are of kind inet_socket, with the link
// "socket:[INODE]" as their path.
#include "sockets/socket_message.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct InetSocketOptions {
    bool reuse_address = false;  // SO_REUSEADDR as the program had it
    bool reuse_port = false;     // SO_REUSEPORT
    bool keep_alive = false;     // SO_KEEPALIVE
    // SO_SNDBUF and SO_RCVBUF as getsockopt reports them (twice what was
    // set); 0 when a new socket has the same (the kernel's default).
    int send_buffer = 0;
    int receive_buffer = 0;
    bool no_delay = false;  // TCP_NODELAY (TCP)
    bool v6_only = false;   // IPV6_V6ONLY (IPv6)
};

struct InetSocketState {
    std::uint32_t inode = 0;  // at checkpoint time; names the socket in the image
    int family = 0;           // AF_INET or AF_INET6
    int type = 0;             // SOCK_STREAM (TCP) or SOCK_DGRAM (UDP)
    // Addresses as inet_address_text writes them: the socket's own, "" when
    // unbound; its connected peer's, "" when not connected.
    std::string local;
    std::string peer;
    bool listening = false;
    int backlog = 0;
    // TCP: the tree's socket at the other end of the connection, and whether
    // this end is made by accept (the other end connects to it).
    std::uint32_t peer_socket = 0;
    bool accepted = false;
    InetSocketOptions options;
    // The receive queue, oldest first: a TCP stream's bytes as one message;
    // UDP datagrams each with its sender's address.
    std::vector<SocketMessage> queue;
};

// The socket of the image with this inode (none for 0).
const InetSocketState* find_inet_socket(const std::vector<InetSocketState>& sockets, std::uint32_t inode);

// "the TCP socket socket:[N] (127.0.0.1:5000)", for messages.
std::string describe_inet_socket(const InetSocketState& s);

void to_json(nlohmann::json& j, const InetSocketState& s);
void from_json(const nlohmann::json& j, InetSocketState& s);

}  // namespace stasis
