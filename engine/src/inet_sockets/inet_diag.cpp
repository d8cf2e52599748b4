#include "inet_sockets/inet_diag.hpp"

#include "sockets/sock_diag.hpp"

#include <linux/inet_diag.h>
#include <netinet/in.h>

#include <array>

namespace stasis {

namespace {

constexpr std::uint32_t all_states = ~0U;

InetDiag parse_socket(const nlmsghdr& header)
{
    const auto* message = static_cast<const inet_diag_msg*>(NLMSG_DATA(&header));
    InetDiag socket;
    socket.inode = message->idiag_inode;
    socket.family = message->idiag_family;
    socket.state = message->idiag_state;
    socket.local = inet_address(socket.family, message->id.idiag_sport, message->id.idiag_src);
    socket.peer = inet_address(socket.family, message->id.idiag_dport, message->id.idiag_dst);
    socket.read_queue = message->idiag_rqueue;
    socket.write_queue = message->idiag_wqueue;
    int left = static_cast<int>(header.nlmsg_len - NLMSG_LENGTH(sizeof(*message)));
    for (auto* attr = reinterpret_cast<const rtattr*>(message + 1); RTA_OK(attr, left); attr = RTA_NEXT(attr, left)) {
        if (attr->rta_type == INET_DIAG_SHUTDOWN) {
            socket.shutdown = attribute_value<std::uint8_t>(attr);
        }
    }
    return socket;
}

void query(int family, int protocol, InetDiagTable& table)
{
    inet_diag_req_v2 request{};
    request.sdiag_family = static_cast<std::uint8_t>(family);
    request.sdiag_protocol = static_cast<std::uint8_t>(protocol);
    request.idiag_states = all_states;
    sock_diag_dump(&request, sizeof(request), "its TCP and UDP sockets", [&](const nlmsghdr& header) {
        auto socket = parse_socket(header);
        socket.protocol = protocol;
        if (socket.inode != 0) {
            table.by_inode[socket.inode] = socket;
        } else if (socket.state == tcp_state_established) {  // not TIME_WAIT: nothing is left of those
            table.unaccepted.push_back(socket);
        }
    });
}

}  // namespace

InetDiagTable query_inet_sockets()
{
    InetDiagTable table;
    for (int family : {AF_INET, AF_INET6}) {
        for (int protocol : {IPPROTO_TCP, IPPROTO_UDP}) {
            query(family, protocol, table);
        }
    }
    return table;
}

const char* tcp_state_name(int state)
{
    static constexpr std::array<const char*, 14> names{
        "?",         "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
        "CLOSE",     "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV", "BOUND_INACTIVE"};
    return state >= 0 && state < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(state)] : "?";
}

}  // namespace stasis
