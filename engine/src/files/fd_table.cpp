#include "files/fd_table.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stasis {

bool install_fds(const std::vector<FdPlacement>& placements) noexcept
{
    if (placements.size() > max_placements) {
        return false;
    }
    // Park every source above all target numbers first, so that placing one
    // never overwrites another that is still to be placed.
    int above = 0;
    for (const auto& p : placements) {
        above = p.target >= above ? p.target + 1 : above;
    }
    int parked[max_placements];
    std::size_t n = 0;
    for (const auto& p : placements) {
        parked[n] = ::fcntl(p.source, F_DUPFD, above);
        if (parked[n++] < 0) {
            return false;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (::dup2(parked[i], placements[i].target) < 0) {
            return false;
        }
    }
    // Close everything that is not a target: stasis's own fds and the parked copies.
    for (int fd = 0; fd < above; ++fd) {
        bool is_target = false;
        for (const auto& p : placements) {
            is_target = is_target || p.target == fd;
        }
        if (!is_target) {
            ::close(fd);
        }
    }
    return ::syscall(SYS_close_range, above, ~0U, 0) == 0;
}

}  // namespace stasis
