#pragma once
// Which process of the tree holds which socket: what the dump of every
// kind of socket (Unix, TCP/UDP) starts from, and how it names a socket it
// refuses or one outside the tree.
#include "files/fd_kind.hpp"
#include "files/fd_state.hpp"
#include "process/process_state.hpp"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stasis {

struct SocketHolder {
    pid_t pid = 0;
    int fd = -1;
    std::string link;  // "socket:[N]"
};

struct TreeSocketHolders {
    std::map<std::uint32_t, SocketHolder> held;  // by inode: the first fd of the tree on it
    std::vector<pid_t> pids;                     // the tree's processes

    [[nodiscard]] bool holds(std::uint32_t inode) const { return held.count(inode) != 0; }
};

// The inode of a socket from its fd link ("socket:[N]"), 0 if it is none.
std::uint32_t socket_inode(const std::string& link);

// sockfs's name for a socket's protocol ("UNIX-STREAM", "TCP", "UDPv6", ...);
// "" for an fd that is no socket.
std::string socket_protocol(const FdProbe& probe);

// The sockets of the tree's fds of this kind.
TreeSocketHolders tree_socket_holders(const std::vector<ProcessState>& tree, FdKind kind);

// refuse_fd for the fd that holds a socket.
[[noreturn]] void refuse_socket(const SocketHolder& holder, const std::string& what);

// " of process P (COMM)" for the process outside the tree holding socket
// inode, as far as stasis can see it; "" when it cannot.
std::string outside_holder(std::uint32_t inode, const std::vector<pid_t>& tree_pids);

}  // namespace stasis
