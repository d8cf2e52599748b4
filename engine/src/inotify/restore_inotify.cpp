#include "inotify/restore_inotify.hpp"

#include "core/error.hpp"
#include "inotify/inotify_state.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>

namespace stasis {

namespace {

std::string fd_name(const FdState& saved)
{
    return "inotify fd " + std::to_string(saved.fd);
}

// Watch descriptors below `wanted` not handed out yet are used up.
class WdFiller {
public:
    explicit WdFiller(const FdState& saved)
        : saved_(saved), inode_(::memfd_create("stasis-inotify-filler", MFD_CLOEXEC))
    {
        if (!inode_.valid()) {
            throw sys_error("cannot make a throw-away inode for " + fd_name(saved));
        }
        path_ = "/proc/self/fd/" + std::to_string(inode_.get());
    }

    // next: the descriptor the instance hands out next.
    void fill(int inotify, int& next, int wanted)
    {
        while (next < wanted) {
            int wd = ::inotify_add_watch(inotify, path_.c_str(), IN_ACCESS);
            if (wd < 0 || ::inotify_rm_watch(inotify, wd) < 0) {
                throw sys_error("cannot skip watch descriptor " + std::to_string(next) + " of " + fd_name(saved_));
            }
            next = wd + 1;
        }
    }

private:
    const FdState& saved_;
    UniqueFd inode_;
    std::string path_;
};

void add_watches(int inotify, const FdState& saved)
{
    WdFiller filler(saved);
    int next = 1;
    for (const auto& watch : saved.detail_as<InotifyState>().watches) {
        filler.fill(inotify, next, watch.wd);
        // The path's last component is the watched inode itself.
        int wd = ::inotify_add_watch(inotify, watch.path.c_str(), watch.mask | IN_DONT_FOLLOW);
        if (wd < 0) {
            throw sys_error("cannot watch " + watch.path + " again (watch " + std::to_string(watch.wd) + " of " +
                            fd_name(saved) + ")");
        }
        if (wd != watch.wd) {
            throw Error("the watch of " + watch.path + " on " + fd_name(saved) + " came back as " +
                        std::to_string(wd) + " instead of " + std::to_string(watch.wd));
        }
        next = wd + 1;
    }
}

// The IN_IGNORED events of the throw-away watches.
void discard_events(int inotify)
{
    std::array<char, 4096> buf{};
    while (::read(inotify, buf.data(), buf.size()) > 0) {
    }
}

}  // namespace

UniqueFd open_inotify(const FdState& saved, RestoreSources&)
{
    UniqueFd fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!fd.valid()) {
        throw sys_error("cannot recreate " + fd_name(saved));
    }
    add_watches(fd.get(), saved);
    discard_events(fd.get());
    if ((saved.flags & O_NONBLOCK) == 0 && ::fcntl(fd.get(), F_SETFL, 0) < 0) {
        throw sys_error("cannot make " + fd_name(saved) + " blocking");
    }
    return fd;
}

}  // namespace stasis
