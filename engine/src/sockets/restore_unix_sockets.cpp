#include "sockets/restore_unix_sockets.hpp"

#include "core/error.hpp"
#include "sockets/unix_address.hpp"
#include "sockets/unix_diag.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <optional>

namespace stasis {

namespace {

constexpr int new_socket_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;

std::string described(const UnixSocketState& s)
{
    return "the Unix socket socket:[" + std::to_string(s.inode) + "]" +
           (s.name.empty() ? "" : " (" + printable_name(name_from_text(s.name)) + ")");
}

// The sockets of the image while they are being made.
class Rebuild {
public:
    explicit Rebuild(const std::vector<UnixSocketState>& saved) : saved_(saved) {}

    void create();
    void bind_and_listen();
    void connect();
    void configure();
    void refill();
    void finish();

    std::map<std::uint32_t, UniqueFd> take() { return std::move(made_); }

private:
    [[nodiscard]] const UnixSocketState* find(std::uint32_t inode) const;
    int fd_of(const UnixSocketState& s) const;
    // The end a socket's stream or records come from: its peer's, or the
    // end stasis made for a peer that had been closed.
    int partner_of(const UnixSocketState& s) const;
    void clear_stale_path(const std::string& path);
    void send_connected(int from, const UnixSocketState& to, const SocketMessage& message);
    void send_datagram(const UnixSocketState& to, const SocketMessage& message);

    const std::vector<UnixSocketState>& saved_;
    std::map<std::uint32_t, UniqueFd> made_;
    // The other ends of connections whose peer had been closed: closed once
    // the queues are refilled, so their survivors find what they would have.
    std::map<std::uint32_t, UniqueFd> closed_partners_;
    std::optional<UnixDiagTable> live_;  // the host's sockets, asked once when a path is in the way
};

const UnixSocketState* Rebuild::find(std::uint32_t inode) const
{
    return find_unix_socket(saved_, inode);
}

int Rebuild::fd_of(const UnixSocketState& s) const
{
    auto it = made_.find(s.inode);
    if (it == made_.end()) {
        throw ImageError("the image does not say how to make " + described(s) + " again");
    }
    return it->second.get();
}

int Rebuild::partner_of(const UnixSocketState& s) const
{
    if (auto it = closed_partners_.find(s.inode); it != closed_partners_.end()) {
        return it->second.get();
    }
    const auto* peer = find(s.peer);
    if (peer == nullptr) {
        throw ImageError(described(s) + " has queued data but no peer to send it");
    }
    return fd_of(*peer);
}

// A pair of the image (or a socket whose peer had been closed) is made as
// one socketpair; an accepted connection by accept (in connect()); any
// other socket on its own.
void Rebuild::create()
{
    for (const auto& s : saved_) {
        if (made_.count(s.inode) != 0 || s.accepted_from != 0) {
            continue;
        }
        const auto* peer = find(s.peer);
        bool pair = s.peer_closed || (peer != nullptr && peer->peer == s.inode && peer->accepted_from == 0);
        if (!pair) {
            UniqueFd alone(::socket(AF_UNIX, s.type | new_socket_flags, 0));
            if (!alone.valid()) {
                throw sys_error("cannot make " + described(s) + " again");
            }
            made_.emplace(s.inode, std::move(alone));
            continue;
        }
        int ends[2];
        if (::socketpair(AF_UNIX, s.type | new_socket_flags, 0, ends) < 0) {
            throw sys_error("cannot make " + described(s) + " again");
        }
        made_.emplace(s.inode, UniqueFd(ends[0]));
        if (s.peer_closed) {
            closed_partners_.emplace(s.inode, UniqueFd(ends[1]));
        } else {
            made_.emplace(peer->inode, UniqueFd(ends[1]));
        }
    }
}

// A socket file left by the checkpointed program is removed; a path that is
// something else, or a socket someone is bound to, is not taken over.
void Rebuild::clear_stale_path(const std::string& path)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return;
    }
    if (!S_ISSOCK(st.st_mode)) {
        throw Error("cannot bind a Unix socket to " + path + " again: the path exists and is not a socket");
    }
    if (!live_) {
        live_ = query_unix_sockets();
    }
    for (const auto& [inode, socket] : *live_) {
        if (socket.vfs_inode == st.st_ino && socket.vfs_dev == st.st_dev) {
            throw Error("cannot bind a Unix socket to " + path + " again: a running program is bound to it");
        }
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw sys_error("cannot remove the old socket file " + path);
    }
}

