#include "inet_sockets/restore_inet_sockets.hpp"

#include "core/error.hpp"
#include "inet_sockets/inet_address.hpp"
#include "inet_sockets/inet_socket_options.hpp"

#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <chrono>

namespace stasis {

namespace {

// How long a loopback connection, or a queue sent again, may take to arrive.
constexpr int arrival_ms = 5000;

void wait_for(int fd, short events, const std::string& what)
{
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, arrival_ms);
    if (n < 0) {
        throw sys_error(what);
    }
    if (n == 0) {
        throw Error(what + ": nothing happened within " + std::to_string(arrival_ms / 1000) + " s");
    }
}

// Binds to s's saved address: a port taken since (by the checkpointed tree
// if it runs on, by anyone) fails the restore, naming the address.
void bind_again(int fd, const InetSocketState& s)
{
    auto address = inet_address_from_text(s.local);
    if (::bind(fd, address.get(), address.length) != 0) {
        throw sys_error("cannot bind " + describe_inet_socket(s) + " again");
    }
}

// The sockets of the image while they are being made.
class Rebuild {
public:
    explicit Rebuild(const std::vector<InetSocketState>& saved) : saved_(saved) {}

    void create();
    void bind_and_listen();
    void connect();
    void refill();
    void configure();

    SocketsByInode take() { return std::move(made_); }

private:
    [[nodiscard]] const InetSocketState& find(std::uint32_t inode) const;
    int fd_of(const InetSocketState& s) const;
    // A listener for a connection to the accepting end: the tree's own, or
    // one of stasis's on its address (held in temporary).
    int listener_for(const InetSocketState& accepting, UniqueFd& temporary) const;
    void connect_pair(const InetSocketState& client);
    void refill_stream(const InetSocketState& s);
    void refill_datagrams(const InetSocketState& s);

