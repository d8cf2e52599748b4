#include "sockets/socket_fds.hpp"

#include "core/error.hpp"
#include "sockets/socket_holders.hpp"

#include <fcntl.h>

namespace stasis {

UniqueFd socket_fd_for(const SocketsByInode& sockets, const FdState& saved)
{
    auto it = sockets.find(socket_inode(saved.path));
    if (it == sockets.end()) {
        throw ImageError("the image lacks the socket " + saved.path + " of fd " + std::to_string(saved.fd));
    }
    UniqueFd fd(::fcntl(it->second.get(), F_DUPFD_CLOEXEC, 0));
    if (!fd.valid() || ::fcntl(fd.get(), F_SETFL, saved.flags & O_NONBLOCK) != 0) {
        throw sys_error("cannot recreate fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    return fd;
}

}  // namespace stasis
