#include "anon_inode_fds.hpp"

#include "error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <sstream>

namespace stasis {

namespace {

constexpr std::int64_t ns_per_s = 1000000000;

// The text after "key:" on its line of an fdinfo, trimmed; "" if absent.
std::string field(const std::string& fdinfo, const std::string& key)
{
    std::istringstream in(fdinfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            auto value = line.substr(key.size() + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            return value;
        }
    }
    return "";
}

std::uint64_t number(const std::string& fdinfo, const std::string& key, int base)
{
    auto value = field(fdinfo, key);
    if (value.empty()) {
        throw Error("fdinfo lacks '" + key + "'");
    }
    return std::stoull(value, nullptr, base);
}

// "(2, 964037168)" -> nanoseconds
std::int64_t duration_ns(const std::string& fdinfo, const std::string& key)
{
    std::istringstream in(field(fdinfo, key));
    char open = 0, comma = 0;
    std::int64_t s = 0, ns = 0;
    if (!(in >> open >> s >> comma >> ns)) {
        throw Error("fdinfo lacks '" + key + "'");
    }
    return s * ns_per_s + ns;
}

nlohmann::json epoll_watches(pid_t pid, int epfd, const std::string& fdinfo)
{
    auto watches = nlohmann::json::array();
    std::istringstream in(fdinfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("tfd:", 0) != 0) {
            continue;
        }
        std::istringstream w(line);
        std::string tfd_key, events_key, data_key;
        int tfd = 0;
        std::uint32_t events = 0;
        std::uint64_t data = 0;
        w >> tfd_key >> tfd >> events_key >> std::hex >> events >> data_key >> data;
        struct stat st {};
        std::string target = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(tfd);
        if (::lstat(target.c_str(), &st) < 0) {
            throw Error("process " + std::to_string(pid) + ": the epoll at fd " + std::to_string(epfd) +
                        " watches fd " + std::to_string(tfd) + ", which is no longer open; stasis cannot restore that");
        }
        watches.push_back({{"fd", tfd}, {"events", events}, {"data", data}});
    }
    return watches;
}

sigset_t to_sigset(std::uint64_t mask)
{
    sigset_t set;
    ::sigemptyset(&set);
    for (int sig = 1; sig <= 64; ++sig) {
        if ((mask & (1ULL << (sig - 1))) != 0) {
            ::sigaddset(&set, sig);
        }
    }
    return set;
}

timespec to_timespec(std::int64_t ns)
{
    return {static_cast<time_t>(ns / ns_per_s), static_cast<long>(ns % ns_per_s)};
}

UniqueFd create_eventfd(const FdState& saved, int nonblock)
{
    int flags = EFD_CLOEXEC | (nonblock ? EFD_NONBLOCK : 0) | (saved.detail.at("semaphore").get<bool>() ? EFD_SEMAPHORE : 0);
    UniqueFd fd(::eventfd(0, flags));
    auto count = saved.detail.at("count").get<std::uint64_t>();
    if (fd.valid() && count > 0 && ::write(fd.get(), &count, sizeof(count)) != sizeof(count)) {
        fd.reset();
    }
    return fd;
}

UniqueFd create_timerfd(const FdState& saved, int nonblock)
{
    UniqueFd fd(::timerfd_create(saved.detail.at("clockid").get<int>(), TFD_CLOEXEC | (nonblock ? TFD_NONBLOCK : 0)));
    // Expirations not yet read become one that is due at once.
    std::int64_t value = saved.detail.at("ticks").get<std::uint64_t>() > 0 ? 1 : saved.detail.at("value_ns").get<std::int64_t>();
    itimerspec spec{to_timespec(saved.detail.at("interval_ns").get<std::int64_t>()), to_timespec(value)};
    if (fd.valid() && ::timerfd_settime(fd.get(), 0, &spec, nullptr) < 0) {
        fd.reset();
    }
    return fd;
}

}  // namespace

std::optional<FdKind> anon_inode_kind(const std::string& link_target)
{
    if (link_target == "anon_inode:[eventfd]") return FdKind::eventfd;
    if (link_target == "anon_inode:[signalfd]") return FdKind::signalfd;
    if (link_target == "anon_inode:[timerfd]") return FdKind::timerfd;
    if (link_target == "anon_inode:[eventpoll]") return FdKind::epoll;
    return std::nullopt;
}

void read_anon_inode_state(pid_t pid, FdState& fd, const std::string& fdinfo)
{
    switch (fd.kind) {
    case FdKind::eventfd:
        fd.detail = {{"count", number(fdinfo, "eventfd-count", 16)},
                     {"semaphore", field(fdinfo, "eventfd-semaphore") == "1"}};
        break;
    case FdKind::signalfd:
        fd.detail = {{"mask", number(fdinfo, "sigmask", 16)}};
        break;
    case FdKind::timerfd:
        fd.detail = {{"clockid", number(fdinfo, "clockid", 10)},
                     {"ticks", number(fdinfo, "ticks", 10)},
                     {"value_ns", duration_ns(fdinfo, "it_value")},
                     {"interval_ns", duration_ns(fdinfo, "it_interval")}};
        break;
    case FdKind::epoll:
        fd.detail = {{"watches", epoll_watches(pid, fd.fd, fdinfo)}};
        break;
    default:
        break;
    }
}

UniqueFd create_anon_inode_object(const FdState& saved)
{
    int nonblock = saved.flags & O_NONBLOCK;
    UniqueFd fd;
    switch (saved.kind) {
    case FdKind::eventfd:
        fd = create_eventfd(saved, nonblock);
        break;
    case FdKind::signalfd: {
        sigset_t set = to_sigset(saved.detail.at("mask").get<std::uint64_t>());
        fd.reset(::signalfd(-1, &set, SFD_CLOEXEC | (nonblock ? SFD_NONBLOCK : 0)));
        break;
    }
    case FdKind::timerfd:
        fd = create_timerfd(saved, nonblock);
        break;
    case FdKind::epoll:
        fd.reset(::epoll_create1(EPOLL_CLOEXEC));
        break;
    default:
        throw Error("fd " + std::to_string(saved.fd) + " is not an eventfd, signalfd, timerfd or epoll");
    }
    if (!fd.valid()) {
        throw sys_error("cannot recreate fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    return fd;
}

void restore_epoll_watches(RestoreContext& ctx, const FdState& epoll)
{
    for (const auto& watch : epoll.detail.at("watches")) {
        epoll_event event{};
        event.events = watch.at("events").get<std::uint32_t>();
        event.data.u64 = watch.at("data").get<std::uint64_t>();
        ctx.main().checked("epoll_ctl", SYS_epoll_ctl,
                           {static_cast<std::uint64_t>(epoll.fd), EPOLL_CTL_ADD, watch.at("fd").get<std::uint64_t>(),
                            ctx.stage_value(event)});
    }
}

}  // namespace stasis
