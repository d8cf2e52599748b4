#include "core/atomic_file.hpp"

#include "core/error.hpp"
#include "core/host_name.hpp"

#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace stasis {

void fsync_path(const std::filesystem::path& path, int flags)
{
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) < 0) {
        throw sys_error("cannot sync " + path.string());
    }
}

void write_file_atomically(const std::filesystem::path& target, const std::string& text)
{
    auto dir = target.parent_path();
    auto tmp = dir / ("." + target.filename().string() + "." + host_name() + "." + std::to_string(::getpid()) + ".tmp");
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd.valid() || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
            ::fsync(fd.get()) < 0) {
            int err = errno;
            ::unlink(tmp.c_str());
            throw sys_error("cannot write " + tmp.string(), err);
        }
    }
    if (::rename(tmp.c_str(), target.c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw sys_error("cannot replace " + target.string(), err);
    }
    fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace stasis
