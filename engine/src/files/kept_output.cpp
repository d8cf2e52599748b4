#include "files/kept_output.hpp"

#include "core/error.hpp"
#include "image/file_content.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace stasis {

namespace {

bool is_output_fd(const FdState& fd)
{
    int mode = fd.flags & O_ACCMODE;
    return (fd.fd == STDOUT_FILENO || fd.fd == STDERR_FILENO) && fd.kind == FdKind::file &&
           (mode == O_WRONLY || mode == O_RDWR);
}

std::string describe(const FdState& fd)
{
    return "the job's output file " + fd.path + " (fd " + std::to_string(fd.fd) + ")";
}

// Through /proc: the very file the job writes, whatever its path names now.
UniqueFd open_written_file(pid_t pid, const FdState& fd)
{
    auto link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd.fd);
    UniqueFd in(::open(link.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!in.valid()) {
        throw sys_error("cannot read " + describe(fd));
    }
    return in;
}

[[noreturn]] void not_regular(const std::string& path)
{
    throw Error("cannot put back the job's output file " + path + ": it is no longer a regular file");
}

// Opened without blocking: a FIFO now at that path must fail, not hang.
UniqueFd open_for_put_back(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        not_regular(path);
    }
    UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
    if (!out.valid()) {
        throw sys_error("cannot put back the job's output file " + path);
    }
    if (::fstat(out.get(), &st) < 0 || !S_ISREG(st.st_mode)) {
        not_regular(path);
    }
    return out;
}

void put_back(const KeptFile& file, const image::ChunkReader& reader)
{
    auto out = open_for_put_back(file.path);
    image::put_back_file_content(out.get(), file.size, file.chunks, reader,
                                 "the job's output file " + file.path + " to put it back");
    if (::ftruncate(out.get(), static_cast<off_t>(file.size)) < 0) {
        throw sys_error("cannot cut the job's output file " + file.path + " to " + std::to_string(file.size) +
                        " bytes");
    }
}

}  // namespace

void keep_output(pid_t pid, const ProcessState& root, const std::filesystem::path& staging,
                 const image::WriterSettings& settings, Checkpoint& checkpoint)
{
    std::vector<std::pair<dev_t, ino_t>> seen;
    for (const auto& fd : root.fds) {
        if (!is_output_fd(fd)) {
            continue;
        }
        auto in = open_written_file(pid, fd);
        struct stat st {};
        if (::fstat(in.get(), &st) < 0) {
            throw sys_error("cannot stat " + describe(fd));
        }
        std::pair identity{st.st_dev, st.st_ino};
        if (!S_ISREG(st.st_mode) || std::find(seen.begin(), seen.end(), identity) != seen.end()) {
            continue;
        }
        seen.push_back(identity);
        image::ChunkWriter writer(staging, settings, "output-" + std::to_string(fd.fd));
        auto size = static_cast<std::uint64_t>(st.st_size);
        checkpoint.kept_output.push_back(
            {fd.path, size, image::save_file_content(in.get(), size, writer, describe(fd))});
        for (const auto& name : writer.files()) {
            checkpoint.data_files.push_back(name);
        }
    }
}

void put_back_output(const Checkpoint& checkpoint, const image::ChunkReader& reader)
{
    for (const auto& file : checkpoint.kept_output) {
        put_back(file, reader);
    }
}

}  // namespace stasis
