#include "event_fds/epoll_watches.hpp"

#include "core/error.hpp"

#include <linux/kcmp.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <map>

namespace stasis {

namespace {

// A watch as KCMP_EPOLL_TFD names it: the epoll (a process and its fd), the
// watched number, and which of the epoll's watches with that number
// (fdinfo lists them in the kernel's order, the order kcmp counts in).
struct WatchSlot {
    pid_t pid;
    int epfd;
    int fd;
    unsigned offset;
};

bool watch_is_on(const WatchSlot& watch, pid_t pid, int fd)
{
    kcmp_epoll_slot slot{static_cast<__u32>(watch.epfd), static_cast<__u32>(watch.fd), watch.offset};
    return ::syscall(SYS_kcmp, pid, watch.pid, KCMP_EPOLL_TFD, fd, &slot) == 0;
}

const FdState* fd_numbered(const ProcessState& p, int number)
{
    auto it = std::find_if(p.fds.begin(), p.fds.end(), [number](const FdState& f) { return f.fd == number; });
    return it != p.fds.end() ? &*it : nullptr;
}

// The description of the file the watch is on: most often the one at the
// watched number in the epoll's own process, else any fd of the tree.
int watched_description(const std::vector<ProcessState>& tree, const ProcessState& owner, const WatchSlot& watch)
{
    if (const auto* same = fd_numbered(owner, watch.fd); same != nullptr && watch_is_on(watch, owner.pid, same->fd)) {
        return same->description;
    }
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            if (watch_is_on(watch, p.pid, fd.fd)) {
                return fd.description;
            }
        }
    }
    throw Error("process " + std::to_string(owner.pid) + ": the epoll at fd " + std::to_string(watch.epfd) +
                " watches fd " + std::to_string(watch.fd) +
                ", whose file no process of the checkpointed tree holds open; stasis cannot restore that watch");
}

// In place: the process has the watched file at the watched number (images
// without descriptions assume it).
bool in_place(const ProcessState& p, const EpollWatch& watch)
{
    if (watch.description < 0) {
        return true;
    }
    const auto* fd = fd_numbered(p, watch.fd);
    return fd != nullptr && fd->description == watch.description;
}

bool holds(const ProcessState& p, int description)
{
    return std::any_of(p.fds.begin(), p.fds.end(), [description](const FdState& f) { return f.description == description; });
}

// The process that re-adds the watches of an epoll: the first holder that
// can add every watch at its own number, else the first holder.
std::size_t rebuilder(const std::vector<ProcessState>& tree, const FdState& epoll)
{
    const auto& watches = epoll.detail_as<EpollState>().watches;
    std::optional<std::size_t> first;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        if (!holds(tree[i], epoll.description)) {
            continue;
        }
        first = first.value_or(i);
        if (std::all_of(watches.begin(), watches.end(), [&](const EpollWatch& w) {
                return in_place(tree[i], w) || fd_numbered(tree[i], w.fd) == nullptr;
            })) {
            return i;
        }
    }
    if (!first) {
        throw ImageError("the image's epoll (description " + std::to_string(epoll.description) + ") has no holder");
    }
    return *first;
}

}  // namespace

void link_epoll_watches(std::vector<ProcessState>& tree)
{
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            if (fd.kind != FdKind::epoll) {
                continue;
            }
            std::map<int, unsigned> earlier;  // watches seen so far per number
            for (auto& watch : fd.detail_as<EpollState>().watches) {
                watch.description = watched_description(tree, p, {p.pid, fd.fd, watch.fd, earlier[watch.fd]++});
            }
        }
    }
}

EpollWatchFds epoll_watch_fds(const std::vector<ProcessState>& tree, std::size_t index, const std::set<int>& taken)
{
    const auto& p = tree[index];
    std::vector<std::pair<int, int>> needed;
    for (const auto& fd : p.fds) {
        if (fd.kind != FdKind::epoll || rebuilder(tree, fd) != index) {
            continue;
        }
        for (const auto& watch : fd.detail_as<EpollState>().watches) {
            if (!in_place(p, watch)) {
                needed.emplace_back(watch.description, watch.fd);
            }
        }
    }
    EpollWatchFds handed;
    auto used = taken;
    for (const auto& key : needed) {
        if (!handed.contains(key) && !used.contains(key.second)) {
            handed[key] = key.second;
            used.insert(key.second);
        }
    }
    int next = used.empty() ? 3 : std::max(3, *used.rbegin() + 1);
    for (const auto& key : needed) {
        if (!handed.contains(key)) {
            handed[key] = next++;
        }
    }
    return handed;
}

void rebuild_epoll_watches(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index,
                           const FdState& epoll)
{
    if (rebuilder(tree, epoll) != index) {
        return;
    }
    const auto& handed = ctx.epoll_watch_fds();
    for (const auto& watch : epoll.detail_as<EpollState>().watches) {
        auto it = handed.find({watch.description, watch.fd});
        int fd = it != handed.end() ? it->second : watch.fd;
        epoll_event event{};
        event.events = watch.events;
        event.data.u64 = watch.data;
        ctx.main().checked("epoll_ctl", SYS_epoll_ctl,
                           {static_cast<std::uint64_t>(epoll.fd), EPOLL_CTL_ADD, static_cast<std::uint64_t>(fd),
                            ctx.stage_value(event)});
    }
}

void close_epoll_watch_fds(RestoreContext& ctx)
{
    for (const auto& [key, fd] : ctx.epoll_watch_fds()) {
        ctx.main().checked("close", SYS_close, {static_cast<std::uint64_t>(fd)});
    }
}

}  // namespace stasis
