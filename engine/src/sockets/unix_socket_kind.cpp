#include "sockets/unix_socket_kind.hpp"

#include "sockets/dump_unix_sockets.hpp"
#include "sockets/restore_unix_sockets.hpp"
#include "sockets/socket_holders.hpp"


namespace stasis {

namespace {

// "UNIX", "UNIX-STREAM", ...
bool is_unix_socket(const FdProbe& probe)
{
    return socket_protocol(probe).starts_with("UNIX");
}

// Inside the tree or leading out of it: only the whole tree tells
// (classify_unix_sockets).
void dump_unix_socket(const FdProbe&, FdState&) {}

UniqueFd open_unix_socket(const FdState& saved, RestoreSources& sources)
{
    return sources.tree_state<RecreatedUnixSockets>().socket_for(saved);
}

}  // namespace

const FdKindOps& unix_socket_kind()
{
    static const FdKindOps ops{.kind = FdKind::unix_socket,
                               .name = "unix_socket",
                               .recognizes = is_unix_socket,
                               .dump = dump_unix_socket,
                               .open = open_unix_socket,
                               .link_tree = classify_unix_sockets,
                               .capture = capture_unix_sockets};
    return ops;
}

}  // namespace stasis
