#include "sockets/socket_queue.hpp"

#include "core/error.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <span>

namespace stasis {

namespace {

// Peeks from the head of the queue for as long as it lives: the kernel moves
// SO_PEEK_OFF past what each peek returns, and the program may use its own.
class PeekFromStart {
public:
    explicit PeekFromStart(int sock) : sock_(sock)
    {
        socklen_t size = sizeof(saved_);
        int start = 0;
        if (::getsockopt(sock_, SOL_SOCKET, SO_PEEK_OFF, &saved_, &size) < 0 ||
            ::setsockopt(sock_, SOL_SOCKET, SO_PEEK_OFF, &start, sizeof(start)) < 0) {
            throw sys_error("cannot peek at the queue of a socket");
        }
    }
    ~PeekFromStart() { ::setsockopt(sock_, SOL_SOCKET, SO_PEEK_OFF, &saved_, sizeof(saved_)); }
    PeekFromStart(const PeekFromStart&) = delete;
    PeekFromStart& operator=(const PeekFromStart&) = delete;

private:
    int sock_;
    int saved_ = -1;
};

struct Peeked {
    ssize_t length = -1;  // -1: the queue has nothing more
    std::string source;
    bool fds = false;
};

// Room for the most fds one message may carry (SCM_MAX_FD) and credentials.
constexpr std::size_t max_fds_per_message = 253;
constexpr std::size_t control_size = CMSG_SPACE(sizeof(int) * max_fds_per_message) + CMSG_SPACE(sizeof(ucred));

// Fds in flight come to stasis too when it peeks; it only notes them.
bool close_passed_fds(msghdr& message)
{
    bool fds = (message.msg_flags & MSG_CTRUNC) != 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            fds = true;
            std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                ::close(fd);
            }
        }
    }
    return fds;
}

Peeked peek(int sock, std::span<std::uint8_t> buffer, int flags, SourceText source_text)
{
    iovec io{buffer.data(), buffer.size()};
    sockaddr_storage from{};
    alignas(cmsghdr) char control[control_size];
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof(from);
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    Peeked peeked;
    peeked.length = ::recvmsg(sock, &message, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC | flags);
    if (peeked.length < 0) {
        if (errno != EAGAIN) {
            throw sys_error("cannot peek at the queue of a socket");
        }
        return peeked;
    }
    peeked.source = source_text(from, message.msg_namelen);
    peeked.fds = close_passed_fds(message);
    return peeked;
}

// A stream's bytes have no boundaries: they come back as one message.
PeekedQueue peek_stream(int sock, const QueueShape& shape, SourceText source_text)
{
    PeekedQueue queue;
    std::vector<std::uint8_t> bytes, buffer(64 * 1024);
    while (bytes.size() < shape.counted_bytes) {
        auto peeked = peek(sock, buffer, 0, source_text);
        queue.carries_fds |= peeked.fds;
        if (peeked.length <= 0) {
            break;
        }
        bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + peeked.length);
    }
    if (!bytes.empty()) {
        queue.messages.push_back({std::move(bytes), ""});
    }
    return queue;
}

// Each datagram or record on its own: its length first (MSG_TRUNC with no
// room reports it and moves nothing), then its bytes. A shut-down
// seqpacket socket reports its end as a record of length 0 for ever: the end
// is where the bytes the kernel counts are all read (records of length 0
// after the last byte are not seen).
PeekedQueue peek_messages(int sock, const QueueShape& shape, SourceText source_text)
{
    PeekedQueue queue;
    std::uint64_t bytes = 0;
    bool seqpacket = shape.type == SOCK_SEQPACKET;
    bool ends_with_eof = seqpacket && shape.receive_shut;
    for (;;) {
        auto head = peek(sock, {}, MSG_TRUNC, source_text);
        if (head.length < 0 || (head.length == 0 && ends_with_eof && bytes >= shape.counted_bytes)) {
            break;
        }
        std::vector<std::uint8_t> data(static_cast<std::size_t>(head.length));
        auto whole = head.length > 0 ? peek(sock, data, 0, source_text) : head;
        if (whole.length != head.length) {
            throw Error("the queue of a socket changed while stasis read it");
        }
        queue.carries_fds |= head.fds || whole.fds;
        bytes += data.size();
        queue.messages.push_back({std::move(data), seqpacket ? "" : whole.source});
    }
    return queue;
}

// Each datagram peeked whole, at once.
PeekedQueue peek_whole_datagrams(int sock, const QueueShape& shape, SourceText source_text)
{
    PeekedQueue queue;
    std::vector<std::uint8_t> buffer(shape.datagram_room);
    for (;;) {
        auto peeked = peek(sock, buffer, MSG_TRUNC, source_text);
        if (peeked.length < 0) {
            break;
        }
        if (static_cast<std::size_t>(peeked.length) > buffer.size()) {
            throw Error("a socket holds a datagram larger than stasis can read");
        }
        queue.carries_fds |= peeked.fds;
        queue.messages.push_back({{buffer.begin(), buffer.begin() + peeked.length}, peeked.source});
    }
    return queue;
}

}  // namespace

PeekedQueue peek_receive_queue(int sock, const QueueShape& shape, SourceText source_text)
{
    PeekFromStart from_start(sock);
    if (shape.type == SOCK_STREAM) {
        return peek_stream(sock, shape, source_text);
    }
    return shape.datagram_room > 0 ? peek_whole_datagrams(sock, shape, source_text)
                                   : peek_messages(sock, shape, source_text);
}

}  // namespace stasis
