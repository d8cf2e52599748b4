#include "process/cgroup_freezer.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "stasis/duration.hpp"

#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

namespace stasis {

namespace {

namespace fs = std::filesystem;

// How often the freezer's state is looked at while it freezes: quickly at
// first, then no more than a hundred times a second (v1 has no
// notification; v2's poll needs a timeout for the deadline).
constexpr auto first_look = std::chrono::microseconds(50);
constexpr auto last_look = std::chrono::milliseconds(10);

std::string control_file(const CgroupDir& cgroup)
{
    return cgroup.path + (cgroup.version == CgroupVersion::v2 ? "/cgroup.freeze" : "/freezer.state");
}

std::string state_file(const CgroupDir& cgroup)
{
    return cgroup.path + (cgroup.version == CgroupVersion::v2 ? "/cgroup.events" : "/freezer.state");
}

bool says_frozen(const CgroupDir& cgroup, const std::string& state)
{
    if (cgroup.version == CgroupVersion::v2) {
        return state.starts_with("frozen 1\n") || state.find("\nfrozen 1\n") != std::string::npos;
    }
    return state == "FROZEN\n";
}

// Neither frozen nor freezing, by anyone (a cgroup above it included).
bool thawed(const CgroupDir& cgroup)
{
    if (cgroup.version == CgroupVersion::v2) {
        return proc::read_text(control_file(cgroup)) == "0\n" &&
               !says_frozen(cgroup, proc::read_text(state_file(cgroup)));
    }
    return proc::read_text(state_file(cgroup)) == "THAWED\n";
}

void write_control(const CgroupDir& cgroup, const std::string& value)
{
    auto path = control_file(cgroup);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() || ::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
        throw sys_error("cannot write " + value + " to " + path);
    }
}

std::string read_from_start(int fd, const std::string& path)
{
    char buf[512];
    ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
    if (n < 0) {
        throw sys_error("cannot read " + path);
    }
    return {buf, static_cast<std::size_t>(n)};
}

std::set<pid_t> processes_in(const std::string& dir)
{
    std::set<pid_t> pids;
    std::istringstream listed(proc::read_text(dir + "/cgroup.procs"));
    for (pid_t pid = 0; listed >> pid;) {
        pids.insert(pid);
    }
    return pids;
}

// Freezing a cgroup freezes the cgroups below it too: their processes count.
std::set<pid_t> processes_below(const std::string& top)
{
    auto pids = processes_in(top);
    std::error_code error;
    for (fs::recursive_directory_iterator it(top, error), end; !error && it != end; it.increment(error)) {
        std::error_code kind_error;
        if (it->is_directory(kind_error)) {
            pids.merge(processes_in(it->path()));
        }
    }
    if (error) {
        throw Error("cannot list the cgroups below " + top + ": " + error.message());
    }
    return pids;
}

// Whether pid is root or below it, following parents up; known holds the
// processes found in the tree so far. A member that ended meanwhile is no
// one else's either.
bool in_tree(pid_t pid, std::set<pid_t>& known)
{
    std::vector<pid_t> chain;
    for (pid_t at = pid; !known.contains(at); ) {
        if (at <= 1) {
            return false;
        }
        chain.push_back(at);
        try {
            at = static_cast<pid_t>(proc::Stat(at).field(proc::StatField::ppid));
        } catch (const Error&) {
            return at == pid;
        }
    }
    known.insert(chain.begin(), chain.end());
    return true;
}

// A process of the cgroup that is not in root's tree; 0 when there is none.
pid_t outsider(pid_t root, const std::set<pid_t>& members)
{
    std::set<pid_t> known{root};
    auto found = std::find_if(members.begin(), members.end(), [&known](pid_t pid) { return !in_tree(pid, known); });
    return found == members.end() ? 0 : *found;
}

// Why cgroup may not be frozen for root's tree; "" when it may.
std::string refusal(pid_t root, const CgroupDir& cgroup)
{
    if (cgroup.is_root) {
        return "it is the hierarchy's root";
    }
    if (::access(control_file(cgroup).c_str(), W_OK) != 0) {
        return control_file(cgroup) + " is not writable by us";
    }
    if (!thawed(cgroup)) {
        return "it is frozen or freezing already (not by us: we must not thaw it)";
    }
    if (pid_t other = outsider(root, processes_below(cgroup.path))) {
        return "it holds process " + std::to_string(other) + ", which is not in the tree";
    }
    return "";
}

std::string version_name(const CgroupDir& cgroup)
{
    return cgroup.version == CgroupVersion::v2 ? "cgroup v2" : "cgroup v1";
}

std::string wchan_of(pid_t pid, pid_t tid)
{
    return proc::read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/wchan");
}

// A task of the cgroup that did not freeze and why, as /proc shows it: one
// in uninterruptible sleep that is neither frozen (v1 shows a frozen task
// in D too) nor a vfork parent (frozen as well while it waits). "" if no
// task says so.
std::string unfrozen_task(const std::set<pid_t>& members)
{
    for (pid_t pid : members) {
        try {
            for (pid_t tid : proc::threads(pid)) {
                if (proc::status_field(pid, tid, "State").starts_with("D") && wchan_of(pid, tid) != "__refrigerator" &&
                    vfork_child(pid, tid) == 0) {
                    return task_name(pid, tid) + " " + stop_obstacle(pid, tid);
                }
            }
        } catch (const Error&) {
            // ended meanwhile
        }
    }
    return "";
}

}  // namespace

