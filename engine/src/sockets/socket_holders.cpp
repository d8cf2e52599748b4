#include "sockets/socket_holders.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "files/fd_kind.hpp"

#include <sys/xattr.h>

namespace stasis {

std::uint32_t socket_inode(const std::string& link)
{
    constexpr char prefix[] = "socket:[";
    if (link.rfind(prefix, 0) != 0) {
        return 0;
    }
    return static_cast<std::uint32_t>(std::stoul(link.substr(sizeof(prefix) - 1)));
}

std::string socket_protocol(const FdProbe& probe)
{
    if (!S_ISSOCK(probe.st.st_mode)) {
        return "";
    }
    char protocol[32] = {};
    ssize_t n = ::getxattr(probe.proc_path().c_str(), "system.sockprotoname", protocol, sizeof(protocol) - 1);
    return n > 0 ? std::string(protocol) : "";  // the kernel counts a NUL at its end
}

TreeSocketHolders tree_socket_holders(const std::vector<ProcessState>& tree, FdKind kind)
{
    TreeSocketHolders sockets;
    for (const auto& p : tree) {
        sockets.pids.push_back(p.pid);
        for (const auto& fd : p.fds) {
            if (fd.kind == kind) {
                sockets.held.emplace(socket_inode(fd.path), SocketHolder{p.pid, fd.fd, fd.path});
            }
        }
    }
    return sockets;
}

void refuse_socket(const SocketHolder& holder, const std::string& what)
{
    FdProbe probe;
    probe.pid = holder.pid;
    probe.fd = holder.fd;
    probe.link = holder.link;
    refuse_fd(probe, what);
}

std::string outside_holder(std::uint32_t inode, const std::vector<pid_t>& tree_pids)
{
    pid_t holder = proc::find_fd_holder("socket:[" + std::to_string(inode) + "]", tree_pids);
    if (holder == 0) {
        return "";
    }
    std::string comm;
    try {
        comm = " (" + proc::read_comm("/proc/" + std::to_string(holder) + "/comm") + ")";
    } catch (const Error&) {
        // it has just exited: its pid says enough
    }
    return " of process " + std::to_string(holder) + comm;
}

}  // namespace stasis
