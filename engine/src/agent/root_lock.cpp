#include "agent/root_lock.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <string>

namespace stasis::agent {

RootLock::RootLock(const std::filesystem::path& root)
{
    auto path = root / ".lock";
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd_.valid()) {
        throw sys_error("cannot open " + path.string());
    }
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK) {
            throw sys_error("cannot lock " + path.string());
        }
        char holder[32] = {};
        ssize_t n = ::pread(fd_.get(), holder, sizeof holder - 1, 0);
        std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "";
        pid.erase(pid.find_last_not_of(" \n") + 1);
        throw Error(root.string() + " is in use by another stasis run" + (pid.empty() ? "" : " (pid " + pid + ")"));
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_.get(), 0) < 0 || ::pwrite(fd_.get(), pid.data(), pid.size(), 0) < 0) {
        throw sys_error("cannot write " + path.string());
    }
}

bool RootLock::held(const std::filesystem::path& root)
{
    UniqueFd fd(::open((root / ".lock").c_str(), O_RDONLY | O_CLOEXEC));
    return fd.valid() && ::flock(fd.get(), LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

}  // namespace stasis::agent