void Rebuild::bind_and_listen()
{
    for (const auto& s : saved_) {
        if (s.name.empty()) {
            continue;
        }
        auto name = name_from_text(s.name);
        bool path = name.front() != '\0';
        if (path) {
            clear_stale_path(name);
        }
        auto address = unix_address(name);
        if (::bind(fd_of(s), address.get(), address.length) != 0) {
            throw sys_error("cannot bind " + described(s) + " again");
        }
        if (path && s.mode != 0 && ::chmod(name.c_str(), s.mode) != 0) {
            throw sys_error("cannot give " + name + " its mode again");
        }
        if (s.listening && ::listen(fd_of(s), s.backlog) != 0) {
            throw sys_error("cannot listen on " + described(s) + " again");
        }
    }
}

void connect_to(int fd, const UnixSocketState& to)
{
    auto address = unix_address(name_from_text(to.name));
    if (::connect(fd, address.get(), address.length) != 0) {
        throw sys_error("cannot connect to " + described(to) + " again");
    }
}

// Accepted connections first, one by one, so that each accept takes the
// connection just made; then the connections that were waiting in a
// backlog, in their order; then datagram sockets connected to a named one.
void Rebuild::connect()
{
    for (const auto& s : saved_) {
        const auto* listener = find(s.accepted_from);
        const auto* client = find(s.peer);
        if (listener == nullptr || client == nullptr) {
            continue;
        }
        connect_to(fd_of(*client), *listener);
        UniqueFd accepted(::accept4(fd_of(*listener), nullptr, nullptr, new_socket_flags));
        if (!accepted.valid()) {
            throw sys_error("cannot accept " + described(s) + " again");
        }
        made_.emplace(s.inode, std::move(accepted));
    }
    for (const auto& s : saved_) {
        for (std::uint32_t client : s.pending) {
            const auto* waiting = find(client);
            if (waiting == nullptr) {
                throw ImageError(described(s) + " has a waiting connection the image lacks");
            }
            connect_to(fd_of(*waiting), s);
        }
    }
    for (const auto& s : saved_) {
        const auto* peer = find(s.peer);
        if (s.type == SOCK_DGRAM && peer != nullptr && peer->peer != s.inode) {
            connect_to(fd_of(s), *peer);
        }
    }
}

// The queue was within its sender's buffer at checkpoint time, but that
// buffer may have been made smaller since: while stasis sends it again, the
// sender's buffer is as large as an ordinary user may make it.
class LargestSendBuffer {
public:
    explicit LargestSendBuffer(int fd) : fd_(fd)
    {
        socklen_t size = sizeof(saved_);
        int most = INT_MAX;
        ::getsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &saved_, &size);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &most, sizeof(most));
    }
    ~LargestSendBuffer()
    {
        int half = saved_ / 2;  // the kernel doubles what it is given
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &half, sizeof(half));
    }
    LargestSendBuffer(const LargestSendBuffer&) = delete;
    LargestSendBuffer& operator=(const LargestSendBuffer&) = delete;

private:
    int fd_;
    int saved_ = 0;
};

void Rebuild::send_connected(int from, const UnixSocketState& to, const SocketMessage& message)
{
    LargestSendBuffer room(from);
    std::size_t sent = 0;
    do {
        ssize_t n = ::send(from, message.data.data() + sent, message.data.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 || (n == 0 && !message.data.empty())) {
            throw sys_error("cannot put back the queued data of " + described(to));
        }
        sent += static_cast<std::size_t>(n);
    } while (sent < message.data.size() && to.type == SOCK_STREAM);
}

