#include "files/fd_kind.hpp"

#include "core/error.hpp"
#include "event_fds/event_fd_kinds.hpp"
#include "files/file_kinds.hpp"
#include "files/own_proc_file_kind.hpp"
#include "inet_sockets/inet_socket_kind.hpp"
#include "inotify/inotify_kind.hpp"
#include "pipes/pipe_kind.hpp"
#include "pty_pairs/pty_master_kind.hpp"
#include "sockets/unix_socket_kind.hpp"
#include "terminals/terminal_kind.hpp"
#include "unnamed_files/unnamed_file_kind.hpp"

#include <algorithm>

namespace stasis {

const std::vector<const FdKindOps*>& fd_kinds()
{
    // Order matters where two kinds could claim one fd: a terminal is a
    // character device too.
    static const std::vector<const FdKindOps*> kinds{
        &path_kind(),  // first: an O_PATH fd of any file is only a name
        &unix_socket_kind(),  // before inherit, which takes any other socket on fds 0-2
        &inet_socket_kind(),  // likewise
        &unnamed_file_kind(),  // before file: a deleted file is a regular file too
        &pty_master_kind(),    // before terminal, which refuses any other pty master
        &own_proc_file_kind(),  // before file: /proc/self/... is a regular file too
        &file_kind(),    &terminal_kind(), &device_kind(),   &pipe_kind(),  &inherit_kind(),
        &eventfd_kind(), &signalfd_kind(), &timerfd_kind(), &epoll_kind(),
        &inotify_kind(),
    };
    return kinds;
}

const FdKindOps& fd_kind(FdKind kind)
{
    const auto& kinds = fd_kinds();
    auto it = std::find_if(kinds.begin(), kinds.end(), [kind](const FdKindOps* k) { return k->kind == kind; });
    if (it == kinds.end()) {
        throw ImageError("fd kind " + std::to_string(static_cast<int>(kind)) + " is not registered");
    }
    return **it;
}

const FdKindOps& fd_kind_named(const std::string& name)
{
    const auto& kinds = fd_kinds();
    auto it = std::find_if(kinds.begin(), kinds.end(), [&](const FdKindOps* k) { return k->name == name; });
    if (it == kinds.end()) {
        throw ImageError("manifest names an unknown fd kind '" + name + "'");
    }
    return **it;
}

std::string FdProbe::proc_path() const
{
    return "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
}

void refuse_fd(const FdProbe& probe, const std::string& what)
{
    throw Error("process " + std::to_string(probe.pid) + ": fd " + std::to_string(probe.fd) + " is " + what + " (" +
                probe.link + "), which stasis cannot checkpoint yet");
}

}  // namespace stasis
