#include "restore_files.hpp"

#include "error.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stasis {

namespace {

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

UniqueFd open_or_share(const FdState& saved, const std::vector<PreparedFd>& opened)
{
    for (const auto& p : opened) {
        if (p.target == saved.shares) {
            UniqueFd copy(::fcntl(p.fd.get(), F_DUPFD_CLOEXEC, 0));
            if (!copy.valid()) {
                throw sys_error("cannot duplicate fd " + std::to_string(saved.shares));
            }
            return copy;
        }
    }
    return reopen(saved);
}

}  // namespace

std::vector<PreparedFd> prepare_fds(const ProcessState& process)
{
    std::vector<PreparedFd> prepared;
    for (const auto& saved : process.fds) {
        prepared.push_back({saved.fd, open_or_share(saved, prepared), (saved.flags & O_CLOEXEC) != 0});
    }
    return prepared;
}

bool install_fds(std::vector<PreparedFd>& fds) noexcept
{
    // Park every fd above all target numbers first, so that placing one
    // never overwrites another that is still to be placed.
    int high = 0;
    for (const auto& p : fds) {
        high = p.target > high ? p.target : high;
    }
    high += 1;
    for (auto& p : fds) {
        int parked = ::fcntl(p.fd.get(), F_DUPFD, high);
        if (parked < 0) {
            return false;
        }
        p.fd.reset(parked);
        high = parked + 1;
    }
    for (auto& p : fds) {
        if (::dup3(p.fd.get(), p.target, 0) < 0) {  // close-on-exec is set after exec
            return false;
        }
    }
    // Close everything that is not a target: the parked copies and every fd
    // stasis itself had open.
    int next = 0;
    for (int fd = 0; fd < high; ++fd) {
        bool is_target = false;
        for (const auto& p : fds) {
            is_target = is_target || p.target == fd;
        }
        if (!is_target) {
            ::close(fd);
        }
        next = fd + 1;
    }
    ::syscall(SYS_close_range, next, ~0U, 0);
    for (auto& p : fds) {
        p.fd.release();
    }
    return true;
}

}  // namespace stasis
