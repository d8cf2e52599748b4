#include "event_fds/dump_event_fds.hpp"

#include "core/durations.hpp"
#include "core/error.hpp"
#include "core/proc.hpp"

#include <sstream>

namespace stasis {

namespace {

std::uint64_t number(const std::string& fdinfo, const std::string& key, int base)
{
    auto value = proc::key_value(fdinfo, key);
    if (value.empty()) {
        throw Error("fdinfo lacks '" + key + "'");
    }
    return proc::parse_number(value, base, "fdinfo '" + key + "'");
}

// "(2, 964037168)" -> nanoseconds
std::int64_t duration_ns(const std::string& fdinfo, const std::string& key)
{
    std::istringstream in(proc::key_value(fdinfo, key));
    char open = 0, comma = 0;
    std::int64_t s = 0, ns = 0;
    if (!(in >> open >> s >> comma >> ns)) {
        throw Error("fdinfo lacks '" + key + "'");
    }
    return s * ns_per_s + ns;
}

}  // namespace

EventFdState parse_eventfd(const std::string& fdinfo)
{
    return {number(fdinfo, "eventfd-count", 16), proc::key_value(fdinfo, "eventfd-semaphore") == "1"};
}

SignalFdState parse_signalfd(const std::string& fdinfo)
{
    return {number(fdinfo, "sigmask", 16)};
}

TimerFdState parse_timerfd(const std::string& fdinfo)
{
    return {static_cast<int>(number(fdinfo, "clockid", 10)), number(fdinfo, "ticks", 10),
            duration_ns(fdinfo, "it_value"), duration_ns(fdinfo, "it_interval")};
}

// Lines "tfd: 5 events: 19 data: 5 pos:0 ino:... sdev:..."
EpollState parse_epoll(const std::string& fdinfo)
{
    EpollState epoll;
    std::istringstream in(fdinfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("tfd:", 0) != 0) {
            continue;
        }
        std::istringstream w(line);
        std::string tfd_key, events_key, data_key;
        EpollWatch watch;
        w >> tfd_key >> watch.fd >> events_key >> std::hex >> watch.events >> data_key >> watch.data;
        if (!w || events_key != "events:" || data_key != "data:") {
            throw Error("an epoll's fdinfo has a malformed watch line: \"" + line + "\"");
        }
        epoll.watches.push_back(watch);
    }
    return epoll;
}

}  // namespace stasis