std::optional<CgroupDir> freezable_cgroup(pid_t root)
{
    auto proc_cgroup = "/proc/" + std::to_string(root) + "/cgroup";
    std::vector<CgroupDir> candidates;
    try {
        candidates = freezer_cgroups(proc::read_text(proc_cgroup), proc::read_text("/proc/self/mountinfo"));
    } catch (const Error& e) {
        spdlog::debug("pid {}: no cgroup freezer: {}", root, e.what());
        return std::nullopt;
    }
    for (const auto& cgroup : candidates) {
        std::string why;
        try {
            why = refusal(root, cgroup);
        } catch (const Error& e) {
            why = e.what();
        }
        if (why.empty()) {
            return cgroup;
        }
        spdlog::debug("pid {}: not freezing {} {}: {}", root, version_name(cgroup), cgroup.path, why);
    }
    if (candidates.empty()) {
        spdlog::debug("pid {}: no cgroup v2 or v1 freezer cgroup is mounted for it", root);
    }
    return std::nullopt;
}

CgroupFreezer::CgroupFreezer(CgroupDir cgroup, const FreezeDeadline& deadline) : cgroup_(std::move(cgroup))
{
    write_control(cgroup_, cgroup_.version == CgroupVersion::v2 ? "1" : "FROZEN");
    frozen_ = true;
    try {
        if (!wait_frozen(deadline)) {
            auto culprit = unfrozen_task(members());
            throw Error("cgroup " + cgroup_.path + " could not be frozen within " + format_duration(deadline.timeout) +
                        (culprit.empty() ? "" : ": " + culprit));
        }
    } catch (...) {
        thaw();
        throw;
    }
}

// v2 notifies each change of cgroup.events (POLLPRI on an fd that has read
// it); v1 has no notification, but freezes further each time freezer.state
// is read, and is read until it says FROZEN.
bool CgroupFreezer::wait_frozen(const FreezeDeadline& deadline) const
{
    UniqueFd events;
    if (cgroup_.version == CgroupVersion::v2) {
        events.reset(::open(state_file(cgroup_).c_str(), O_RDONLY | O_CLOEXEC));
        if (!events.valid()) {
            throw sys_error("cannot read " + state_file(cgroup_));
        }
    }
    std::chrono::steady_clock::duration pause = first_look;
    for (;;) {
        auto state = events.valid() ? read_from_start(events.get(), state_file(cgroup_))
                                    : proc::read_text(state_file(cgroup_));
        if (says_frozen(cgroup_, state)) {
            return true;
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline.at) {
            return false;
        }
        auto wait = std::min<std::chrono::steady_clock::duration>(pause, deadline.at - now);
        if (events.valid()) {
            pollfd p{events.get(), POLLPRI, 0};
            ::poll(&p, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
        } else {
            std::this_thread::sleep_for(wait);
        }
        pause = std::min<std::chrono::steady_clock::duration>(pause * 2, last_look);
    }
}

void CgroupFreezer::thaw() noexcept
{
    if (!frozen_) {
        return;
    }
    frozen_ = false;
    try {
        write_control(cgroup_, cgroup_.version == CgroupVersion::v2 ? "0" : "THAWED");
    } catch (const std::exception& e) {
        spdlog::error("{}; the job stays frozen until it is thawed", e.what());
    }
}

std::string CgroupFreezer::description() const
{
    return "the " + version_name(cgroup_) + " freezer of " + cgroup_.path;
}

std::set<pid_t> CgroupFreezer::members() const
{
    return processes_below(cgroup_.path);
}

bool CgroupFreezer::may_seize_frozen(pid_t pid) const
{
    if (cgroup_.version == CgroupVersion::v2) {
        return true;
    }
    try {
        return std::ranges::none_of(proc::threads(pid), [pid](pid_t tid) {
            auto wchan = wchan_of(pid, tid);
            return wchan == "do_signal_stop" || wchan == "0" || wchan.empty();
        });
    } catch (const Error&) {
        return false;
    }
}

}  // namespace stasis
