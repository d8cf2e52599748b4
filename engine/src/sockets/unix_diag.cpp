#include "sockets/unix_diag.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "sockets/unix_address.hpp"
#include <stasis/unique_fd.hpp>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace stasis {

namespace {

constexpr std::uint32_t all_states = ~0U;
constexpr std::uint32_t shown = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS |
                                UDIAG_SHOW_RQLEN;

void send_dump_request(int sock)
{
    struct {
        nlmsghdr header;
        unix_diag_req request;
    } message{};
    message.header.nlmsg_len = sizeof(message);
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.request.sdiag_family = AF_UNIX;
    message.request.udiag_states = all_states;
    message.request.udiag_show = shown;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock, &message, sizeof(message), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
        throw sys_error("cannot ask the kernel for its Unix sockets (sock_diag)");
    }
}

template <typename T>
T attribute_value(const rtattr* attr)
{
    T value{};
    std::memcpy(&value, RTA_DATA(attr), std::min<std::size_t>(sizeof(T), RTA_PAYLOAD(attr)));
    return value;
}

void read_attribute(const rtattr* attr, UnixDiag& socket)
{
    switch (attr->rta_type) {
    case UNIX_DIAG_NAME:
        socket.name = unix_name(static_cast<const char*>(RTA_DATA(attr)), RTA_PAYLOAD(attr));
        break;
    case UNIX_DIAG_VFS: {
        auto vfs = attribute_value<unix_diag_vfs>(attr);
        socket.vfs_inode = vfs.udiag_vfs_ino;
        socket.vfs_dev = from_kernel_dev(vfs.udiag_vfs_dev);
        break;
    }
    case UNIX_DIAG_PEER:
        socket.peer = attribute_value<std::uint32_t>(attr);
        break;
    case UNIX_DIAG_ICONS: {
        const auto* first = static_cast<const std::uint8_t*>(RTA_DATA(attr));
        for (std::size_t at = 0; at + sizeof(std::uint32_t) <= RTA_PAYLOAD(attr); at += sizeof(std::uint32_t)) {
            std::uint32_t inode = 0;
            std::memcpy(&inode, first + at, sizeof(inode));
            socket.pending.push_back(inode);
        }
        break;
    }
    case UNIX_DIAG_RQLEN: {
        auto lengths = attribute_value<unix_diag_rqlen>(attr);
        socket.read_queue = lengths.udiag_rqueue;
        socket.write_queue = lengths.udiag_wqueue;
        break;
    }
    case UNIX_DIAG_SHUTDOWN:
        socket.shutdown = attribute_value<std::uint8_t>(attr);
        break;
    default:
        break;
    }
}

UnixDiag parse_socket(const nlmsghdr* header)
{
    const auto* message = static_cast<const unix_diag_msg*>(NLMSG_DATA(header));
    UnixDiag socket;
    socket.inode = message->udiag_ino;
    socket.type = message->udiag_type;
    socket.state = message->udiag_state;
    int left = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof(*message)));
    for (auto* attr = reinterpret_cast<const rtattr*>(message + 1); RTA_OK(attr, left); attr = RTA_NEXT(attr, left)) {
        read_attribute(attr, socket);
    }
    return socket;
}

// Reads one batch of replies into table; false once the dump is done.
bool read_replies(int sock, UnixDiagTable& table)
{
    alignas(nlmsghdr) std::array<char, 32768> buffer;
    ssize_t n = ::recv(sock, buffer.data(), buffer.size(), 0);
    if (n < 0) {
        if (errno == EINTR) {
            return true;
        }
        throw sys_error("cannot read the kernel's list of Unix sockets (sock_diag)");
    }
    int left = static_cast<int>(n);
    for (auto* header = reinterpret_cast<const nlmsghdr*>(buffer.data()); NLMSG_OK(header, left);
         header = NLMSG_NEXT(header, left)) {
        if (header->nlmsg_type == NLMSG_DONE) {
            return false;
        }
        if (header->nlmsg_type == NLMSG_ERROR) {
            const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
            throw sys_error("the kernel refused to list its Unix sockets (sock_diag)", -error->error);
        }
        if (header->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            auto socket = parse_socket(header);
            table[socket.inode] = std::move(socket);
        }
    }
    return true;
}

}  // namespace

UnixDiagTable query_unix_sockets()
{
    UniqueFd sock(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!sock.valid()) {
        throw sys_error("cannot open a sock_diag netlink socket");
    }
    send_dump_request(sock.get());
    UnixDiagTable table;
    while (read_replies(sock.get(), table)) {
    }
    return table;
}

std::uint32_t socket_inode(const std::string& link)
{
    constexpr char prefix[] = "socket:[";
    if (link.rfind(prefix, 0) != 0) {
        return 0;
    }
    return static_cast<std::uint32_t>(std::stoul(link.substr(sizeof(prefix) - 1)));
}

}  // namespace stasis
