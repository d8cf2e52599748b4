#include "event_fds/event_fd_kinds.hpp"

#include "core/error.hpp"
#include "event_fds/dump_event_fds.hpp"
#include "event_fds/epoll_watches.hpp"
#include "event_fds/restore_event_fds.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>

namespace stasis {

namespace {

template <const char* link>
bool is_anon_inode(const FdProbe& probe)
{
    return probe.link == link;
}

constexpr char eventfd_link[] = "anon_inode:[eventfd]";
constexpr char signalfd_link[] = "anon_inode:[signalfd]";
constexpr char timerfd_link[] = "anon_inode:[timerfd]";
constexpr char epoll_link[] = "anon_inode:[eventpoll]";

bool nonblocking(const FdState& saved)
{
    return (saved.flags & O_NONBLOCK) != 0;
}

UniqueFd checked(UniqueFd fd, const FdState& saved)
{
    if (!fd.valid()) {
        throw sys_error("cannot recreate fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    return fd;
}

void dump_epoll(const FdProbe& probe, FdState& fd)
{
    fd.detail = parse_epoll(probe.fdinfo);
}

// A kind whose whole state its fdinfo tells (parse) and whose object is made
// again from that state (create).
template <typename State, const char* link, State (*parse)(const std::string&),
          UniqueFd (*create)(const State&, bool)>
FdKindOps kind_of_state(FdKind kind, const char* name)
{
    return {.kind = kind,
            .name = name,
            .recognizes = is_anon_inode<link>,
            .dump = [](const FdProbe& probe, FdState& fd) { fd.detail = parse(probe.fdinfo); },
            .open = [](const FdState& saved, RestoreSources&) {
                return checked(create(saved.detail_as<State>(), nonblocking(saved)), saved);
            },
            .read_detail = read_detail_as<State>};
}

}  // namespace

const FdKindOps& eventfd_kind()
{
    static const auto ops =
        kind_of_state<EventFdState, eventfd_link, parse_eventfd, create_eventfd>(FdKind::eventfd, "eventfd");
    return ops;
}

const FdKindOps& signalfd_kind()
{
    static const auto ops =
        kind_of_state<SignalFdState, signalfd_link, parse_signalfd, create_signalfd>(FdKind::signalfd, "signalfd");
    return ops;
}

const FdKindOps& timerfd_kind()
{
    static const auto ops =
        kind_of_state<TimerFdState, timerfd_link, parse_timerfd, create_timerfd>(FdKind::timerfd, "timerfd");
    return ops;
}

const FdKindOps& epoll_kind()
{
    static const FdKindOps ops{.kind = FdKind::epoll,
                               .name = "epoll",
                               .recognizes = is_anon_inode<epoll_link>,
                               .dump = dump_epoll,
                               .open = [](const FdState& saved, RestoreSources&) { return checked(create_epoll(), saved); },
                               .read_detail = read_detail_as<EpollState>,
                               .link_tree = link_epoll_watches,
                               .rebuild = rebuild_epoll_watches};
    return ops;
}

}  // namespace stasis
