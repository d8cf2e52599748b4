#include "inet_sockets/dump_inet_sockets.hpp"

#include "core/error.hpp"
#include "core/remote_fd.hpp"
#include "files/file_kinds.hpp"
#include "inet_sockets/inet_diag.hpp"
#include "inet_sockets/inet_socket_options.hpp"
#include "sockets/socket_holders.hpp"
#include "sockets/socket_queue.hpp"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <chrono>
#include <optional>

namespace stasis {

namespace {

// Room for the largest UDP datagram.
constexpr std::size_t largest_datagram = 65536;

// The tree's TCP and UDP sockets beside the kernel's description of every
// one of the host.
struct TreeSockets : TreeSocketHolders {
    InetDiagTable table;

    // The kernel's description; none for an unbound socket.
    [[nodiscard]] const InetDiag* find(std::uint32_t inode) const
    {
        auto it = table.by_inode.find(inode);
        return it == table.by_inode.end() ? nullptr : &it->second;
    }
};

TreeSockets find_tree_sockets(const std::vector<ProcessState>& tree)
{
    TreeSockets sockets{tree_socket_holders(tree, FdKind::inet_socket), {}};
    if (!sockets.held.empty()) {
        sockets.table = query_inet_sockets();
    }
    return sockets;
}

bool is_tcp(const InetDiag& socket)
{
    return socket.protocol == IPPROTO_TCP;
}

const char* protocol_name(const InetDiag& socket)
{
    return is_tcp(socket) ? "TCP" : "UDP";
}

// The socket at the other end of a TCP connection, wherever it is: the one
// whose addresses are this one's reversed (inode 0: not accepted yet).
const InetDiag* tcp_peer(const TreeSockets& sockets, const InetDiag& socket)
{
    auto local = comparable_address(socket.local);
    auto peer = comparable_address(socket.peer);
    auto reversed = [&](const InetDiag& other) {
        return is_tcp(other) && comparable_address(other.local) == peer && comparable_address(other.peer) == local;
    };
    for (const auto& [inode, other] : sockets.table.by_inode) {
        if (reversed(other)) {
            return &other;
        }
    }
    for (const auto& other : sockets.table.unaccepted) {
        if (reversed(other)) {
            return &other;
        }
    }
    return nullptr;
}

// The tree's UDP socket that receives what is sent to address.
const InetDiag* tree_udp_socket_at(const TreeSockets& sockets, const InetAddress& address)
{
    for (const auto& [inode, holder] : sockets.held) {
        const auto* socket = sockets.find(inode);
        if (socket != nullptr && !is_tcp(*socket) && address_covers(socket->local, address)) {
            return socket;
        }
    }
    return nullptr;
}

// The tree's TCP listener that a connection to address reaches.
const InetDiag* tree_listener_at(const TreeSockets& sockets, const InetAddress& address)
{
    for (const auto& [inode, holder] : sockets.held) {
        const auto* socket = sockets.find(inode);
        if (socket != nullptr && is_tcp(*socket) && socket->state == tcp_state_listen &&
            address_covers(socket->local, address)) {
            return socket;
        }
    }
    return nullptr;
}

// "127.0.0.1:5000 (socket:[N] of process P (COMM))", as much as stasis sees.
std::string describe_outside(const TreeSockets& sockets, const InetAddress& address, const InetDiag* holder)
{
    std::string text = inet_address_text(address);
    if (holder != nullptr && holder->inode != 0) {
        text += " (socket:[" + std::to_string(holder->inode) + "]" + outside_holder(holder->inode, sockets.pids) + ")";
    }
    return text;
}

// The other end of a connection when no process of the tree holds it.
std::optional<std::string> end_outside(const TreeSockets& sockets, const InetDiag& socket)
{
    if (socket.peer.port() == 0) {
        return std::nullopt;
    }
    if (is_tcp(socket)) {
        // A connection not accepted yet is inside when a listener of the
        // tree holds it (and refused for that, check_restorable).
        const auto* peer = tcp_peer(sockets, socket);
        bool inside = peer != nullptr && (peer->inode == 0 ? tree_listener_at(sockets, peer->local) != nullptr
                                                           : sockets.holds(peer->inode));
        if (!inside) {
            return describe_outside(sockets, socket.peer, peer);
        }
        return std::nullopt;
    }
    if (tree_udp_socket_at(sockets, socket.peer) == nullptr) {
        return describe_outside(sockets, socket.peer, nullptr);
    }
    return std::nullopt;
}

// What a restore could not bring back yet, though the other end is in the
// tree (docs/engine.md, "TCP and UDP sockets").
void check_restorable(const SocketHolder& holder, const InetDiag& socket)
{
    if (!is_tcp(socket)) {
        return;
    }
    switch (socket.state) {
    case tcp_state_listen:
        if (socket.read_queue > 0) {
            refuse_socket(holder, "a listening TCP socket holding " + std::to_string(socket.read_queue) +
                                      (socket.read_queue == 1 ? " connection" : " connections") +
                                      " not accepted yet");
        }
        return;
    case tcp_state_established:
        if (socket.shutdown != 0) {
            refuse_socket(holder, "a half-closed TCP connection (shut down for " +
                                      std::string(socket.shutdown == 1 ? "reading" : "writing") + ")");
        }
        return;
    case tcp_state_close:
    case tcp_state_bound_inactive:
        return;
    default:
        refuse_socket(holder, std::string("a TCP socket in state ") + tcp_state_name(socket.state));
    }
}

// Which end of a connection a restore makes by accept: the end a listener
// of the tree covers; without one, the end with the lower inode.
bool made_by_accept(const TreeSockets& sockets, const InetDiag& socket, const InetDiag& peer)
{
    bool mine = tree_listener_at(sockets, socket.local) != nullptr;
    bool theirs = tree_listener_at(sockets, peer.local) != nullptr;
    return mine != theirs ? mine : socket.inode < peer.inode;
}

std::string inet_source_text(const sockaddr_storage& from, socklen_t length)
{
    return inet_address_text(from, length);
}

std::string name_of(int sock, int (*query)(int, sockaddr*, socklen_t*))
{
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (query(sock, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return "";
    }
    auto text = inet_address_text(address, length);
    return text.ends_with(":0") ? "" : text;
}

// A stream's unread bytes are counted now (SIOCINQ), not taken from the
// socket table read before the dump waited for its peer's last bytes.
void capture_queue(int sock, const InetDiag& socket, InetSocketState& s)
{
    if (s.listening || (s.type == SOCK_STREAM && socket.state != tcp_state_established)) {
        return;
    }
    int unread = 0;
    if (s.type == SOCK_STREAM && ::ioctl(sock, SIOCINQ, &unread) != 0) {
        throw sys_error("cannot count the unread bytes of a TCP socket");
    }
    QueueShape shape{s.type, static_cast<std::uint64_t>(unread), false,
                     s.type == SOCK_DGRAM ? largest_datagram : 0};
    s.queue = peek_receive_queue(sock, shape, inet_source_text).messages;
}

InetSocketState capture_socket(const TreeSockets& sockets, const SocketHolder& holder)
{
    auto copy = copy_remote_fd(holder.pid, holder.fd);
    InetSocketState s;
    s.inode = socket_inode(holder.link);
    s.family = socket_int_option(copy.get(), SOL_SOCKET, SO_DOMAIN);
    s.type = socket_int_option(copy.get(), SOL_SOCKET, SO_TYPE);
    s.local = name_of(copy.get(), ::getsockname);
    s.peer = name_of(copy.get(), ::getpeername);
    s.options = read_inet_options(copy.get(), s.family, s.type);
    const auto* socket = sockets.find(s.inode);
    if (socket == nullptr) {
        if (!s.local.empty()) {
            refuse_socket(holder, "a socket bound to " + s.local + " that the kernel's socket table does not list");
        }
        return s;  // unbound: nothing more to it
    }
    s.listening = is_tcp(*socket) && socket->state == tcp_state_listen;
    s.backlog = s.listening ? static_cast<int>(socket->write_queue) : 0;
    if (is_tcp(*socket) && socket->state == tcp_state_established) {
        const auto* peer = tcp_peer(sockets, *socket);
        if (peer == nullptr) {
            refuse_socket(holder, "a TCP socket whose peer " + s.peer + " is gone");
        }
        s.peer_socket = peer->inode;
        s.accepted = made_by_accept(sockets, *socket, *peer);
    }
    capture_queue(copy.get(), *socket, s);
    return s;
}

// A restore sends each queued datagram again from the tree's socket at the
// address it came from.
void check_senders(const TreeSockets& sockets, const std::vector<InetSocketState>& states)
{
    for (const auto& receiver : states) {
        if (receiver.type != SOCK_DGRAM) {
            continue;
        }
        for (const auto& message : receiver.queue) {
            if (message.source.empty() ||
                tree_udp_socket_at(sockets, inet_address_from_text(message.source)) == nullptr) {
                refuse_socket(sockets.held.at(receiver.inode),
                              "a UDP socket holding a datagram from " +
                                  (message.source.empty() ? std::string("an unknown sender") : message.source) +
                                  " outside the checkpointed tree");
            }
        }
    }
}

// A connection's bytes are all in its peer's receive queue, where the dump
// reads them, once the peer has acknowledged them. Until then some may be
// held back by the sender (Nagle's algorithm waits for the acknowledgement
// of the previous segment; a full receive window) or be waiting to be sent
// again. The kernel sends and acknowledges them while the tree is frozen:
// stasis waits for that (a delayed acknowledgement takes 40 ms or more),
// and refuses a connection whose bytes stay unacknowledged.
void wait_until_acknowledged(const TreeSockets& sockets)
{
    constexpr auto patience = std::chrono::seconds(2);
    auto deadline = std::chrono::steady_clock::now() + patience;
    for (const auto& [inode, holder] : sockets.held) {
        const auto* socket = sockets.find(inode);
        if (socket == nullptr || !is_tcp(*socket) || socket->state != tcp_state_established) {
            continue;
        }
        auto copy = copy_remote_fd(holder.pid, holder.fd);
        int unacknowledged = 0;
        while (::ioctl(copy.get(), SIOCOUTQ, &unacknowledged) == 0 && unacknowledged > 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                refuse_socket(holder, "a TCP socket whose peer has not taken " + std::to_string(unacknowledged) +
                                          " bytes within 2 s (its receive window is full)");
            }
            ::poll(nullptr, 0, 1);
        }
    }
}

}  // namespace

void classify_inet_sockets(std::vector<ProcessState>& tree)
{
    auto sockets = find_tree_sockets(tree);
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            if (fd.kind != FdKind::inet_socket) {
                continue;
            }
            SocketHolder holder{p.pid, fd.fd, fd.path};
            const auto* socket = sockets.find(socket_inode(fd.path));
            if (socket == nullptr) {
                continue;  // unbound (capture checks it)
            }
            if (auto outside = end_outside(sockets, *socket)) {
                if (fd.fd <= last_stdio_fd) {
                    fd.kind = FdKind::inherit;
                    continue;
                }
                refuse_socket(holder, std::string("a ") + protocol_name(*socket) + " socket connected to " + *outside +
                                          " outside the checkpointed tree");
            }
            check_restorable(holder, *socket);
        }
    }
}

void capture_inet_sockets(const std::vector<ProcessState>& tree, Checkpoint& checkpoint)
{
    auto sockets = find_tree_sockets(tree);
    wait_until_acknowledged(sockets);
    for (const auto& [inode, holder] : sockets.held) {
        checkpoint.inet_sockets.push_back(capture_socket(sockets, holder));
    }
    check_senders(sockets, checkpoint.inet_sockets);
    for (const auto& s : checkpoint.inet_sockets) {
        if (s.type == SOCK_STREAM) {
            const auto& holder = sockets.held.at(s.inode);
            keep_port_reusable(copy_remote_fd(holder.pid, holder.fd).get());
        }
    }
}

}  // namespace stasis