    const std::vector<InetSocketState>& saved_;
    SocketsByInode made_;
};

const InetSocketState& Rebuild::find(std::uint32_t inode) const
{
    const auto* s = find_inet_socket(saved_, inode);
    if (s == nullptr) {
        throw ImageError("the image lacks the socket socket:[" + std::to_string(inode) + "]");
    }
    return *s;
}

int Rebuild::fd_of(const InetSocketState& s) const
{
    auto it = made_.find(s.inode);
    if (it == made_.end()) {
        throw ImageError("the image does not say how to make " + describe_inet_socket(s) + " again");
    }
    return it->second.get();
}

// The end of a connection that accept makes is not made here.
void Rebuild::create()
{
    for (const auto& s : saved_) {
        if (s.accepted) {
            continue;
        }
        UniqueFd fd(::socket(s.family, s.type | SOCK_CLOEXEC, 0));
        if (!fd.valid()) {
            throw sys_error("cannot make " + describe_inet_socket(s) + " again");
        }
        set_options_before_bind(fd.get(), s);
        made_.emplace(s.inode, std::move(fd));
    }
}

void Rebuild::bind_and_listen()
{
    for (const auto& s : saved_) {
        if (s.accepted || s.local.empty()) {
            continue;
        }
        bind_again(fd_of(s), s);
        if (s.listening && ::listen(fd_of(s), s.backlog) != 0) {
            throw sys_error("cannot listen on " + describe_inet_socket(s) + " again");
        }
    }
}

int Rebuild::listener_for(const InetSocketState& accepting, UniqueFd& temporary) const
{
    auto address = inet_address_from_text(accepting.local);
    for (const auto& s : saved_) {
        if (s.listening && address_covers(inet_address_from_text(s.local), address)) {
            return fd_of(s);
        }
    }
    temporary.reset(::socket(accepting.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!temporary.valid()) {
        throw sys_error("cannot make a listener to accept " + describe_inet_socket(accepting) + " again");
    }
    set_options_before_bind(temporary.get(), accepting);
    bind_again(temporary.get(), accepting);
    if (::listen(temporary.get(), 1) != 0) {
        throw sys_error("cannot listen to accept " + describe_inet_socket(accepting) + " again");
    }
    return temporary.get();
}

// The client connects from its own address to the accepting end's, and the
// connection accepted is the one from the client's address (a listener of
// the tree is open to anyone meanwhile).
void Rebuild::connect_pair(const InetSocketState& client)
{
    const auto& accepting = find(client.peer_socket);
    UniqueFd temporary;
    int listener = listener_for(accepting, temporary);
    auto to = inet_address_from_text(client.peer);
    if (::connect(fd_of(client), to.get(), to.length) != 0) {
        throw sys_error("cannot connect " + describe_inet_socket(client) + " to " + client.peer + " again");
    }
    auto from = comparable_address(inet_address_from_text(client.local));
    for (;;) {
        wait_for(listener, POLLIN, "cannot accept " + describe_inet_socket(accepting) + " again");
        InetAddress peer;
        peer.length = sizeof(peer.address);
        UniqueFd accepted(::accept4(listener, reinterpret_cast<sockaddr*>(&peer.address), &peer.length, SOCK_CLOEXEC));
        if (!accepted.valid()) {
            throw sys_error("cannot accept " + describe_inet_socket(accepting) + " again");
        }
        if (comparable_address(peer) == from) {
            made_.emplace(accepting.inode, std::move(accepted));
            return;
        }
        // someone else's connection to the tree's listener: not the tree's
    }
}

void Rebuild::connect()
{
    for (const auto& s : saved_) {
        if (s.type == SOCK_STREAM && s.peer_socket != 0 && !s.accepted) {
            connect_pair(s);
        }
    }
    for (const auto& s : saved_) {
        if (s.type == SOCK_DGRAM && !s.peer.empty()) {
            auto to = inet_address_from_text(s.peer);
            if (::connect(fd_of(s), to.get(), to.length) != 0) {
                throw sys_error("cannot connect " + describe_inet_socket(s) + " to " + s.peer + " again");
            }
        }
    }
}

// Sent from the other end, then awaited in this end's queue, so the program
// finds it there at once.
void Rebuild::refill_stream(const InetSocketState& s)
{
    std::size_t total = 0;
    int from = fd_of(find(s.peer_socket));
    std::string what = "cannot put back the unread data of " + describe_inet_socket(s);
    for (const auto& message : s.queue) {
        std::size_t sent = 0;
        while (sent < message.data.size()) {
            ssize_t n = ::send(from, message.data.data() + sent, message.data.size() - sent,
                               MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) {
                wait_for(from, POLLOUT, what);
                continue;
            }
            if (n <= 0) {
                throw sys_error(what);
            }
            sent += static_cast<std::size_t>(n);
        }
        total += sent;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(arrival_ms);
    int queued = 0;
    while (::ioctl(fd_of(s), SIOCINQ, &queued) == 0 && static_cast<std::size_t>(queued) < total) {
        if (std::chrono::steady_clock::now() > deadline) {
            throw Error(what + ": " + std::to_string(queued) + " of " + std::to_string(total) + " bytes arrived");
        }
        ::poll(nullptr, 0, 1);
    }
}

// Each datagram from the tree's socket at the address it came from (the
// dump refused any other sender), to this socket's address.
void Rebuild::refill_datagrams(const InetSocketState& s)
{
    auto local = inet_address_from_text(s.local);
    auto to = local.wildcard() ? loopback_on_port(local) : local;
    for (const auto& message : s.queue) {
        auto source = inet_address_from_text(message.source);
        const InetSocketState* sender = nullptr;
        for (const auto& other : saved_) {
            if (other.type == SOCK_DGRAM && !other.local.empty() &&
                address_covers(inet_address_from_text(other.local), source)) {
                sender = &other;
                break;
            }
        }
        if (sender == nullptr) {
            throw ImageError(describe_inet_socket(s) + " holds a datagram from " + message.source +
                             ", a socket the image lacks");
        }
        if (::sendto(fd_of(*sender), message.data.data(), message.data.size(), MSG_DONTWAIT | MSG_NOSIGNAL, to.get(),
                     to.length) != static_cast<ssize_t>(message.data.size())) {
            throw sys_error("cannot put back a queued datagram of " + describe_inet_socket(s));
        }
    }
}

void Rebuild::refill()
{
    for (const auto& s : saved_) {
        if (s.queue.empty()) {
            continue;
        }
        if (s.type == SOCK_STREAM) {
            refill_stream(s);
        } else {
            refill_datagrams(s);
        }
    }
}

void Rebuild::configure()
{
    for (const auto& s : saved_) {
        set_options_after_refill(fd_of(s), s);
    }
}

}  // namespace

RecreatedInetSockets::RecreatedInetSockets(const Checkpoint& checkpoint)
{
    Rebuild rebuild(checkpoint.inet_sockets);
    rebuild.create();
    rebuild.bind_and_listen();
    rebuild.connect();
    rebuild.refill();
    rebuild.configure();
    sockets_ = rebuild.take();
}

}  // namespace stasis