// From the socket of the name it came from, or an unnamed one: the
// receiver's unnamed partner, or a socket of stasis's own sending to the
// receiver's name (the dump refused any other case).
void Rebuild::send_datagram(const UnixSocketState& to, const SocketMessage& message)
{
    const auto* sender = find_unix_socket_named(saved_, message.source);
    UniqueFd unnamed;
    int from = -1;
    bool connected = false;
    if (sender != nullptr) {
        from = fd_of(*sender);
        connected = sender->peer == to.inode;
    } else if (has_unnamed_partner(saved_, to)) {
        from = partner_of(to);
        connected = true;
    } else {
        unnamed.reset(::socket(AF_UNIX, SOCK_DGRAM | new_socket_flags, 0));
        from = unnamed.get();
    }
    if (connected) {
        send_connected(from, to, message);
        return;
    }
    auto address = unix_address(name_from_text(to.name));
    if (::sendto(from, message.data.data(), message.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL, address.get(),
                 address.length) != static_cast<ssize_t>(message.data.size())) {
        throw sys_error("cannot put back a queued datagram of " + described(to));
    }
}

void Rebuild::refill()
{
    for (const auto& s : saved_) {
        for (const auto& message : s.queue) {
            if (s.type == SOCK_DGRAM) {
                send_datagram(s, message);
            } else {
                send_connected(partner_of(s), s, message);
            }
        }
    }
}

void set_option(int fd, int name, int value, const UnixSocketState& s)
{
    if (::setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value)) != 0) {
        throw sys_error("cannot set the options of " + described(s) + " again");
    }
}

void set_timeout(int fd, int name, std::int64_t microseconds, const UnixSocketState& s)
{
    timeval value{static_cast<time_t>(microseconds / 1000000), static_cast<suseconds_t>(microseconds % 1000000)};
    if (::setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value)) != 0) {
        throw sys_error("cannot set the timeouts of " + described(s) + " again");
    }
}

// Buffer sizes are set as halves: the kernel doubles what it is given, and
// reports the doubled size.
void set_options(int fd, const UnixSocketState& s)
{
    const auto& o = s.options;
    if (o.send_buffer > 0) {
        set_option(fd, SO_SNDBUF, o.send_buffer / 2, s);
    }
    if (o.receive_buffer > 0) {
        set_option(fd, SO_RCVBUF, o.receive_buffer / 2, s);
    }
    set_option(fd, SO_PASSCRED, o.pass_credentials ? 1 : 0, s);
    set_option(fd, SO_PEEK_OFF, o.peek_offset, s);
    set_option(fd, SO_RCVLOWAT, o.receive_low_water, s);
    set_timeout(fd, SO_RCVTIMEO, o.receive_timeout_us, s);
    set_timeout(fd, SO_SNDTIMEO, o.send_timeout_us, s);
}

// Before the queues are refilled: credentials come with a message only when
// its receiver (or sender) asks for them (SO_PASSCRED) as it is sent.
void Rebuild::configure()
{
    for (const auto& s : saved_) {
        set_options(fd_of(s), s);
    }
}

// sk_shutdown's receive bit is SHUT_RD's, its send bit SHUT_WR's: how = bits - 1.
void Rebuild::finish()
{
    closed_partners_.clear();
    for (const auto& s : saved_) {
        if (s.shutdown != 0 && ::shutdown(fd_of(s), s.shutdown - 1) != 0) {
            throw sys_error("cannot shut down " + described(s) + " again");
        }
    }
}

}  // namespace

RecreatedUnixSockets::RecreatedUnixSockets(const Checkpoint& checkpoint)
{
    Rebuild rebuild(checkpoint.unix_sockets);
    rebuild.create();
    rebuild.bind_and_listen();
    rebuild.connect();
    rebuild.configure();
    rebuild.refill();
    rebuild.finish();
    sockets_ = rebuild.take();
}

UniqueFd RecreatedUnixSockets::socket_for(const FdState& saved)
{
    return socket_fd_for(sockets_, saved);
}

}  // namespace stasis
