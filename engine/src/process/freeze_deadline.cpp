#include "process/freeze_deadline.hpp"

#include "core/proc.hpp"
#include "stasis/duration.hpp"

#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stasis {

namespace {

std::string task_dir(pid_t pid, pid_t tid)
{
    return "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid);
}

// /proc may lose a task at any moment: what it showed, or "" once gone.
std::string comm_or_empty(const std::string& path)
{
    try {
        return proc::read_comm(path);
    } catch (const Error&) {
        return "";
    }
}

std::string wchan_or_empty(pid_t pid, pid_t tid)
{
    try {
        auto wchan = proc::read_text(task_dir(pid, tid) + "/wchan");
        return wchan == "0" ? "" : wchan;
    } catch (const Error&) {
        return "";
    }
}

std::string field_or_empty(pid_t pid, pid_t tid, const std::string& key)
{
    try {
        return proc::status_field(pid, tid, key);
    } catch (const Error&) {
        return "";
    }
}

std::string named(const std::string& what, const std::string& id, const std::string& comm_path)
{
    auto comm = comm_or_empty(comm_path);
    return what + " " + id + (comm.empty() ? "" : " (" + comm + ")");
}

// A tracer other than stasis itself (the tracer of a task that stasis
// seized shows as the seizing thread).
std::string other_tracer(pid_t pid, pid_t tid)
{
    auto tracer = field_or_empty(pid, tid, "TracerPid");
    if (tracer.empty() || tracer == "0" || tracer == std::to_string(::getpid()) ||
        tracer == std::to_string(::gettid())) {
        return "";
    }
    return tracer;
}

}  // namespace

std::string task_name(pid_t pid, pid_t tid)
{
    auto process = named("process", std::to_string(pid), "/proc/" + std::to_string(pid) + "/comm");
    if (tid == pid) {
        return process;
    }
    return named("thread", std::to_string(tid), task_dir(pid, tid) + "/comm") + " of " + process;
}

pid_t vfork_child(pid_t pid, pid_t tid)
{
    try {
        for (pid_t child : proc::thread_children(pid, tid)) {
            if (::syscall(SYS_kcmp, tid, child, KCMP_VM, 0, 0) == 0) {
                return child;
            }
        }
    } catch (const Error&) {
    }
    return 0;
}

std::string stop_obstacle(pid_t pid, pid_t tid)
{
    if (auto tracer = other_tracer(pid, tid); !tracer.empty()) {
        return named("traced by", tracer, "/proc/" + tracer + "/comm");
    }
    auto state = field_or_empty(pid, tid, "State");
    if (state.empty()) {
        return "it ended meanwhile";
    }
    if (!state.starts_with("D")) {
        return "in state " + state;
    }
    if (pid_t child = vfork_child(pid, tid)) {
        return "in vfork, waiting for child " + std::to_string(child);
    }
    auto wchan = wchan_or_empty(pid, tid);
    return "in uninterruptible sleep (D)" + (wchan.empty() ? "" : " in " + wchan);
}

Error FreezeDeadline::missed_by(pid_t pid, pid_t tid) const
{
    return Error(task_name(pid, tid) + " could not be stopped within " + format_duration(timeout) + ": " +
                 stop_obstacle(pid, tid));
}

}  // namespace stasis
