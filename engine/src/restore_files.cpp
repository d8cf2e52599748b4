#include "restore_files.hpp"

#include "error.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stasis {

namespace {

constexpr int max_placements = 4096;

UniqueFd reopen(const FdState& saved)
{
    if (saved.kind == FdKind::inherit) {
        UniqueFd own(::fcntl(saved.fd, F_DUPFD_CLOEXEC, 0));
        if (!own.valid()) {
            own.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
        }
        return own;
    }
    int flags = (saved.flags & ~(O_CREAT | O_TRUNC | O_EXCL | O_NOCTTY)) | O_CLOEXEC | O_NOCTTY;
    UniqueFd fd(::open(saved.path.c_str(), flags));
    if (!fd.valid()) {
        throw sys_error("cannot reopen fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    if (saved.kind == FdKind::file && (saved.flags & O_APPEND) == 0 &&
        ::lseek(fd.get(), saved.pos, SEEK_SET) != saved.pos) {
        throw sys_error("cannot seek fd " + std::to_string(saved.fd) + " (" + saved.path + ") to " +
                        std::to_string(saved.pos));
    }
    return fd;
}

}  // namespace

OpenDescriptions open_descriptions(const std::vector<ProcessState>& tree)
{
    OpenDescriptions open;
    for (const auto& process : tree) {
        for (const auto& saved : process.fds) {
            if (open.find(saved.description) == open.end()) {
                open.emplace(saved.description, reopen(saved));
            }
        }
    }
    return open;
}

std::vector<FdPlacement> placements_for(const ProcessState& process, const OpenDescriptions& open)
{
    if (process.fds.size() > max_placements) {
        throw Error("process " + std::to_string(process.pid) + " has more open fds than stasis restores");
    }
    std::vector<FdPlacement> placements;
    for (const auto& saved : process.fds) {
        placements.push_back({saved.fd, open.at(saved.description).get()});
    }
    return placements;
}

bool install_fds(const std::vector<FdPlacement>& placements) noexcept
{
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
