#include "inet_sockets/inet_socket_kind.hpp"

#include "inet_sockets/dump_inet_sockets.hpp"
#include "inet_sockets/restore_inet_sockets.hpp"
#include "sockets/socket_holders.hpp"


namespace stasis {

namespace {

bool is_inet_socket(const FdProbe& probe)
{
    auto name = socket_protocol(probe);
    return name == "TCP" || name == "TCPv6" || name == "UDP" || name == "UDPv6";
}

// Inside the tree or leading out of it: only the whole tree tells
// (classify_inet_sockets).
void dump_inet_socket(const FdProbe&, FdState&) {}

UniqueFd open_inet_socket(const FdState& saved, RestoreSources& sources)
{
    return sources.tree_state<RecreatedInetSockets>().socket_for(saved);
}

}  // namespace

const FdKindOps& inet_socket_kind()
{
    static const FdKindOps ops{.kind = FdKind::inet_socket,
                               .name = "inet_socket",
                               .recognizes = is_inet_socket,
                               .dump = dump_inet_socket,
                               .open = open_inet_socket,
                               .link_tree = classify_inet_sockets,
                               .capture = capture_inet_sockets};
    return ops;
}

}  // namespace stasis
