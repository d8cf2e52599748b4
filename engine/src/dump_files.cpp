#include "dump_files.hpp"

#include "error.hpp"
#include "proc.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <sstream>

namespace stasis {

namespace {

struct FdInfo {
    std::int64_t pos = 0;
    int flags = 0;
};

FdInfo read_fdinfo(pid_t pid, int fd)
{
    std::istringstream in(proc::read_text("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd)));
    FdInfo info;
    std::string key;
    while (in >> key) {
        if (key == "pos:") {
            in >> info.pos;
        } else if (key == "flags:") {
            in >> std::oct >> info.flags >> std::dec;
        }
    }
    return info;
}

bool is_terminal(const struct stat& st)
{
    unsigned major_no = major(st.st_rdev);
    return major_no == 4 || major_no == 5 || (major_no >= 136 && major_no <= 143);
}

[[noreturn]] void unsupported(pid_t pid, int fd, const std::string& kind, const std::string& target)
{
    throw Error("process " + std::to_string(pid) + ": fd " + std::to_string(fd) + " is " + kind + " (" + target +
                "), which stasis cannot checkpoint yet");
}

FdState read_fd(pid_t pid, int fd)
{
    std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    FdState state;
    state.fd = fd;
    state.path = proc::read_link(link);
    auto info = read_fdinfo(pid, fd);
    state.flags = info.flags;
    state.pos = info.pos;
    struct stat st {};
    if (::stat(link.c_str(), &st) < 0) {
        throw sys_error("cannot inspect fd " + std::to_string(fd) + " of process " + std::to_string(pid));
    }
    // fds 0-2 that lead outside (a terminal, the scheduler's pipe or socket)
    // are handed over from whoever runs the restore.
    bool stdio = fd <= 2;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        if (state.path.find(" (deleted)") != std::string::npos || state.path.empty() || state.path[0] != '/') {
            unsupported(pid, fd, "a deleted or unnamed file", state.path);
        }
        state.kind = FdKind::file;
    } else if (S_ISCHR(st.st_mode) && is_terminal(st)) {
        if (!stdio) unsupported(pid, fd, "a terminal", state.path);
        state.kind = FdKind::inherit;
    } else if (S_ISCHR(st.st_mode)) {
        state.kind = FdKind::device;
    } else if (S_ISFIFO(st.st_mode)) {
        if (!stdio) unsupported(pid, fd, "a pipe", state.path);
        state.kind = FdKind::inherit;
    } else if (S_ISSOCK(st.st_mode)) {
        if (!stdio) unsupported(pid, fd, "a socket", state.path);
        state.kind = FdKind::inherit;
    } else {
        unsupported(pid, fd, "a kernel object", state.path);
    }
    return state;
}

bool same_description(pid_t pid_a, int fd_a, pid_t pid_b, int fd_b)
{
    return ::syscall(SYS_kcmp, pid_a, pid_b, KCMP_FILE, fd_a, fd_b) == 0;
}

bool is_pipe(const FdState& fd)
{
    return fd.path.rfind("pipe:[", 0) == 0;
}

// A pipe with a reader and a writer inside the tree carries data between its
// processes; restoring it as "inherited" would cut the pipeline.
void refuse_internal_pipes(const std::vector<ProcessState>& tree)
{
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            if (!is_pipe(fd)) {
                continue;
            }
            for (const auto& q : tree) {
                for (const auto& other : q.fds) {
                    if (other.path == fd.path && (other.flags & O_ACCMODE) != (fd.flags & O_ACCMODE)) {
                        unsupported(p.pid, fd.fd, "a pipe between processes of the tree", fd.path);
                    }
                }
            }
        }
    }
}

}  // namespace

std::vector<FdState> read_fds(pid_t pid)
{
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        throw sys_error("cannot list " + dir);
    }
    std::vector<int> numbers;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] != '.') {
            numbers.push_back(std::stoi(e->d_name));
        }
    }
    ::closedir(d);
    std::sort(numbers.begin(), numbers.end());
    std::vector<FdState> fds;
    for (int fd : numbers) {
        fds.push_back(read_fd(pid, fd));
    }
    return fds;
}

void link_descriptions(std::vector<ProcessState>& tree)
{
    refuse_internal_pipes(tree);
    struct Seen {
        pid_t pid;
        int fd;
        int description;
    };
    std::vector<Seen> seen;
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            auto it = std::find_if(seen.begin(), seen.end(), [&](const Seen& s) {
                return same_description(s.pid, s.fd, p.pid, fd.fd);
            });
            fd.description = it != seen.end() ? it->description : static_cast<int>(seen.size());
            seen.push_back({p.pid, fd.fd, fd.description});
        }
    }
}

}  // namespace stasis
