#include "dump_files.hpp"

#include "error.hpp"
#include "proc.hpp"

#include <dirent.h>
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

// dup'd and inherited fds share one offset (a job's `>out 2>&1`); kcmp
// tells which do.
int first_sharing(pid_t pid, const std::vector<FdState>& fds)
{
    int fd = fds.back().fd;
    for (std::size_t i = 0; i + 1 < fds.size(); ++i) {
        if (::syscall(SYS_kcmp, pid, pid, KCMP_FILE, fds[i].fd, fd) == 0) {
            return fds[i].fd;
        }
    }
    return -1;
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
        fds.back().shares = first_sharing(pid, fds);
    }
    return fds;
}

}  // namespace stasis
