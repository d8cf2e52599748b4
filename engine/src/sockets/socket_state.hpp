#pragma once
// A Unix socket the tree holds, as the image keeps it (docs/image-format.md,
// "unix_sockets"): how it was connected, its bound name, shutdown state,
// options and the messages waiting in its receive queue. Its fds are of kind
// unix_socket, with the link "socket:[INODE]" as their path.
#include "sockets/socket_message.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

// A name as the manifest keeps it: a path as it is, an abstract name as "@"
// followed by the hex of its bytes after the leading NUL; "" for none.
std::string name_to_text(const std::string& raw);
std::string name_from_text(const std::string& text);  // throws ImageError

struct UnixSocketOptions {
    int send_buffer = 0;     // SO_SNDBUF as getsockopt reports it (twice what was set)
    int receive_buffer = 0;  // SO_RCVBUF, likewise
    bool pass_credentials = false;  // SO_PASSCRED
    int peek_offset = -1;    // SO_PEEK_OFF; -1: not in use
    int receive_low_water = 1;  // SO_RCVLOWAT
    std::int64_t receive_timeout_us = 0;  // SO_RCVTIMEO
    std::int64_t send_timeout_us = 0;     // SO_SNDTIMEO
};

struct UnixSocketState {
    std::uint32_t inode = 0;  // at checkpoint time; names the socket in the image
    int type = 0;             // SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
    // The name the socket bound itself to (name_to_text), "" for none; and
    // for a path, its socket file's permission bits.
    std::string name;
    unsigned mode = 0;
    bool listening = false;
    int backlog = 0;
    // A listener's connections not yet accepted: their clients, oldest first.
    std::vector<std::uint32_t> pending;
    std::uint32_t peer = 0;        // the connected peer (in the tree); 0 for none
    bool peer_closed = false;      // connected, but the peer has been closed
    std::uint32_t accepted_from = 0;  // the listener (in the tree) this connection was accepted from
    int shutdown = 0;              // the kernel's sk_shutdown bits: 1 receive, 2 send
    UnixSocketOptions options;
    std::vector<SocketMessage> queue;  // the receive queue, oldest first (a source as name_to_text)
};

// The socket of the image with this inode (none for 0), or with this name.
const UnixSocketState* find_unix_socket(const std::vector<UnixSocketState>& sockets, std::uint32_t inode);
const UnixSocketState* find_unix_socket_named(const std::vector<UnixSocketState>& sockets, const std::string& name);

// Whether a restore has an unnamed socket connected to the receiver to send
// its unnamed datagrams from: its peer, if that is unnamed and connected to
// it too, or the end that stands for a closed peer.
bool has_unnamed_partner(const std::vector<UnixSocketState>& sockets, const UnixSocketState& receiver);

void to_json(nlohmann::json& j, const UnixSocketState& s);
void from_json(const nlohmann::json& j, UnixSocketState& s);

}  // namespace stasis
