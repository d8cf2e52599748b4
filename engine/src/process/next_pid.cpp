#include "process/next_pid.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace stasis {

namespace {

constexpr const char* last_pid_file = "/proc/sys/kernel/ns_last_pid";

// Returns 0 or an errno; no allocation.
int write_last_pid(pid_t pid) noexcept
{
    char text[16];
    char* p = text + sizeof(text);
    *--p = '\n';
    auto n = static_cast<std::uint32_t>(pid - 1);
    do {
        *--p = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    int fd = ::open(last_pid_file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    auto len = static_cast<std::size_t>(text + sizeof(text) - p);
    int err = ::write(fd, p, len) == static_cast<ssize_t>(len) ? 0 : errno;
    ::close(fd);
    return err;
}

// A process just killed by `dump` may hold its pid a moment longer, until
// its parent reaps it.
void wait_until_free(pid_t pid)
{
    constexpr int attempts = 20;
    constexpr timespec pause{0, 50'000'000};
    for (int i = 0; i < attempts && (::kill(pid, 0) == 0 || errno == EPERM); ++i) {
        ::nanosleep(&pause, nullptr);
    }
}

}  // namespace

void NextPid::set(pid_t pid)
{
    int err = 0;
    if (!init_.valid()) {
        wait_until_free(pid);
        err = write_last_pid(pid);
    } else if (::send(init_.get(), &pid, sizeof(pid), MSG_NOSIGNAL) != sizeof(pid) ||
               ::recv(init_.get(), &err, sizeof(err), 0) != sizeof(err)) {
        throw sys_error("cannot ask the restore namespace's init for pid " + std::to_string(pid));
    }
    if (err != 0) {
        throw sys_error("cannot set the next pid to " + std::to_string(pid) + " (" + last_pid_file + ")", err);
    }
}

bool can_set_next_pid()
{
    return ::access(last_pid_file, W_OK) == 0;
}

void serve_next_pid_requests(int fd) noexcept
{
    pid_t pid = 0;
    while (::recv(fd, &pid, sizeof(pid), 0) == sizeof(pid)) {
        int err = write_last_pid(pid);
        if (::send(fd, &err, sizeof(err), MSG_NOSIGNAL) != sizeof(err)) {
            return;
        }
    }
}

}  // namespace stasis
