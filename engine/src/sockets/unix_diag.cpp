#include "sockets/unix_diag.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "sockets/sock_diag.hpp"
#include "sockets/unix_address.hpp"

#include <linux/unix_diag.h>
#include <sys/socket.h>

#include <cstring>

namespace stasis {

namespace {

constexpr std::uint32_t all_states = ~0U;
constexpr std::uint32_t shown = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS |
                                UDIAG_SHOW_RQLEN;

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

}  // namespace

UnixDiagTable query_unix_sockets()
{
    unix_diag_req request{};
    request.sdiag_family = AF_UNIX;
    request.udiag_states = all_states;
    request.udiag_show = shown;
    UnixDiagTable table;
    sock_diag_dump(&request, sizeof(request), "its Unix sockets", [&](const nlmsghdr& header) {
        auto socket = parse_socket(&header);
        table[socket.inode] = std::move(socket);
    });
    return table;
}

}  // namespace stasis
