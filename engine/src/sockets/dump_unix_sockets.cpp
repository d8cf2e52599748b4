#include "sockets/dump_unix_sockets.hpp"

#include "core/error.hpp"
#include "core/remote_fd.hpp"
#include "files/fd_kind.hpp"
#include "files/file_kinds.hpp"
#include "sockets/socket_holders.hpp"
#include "sockets/socket_queue.hpp"
#include "sockets/unix_address.hpp"
#include "sockets/unix_diag.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>

namespace stasis {

namespace {

// The tree's Unix sockets beside the kernel's description of every Unix
// socket.
struct TreeSockets : TreeSocketHolders {
    UnixDiagTable table;
};

// The kernel's table lists every Unix socket of the host: it is asked for
// only when the tree holds one.
TreeSockets find_tree_sockets(const std::vector<ProcessState>& tree)
{
    TreeSockets sockets{tree_socket_holders(tree, FdKind::unix_socket), {}};
    if (!sockets.held.empty()) {
        sockets.table = query_unix_sockets();
    }
    return sockets;
}

const UnixDiag& kernel_view(const TreeSockets& sockets, const SocketHolder& holder)
{
    auto it = sockets.table.find(socket_inode(holder.link));
    if (it == sockets.table.end()) {
        refuse_socket(holder, "a Unix socket of another network namespace");
    }
    return it->second;
}

// The listener whose backlog holds the connection of client, if any.
const UnixDiag* listener_of_waiting(const TreeSockets& sockets, std::uint32_t client)
{
    for (const auto& [inode, socket] : sockets.table) {
        if (std::find(socket.pending.begin(), socket.pending.end(), client) != socket.pending.end()) {
            return &socket;
        }
    }
    return nullptr;
}

// A client whose connection waits in a listener's backlog: it has no peer
// until the connection is accepted.
bool waits_in_backlog(const TreeSockets& sockets, const UnixDiag& socket)
{
    return socket.state == unix_state_connected && socket.peer == 0 &&
           listener_of_waiting(sockets, socket.inode) != nullptr;
}

// "socket:[N] (NAME) of process P (COMM)", as much as stasis can see.
std::string describe_outside(const TreeSockets& sockets, std::uint32_t inode)
{
    std::string text = "socket:[" + std::to_string(inode) + "]";
    if (auto it = sockets.table.find(inode); it != sockets.table.end() && !it->second.name.empty()) {
        text += " (" + printable_name(it->second.name) + ")";
    }
    text += outside_holder(inode, sockets.pids);
    return text;
}

// The other end of a connection when no process of the tree holds it:
// the peer, or, for a connection not accepted yet, the listener.
std::optional<std::string> end_outside(const TreeSockets& sockets, const UnixDiag& socket)
{
    if (socket.peer != 0 && !sockets.holds(socket.peer)) {
        return describe_outside(sockets, socket.peer);
    }
    if (socket.state == unix_state_connected && socket.peer == 0) {
        const auto* listener = listener_of_waiting(sockets, socket.inode);
        if (listener != nullptr && !sockets.holds(listener->inode)) {
            return describe_outside(sockets, listener->inode);
        }
    }
    return std::nullopt;
}

bool is_path(const std::string& name)
{
    return !name.empty() && name.front() != '\0';
}

// Whether the socket's own name comes back at restore: a listener's, a
// datagram socket's, an unconnected socket's. A connected stream or
// seqpacket socket's name is its listener's (an accepted connection) or its
// own (a client that bound one): only the former comes back.
bool keeps_own_name(const UnixDiag& socket)
{
    return !socket.name.empty() && (socket.type == SOCK_DGRAM || socket.state != unix_state_connected);
}

void check_name(const SocketHolder& holder, const UnixDiag& socket)
{
    if (!keeps_own_name(socket) || !is_path(socket.name)) {
        return;
    }
    if (socket.name.front() != '/') {
        refuse_socket(holder, "a Unix socket bound to the relative path " + socket.name);
    }
    struct stat st {};
    if (::stat(socket.name.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_ino != socket.vfs_inode ||
        st.st_dev != socket.vfs_dev) {
        refuse_socket(holder, "a Unix socket bound to " + socket.name + ", a path that no longer leads to it");
    }
}

void check_backlog(const TreeSockets& sockets, const SocketHolder& holder, const UnixDiag& socket)
{
    for (std::uint32_t client : socket.pending) {
        if (client == 0) {
            refuse_socket(holder, "a listening Unix socket holding a connection whose client has closed it");
        }
        if (!sockets.holds(client)) {
            refuse_socket(holder, "a listening Unix socket holding a connection from " + describe_outside(sockets, client) +
                               " outside the checkpointed tree");
        }
    }
}

// What a restore could not bring back, though both ends are in the tree.
void check_restorable(const TreeSockets& sockets, const SocketHolder& holder, const UnixDiag& socket)
{
    check_name(holder, socket);
    check_backlog(sockets, holder, socket);
    if (waits_in_backlog(sockets, socket) && socket.write_queue > 0) {
        refuse_socket(holder, "a Unix socket whose connection is not accepted yet but was already sent data");
    }
}

int int_option(int sock, int name)
{
    int value = 0;
    socklen_t size = sizeof(value);
    if (::getsockopt(sock, SOL_SOCKET, name, &value, &size) < 0) {
        throw sys_error("cannot read the options of a Unix socket");
    }
    return value;
}

std::int64_t timeout_option(int sock, int name)
{
    timeval value{};
    socklen_t size = sizeof(value);
    if (::getsockopt(sock, SOL_SOCKET, name, &value, &size) < 0) {
        throw sys_error("cannot read the timeouts of a Unix socket");
    }
    return static_cast<std::int64_t>(value.tv_sec) * 1000000 + value.tv_usec;
}

UnixSocketOptions read_options(int sock)
{
    UnixSocketOptions o;
    o.send_buffer = int_option(sock, SO_SNDBUF);
    o.receive_buffer = int_option(sock, SO_RCVBUF);
    o.pass_credentials = int_option(sock, SO_PASSCRED) != 0;
    o.peek_offset = int_option(sock, SO_PEEK_OFF);
    o.receive_low_water = int_option(sock, SO_RCVLOWAT);
    o.receive_timeout_us = timeout_option(sock, SO_RCVTIMEO);
    o.send_timeout_us = timeout_option(sock, SO_SNDTIMEO);
    return o;
}

// The listener of the tree an accepted connection came from: the one whose
// name (and socket file) the connection shares.
std::uint32_t accepting_listener(const TreeSockets& sockets, const UnixDiag& socket)
{
    if (socket.type == SOCK_DGRAM || socket.state != unix_state_connected || socket.name.empty()) {
        return 0;
    }
    for (const auto& [inode, holder] : sockets.held) {
        const auto& other = sockets.table.at(inode);
        if (other.state == unix_state_listening && other.name == socket.name && other.vfs_inode == socket.vfs_inode) {
            return inode;
        }
    }
    return 0;
}

std::string unix_source_text(const sockaddr_storage& from, socklen_t length)
{
    constexpr auto path_at = offsetof(sockaddr_un, sun_path);
    if (length <= path_at) {
        return "";
    }
    return name_to_text(unix_name(reinterpret_cast<const sockaddr_un&>(from).sun_path, length - path_at));
}

UnixSocketState capture_socket(const TreeSockets& sockets, const SocketHolder& holder)
{
    const auto& socket = kernel_view(sockets, holder);
    UnixSocketState s;
    s.inode = socket.inode;
    s.type = socket.type;
    s.listening = socket.state == unix_state_listening;
    s.backlog = s.listening ? static_cast<int>(socket.write_queue) : 0;
    s.pending = socket.pending;
    s.peer = socket.peer;
    s.peer_closed = socket.state == unix_state_connected && socket.peer == 0 && !waits_in_backlog(sockets, socket);
    s.accepted_from = accepting_listener(sockets, socket);
    s.shutdown = socket.shutdown;
    if (keeps_own_name(socket)) {
        s.name = name_to_text(socket.name);
        struct stat st {};
        if (is_path(socket.name) && ::stat(socket.name.c_str(), &st) == 0) {
            s.mode = st.st_mode & 07777;
        }
    }
    auto copy = copy_remote_fd(holder.pid, holder.fd);
    s.options = read_options(copy.get());
    if (!s.listening) {
        QueueShape shape{socket.type, socket.read_queue, (socket.shutdown & unix_receive_shut) != 0};
        auto queue = peek_receive_queue(copy.get(), shape, unix_source_text);
        if (queue.carries_fds) {
            refuse_socket(holder, "a Unix socket with fds in flight (SCM_RIGHTS sent, not received yet)");
        }
        s.queue = std::move(queue.messages);
    }
    return s;
}

// A restore sends each queued datagram again, from a socket with the name it
// came from: the tree's socket of that name (connected to the receiver, or
// sending to the receiver's name), the receiver's unnamed partner, or, for an
// unnamed sender, any unnamed socket sending to the receiver's name.
void check_senders(const TreeSockets& sockets, const std::vector<UnixSocketState>& states)
{
    for (const auto& receiver : states) {
        if (receiver.type != SOCK_DGRAM) {
            continue;
        }
        bool unnamed_partner = has_unnamed_partner(states, receiver);
        for (const auto& message : receiver.queue) {
            const auto* sender = find_unix_socket_named(states, message.source);
            bool sendable = message.source.empty() ? unnamed_partner || !receiver.name.empty()
                                                   : sender != nullptr && (sender->peer == receiver.inode ||
                                                                           !receiver.name.empty());
            if (!sendable) {
                std::string from = message.source.empty()
                                       ? "an unnamed socket"
                                       : printable_name(name_from_text(message.source));
                refuse_socket(sockets.held.at(receiver.inode),
                       "a Unix datagram socket holding a datagram from " + from + ", which stasis cannot send again");
            }
        }
    }
}

}  // namespace

void classify_unix_sockets(std::vector<ProcessState>& tree)
{
    auto sockets = find_tree_sockets(tree);
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            if (fd.kind != FdKind::unix_socket) {
                continue;
            }
            SocketHolder holder{p.pid, fd.fd, fd.path};
            const auto& socket = kernel_view(sockets, holder);
            if (auto outside = end_outside(sockets, socket)) {
                if (fd.fd <= last_stdio_fd) {
                    fd.kind = FdKind::inherit;
                    continue;
                }
                refuse_socket(holder, "a Unix socket connected to " + *outside + " outside the checkpointed tree");
            }
            check_restorable(sockets, holder, socket);
        }
    }
}

void capture_unix_sockets(const std::vector<ProcessState>& tree, Checkpoint& checkpoint)
{
    auto sockets = find_tree_sockets(tree);
    for (const auto& [inode, holder] : sockets.held) {
        checkpoint.unix_sockets.push_back(capture_socket(sockets, holder));
    }
    check_senders(sockets, checkpoint.unix_sockets);
}

}  // namespace stasis
