#include "files/own_proc_file_kind.hpp"

#include "core/error.hpp"
#include "core/restore_context.hpp"
#include "process/process_state.hpp"

#include <fcntl.h>
#include <sys/syscall.h>

#include <charconv>
#include <optional>
#include <set>
#include <string_view>

namespace stasis {

namespace {

// The id after prefix and the rest ("/proc/" in "/proc/42/timers": 42,
// "/timers"); nullopt unless path is prefix, a positive id, then nothing
// or '/'.
std::optional<std::pair<pid_t, std::string_view>> id_after(std::string_view path, std::string_view prefix)
{
    if (!path.starts_with(prefix)) {
        return std::nullopt;
    }
    path.remove_prefix(prefix.size());
    pid_t id = 0;
    auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), id);
    auto rest = path.substr(static_cast<std::size_t>(end - path.data()));
    if (ec != std::errc{} || id <= 0 || !(rest.empty() || rest.front() == '/')) {
        return std::nullopt;
    }
    return std::pair{id, rest};
}

std::optional<std::pair<pid_t, std::string_view>> proc_pid_path(std::string_view path)
{
    return id_after(path, "/proc/");
}

bool is_own_proc_file(const FdProbe& probe)
{
    auto named = proc_pid_path(probe.link);
    return named && named->first == probe.pid && (S_ISREG(probe.st.st_mode) || S_ISDIR(probe.st.st_mode));
}

// Where the restored process finds the file of `/proc/PID` + rest: its own
// /proc/self, or /proc/thread-self for the main thread's task entry (the
// rebuild runs in the main thread). nullopt for another thread's entry,
// whose tid does not come back.
std::optional<std::string> restored_path(std::string_view rest, pid_t pid)
{
    if (!rest.starts_with("/task/")) {
        return "/proc/self" + std::string(rest);
    }
    auto task = id_after(rest, "/task/");
    if (!task || task->first != pid) {
        return std::nullopt;
    }
    return "/proc/thread-self" + std::string(task->second);
}

void refuse_other_threads(const FdProbe& probe, FdState&)
{
    if (!restored_path(proc_pid_path(probe.link)->second, probe.pid)) {
        refuse_fd(probe, "a /proc file of a thread other than the main one");
    }
}

// A stand-in the restored process replaces in rebuild: the fd number must
// be taken before the process runs, its file can only be opened by it.
UniqueFd placeholder(const FdState& saved, RestoreSources&)
{
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        throw sys_error("cannot open /dev/null in place of fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    return fd;
}

// A /proc file of another process of the tree names a pid the restore does
// not give back; reopened by path it would be whatever process has it then.
void refuse_other_tree_procs(std::vector<ProcessState>& tree)
{
    std::set<pid_t> pids;
    for (const auto& p : tree) {
        pids.insert(p.pid);
    }
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            auto named = proc_pid_path(fd.path);
            if (fd.kind == FdKind::file && named && pids.contains(named->first)) {
                throw Error("process " + std::to_string(p.pid) + ": fd " + std::to_string(fd.fd) + " is " + fd.path +
                            ", a /proc file of another process of the tree, which stasis cannot checkpoint yet");
            }
        }
    }
}

void reopen_in_process(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index,
                       const FdState& saved)
{
    auto named = proc_pid_path(saved.path);
    auto path = named ? restored_path(named->second, tree[index].pid) : std::nullopt;
    if (!path) {
        throw ImageError("fd " + std::to_string(saved.fd) + " of kind own_proc_file has the path '" + saved.path +
                         "', which is not a /proc file of process " + std::to_string(tree[index].pid));
    }
    auto flags = static_cast<std::uint64_t>(saved.flags & ~(O_CREAT | O_TRUNC | O_EXCL)) | O_CLOEXEC;
    auto opened =
        ctx.main().checked("openat", SYS_openat, {static_cast<std::uint64_t>(AT_FDCWD), ctx.stage_string(*path), flags});
    if (saved.pos != 0) {
        ctx.main().checked("lseek", SYS_lseek, {opened, static_cast<std::uint64_t>(saved.pos), SEEK_SET});
    }
    ctx.main().checked("dup3", SYS_dup3,
                       {opened, static_cast<std::uint64_t>(saved.fd), static_cast<std::uint64_t>(saved.flags & O_CLOEXEC)});
    ctx.main().checked("close", SYS_close, {opened});
}

}  // namespace

const FdKindOps& own_proc_file_kind()
{
    static const FdKindOps ops{.kind = FdKind::own_proc_file,
                               .name = "own_proc_file",
                               .recognizes = is_own_proc_file,
                               .dump = refuse_other_threads,
                               .open = placeholder,
                               .link_tree = refuse_other_tree_procs,
                               .rebuild = reopen_in_process};
    return ops;
}

}  // namespace stasis
