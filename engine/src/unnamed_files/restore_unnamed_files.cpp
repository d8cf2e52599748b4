#include "unnamed_files/restore_unnamed_files.hpp"

#include "core/error.hpp"
#include "files/file_kinds.hpp"
#include "image/file_content.hpp"
#include "unnamed_files/unnamed_file_link.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace stasis {

namespace {

bool is_tmpfile_name(const std::string& name)
{
    return name.size() > 1 && name[0] == '#' && name.find_first_not_of("0123456789", 1) == std::string::npos;
}

UniqueFd tmpfile_in(const std::filesystem::path& dir)
{
    return UniqueFd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
}

UniqueFd created_and_unlinked(const std::filesystem::path& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.valid() && ::unlink(path.c_str()) < 0) {
        fd.reset();
    }
    return fd;
}

// A file without a name in dir; the other way where the first fails (a file
// system without O_TMPFILE, a name taken since).
UniqueFd unnamed_in(const std::filesystem::path& dir, const std::string& name)
{
    bool tmpfile = is_tmpfile_name(name);
    UniqueFd fd = tmpfile ? tmpfile_in(dir) : created_and_unlinked(dir / name);
    return fd.valid() ? std::move(fd) : tmpfile ? created_and_unlinked(dir / name) : tmpfile_in(dir);
}

UniqueFd recreate_deleted(const UnnamedFile& saved)
{
    std::filesystem::path original(saved.path);
    auto name = original.filename().string();
    auto fd = unnamed_in(original.parent_path(), name);
    if (!fd.valid()) {
        std::string why = std::strerror(errno);
        const char* tmpdir = std::getenv("TMPDIR");
        std::filesystem::path elsewhere = tmpdir != nullptr && tmpdir[0] == '/' ? tmpdir : "/tmp";
        fd = unnamed_in(elsewhere, name);
        if (fd.valid()) {
            spdlog::warn("the deleted file {} is made again in {}: its directory takes no new file ({})", saved.path,
                         elsewhere.string(), why);
        }
    }
    return fd;
}

UniqueFd recreate(const UnnamedFile& saved, const image::ChunkReader& reader)
{
    UniqueFd fd = saved.memfd ? UniqueFd(::memfd_create(memfd_name(saved.path).c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING))
                              : recreate_deleted(saved);
    if (!fd.valid() || ::ftruncate(fd.get(), static_cast<off_t>(saved.size)) < 0) {
        throw sys_error("cannot make the " + std::string(saved.memfd ? "memfd " : "deleted file ") + saved.path +
                        " again");
    }
    image::put_back_file_content(fd.get(), saved.size, saved.chunks, reader, saved.path);
    return fd;
}

}  // namespace

RecreatedUnnamedFiles::RecreatedUnnamedFiles(const Checkpoint& checkpoint, const image::ChunkReader& reader)
{
    for (const auto& saved : checkpoint.unnamed_files) {
        files_.emplace(saved.object(), Recreated{&saved, recreate(saved, reader)});
    }
}

UniqueFd RecreatedUnnamedFiles::reopen(const FdState& saved) const
{
    const auto& ref = saved.detail_as<UnnamedFileRef>();
    auto it = files_.find({ref.dev, ref.inode});
    if (it == files_.end() || !it->second.fd.valid()) {
        throw ImageError("the image lacks the file of fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    // O_NOFOLLOW was about the name the file had (Open MPI opens its
    // /dev/shm segments so); /proc/self/fd/N is a link by nature.
    FdState through_fd = saved;
    through_fd.flags &= ~O_NOFOLLOW;
    return reopen_file("/proc/self/fd/" + std::to_string(it->second.fd.get()), through_fd);
}

void RecreatedUnnamedFiles::hand_over(SharedMemory& shared)
{
    for (auto& [object, file] : files_) {
        const auto& saved = *file.saved;
        if (::fchmod(file.fd.get(), saved.mode) < 0 ||
            (saved.seals != 0 && ::fcntl(file.fd.get(), F_ADD_SEALS, saved.seals) < 0)) {
            throw sys_error("cannot give " + saved.path + " its mode and seals again");
        }
        shared.emplace(object, std::move(file.fd));
    }
}

}  // namespace stasis
