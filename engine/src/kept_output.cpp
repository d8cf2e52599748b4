#include "kept_output.hpp"

#include "dump.hpp"
#include "error.hpp"
#include "image/chunk_writer.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace stasis {

namespace {

constexpr char member[] = "kept_output";

struct KeptFile {
    std::string path;
    std::uint64_t size = 0;
    std::vector<image::Chunk> chunks;  // vaddr: where the bytes go in the file
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KeptFile, path, size, chunks)

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

void pread_all(int fd, std::span<std::byte> out, std::uint64_t at, const std::string& what)
{
    while (!out.empty()) {
        ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(at));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw sys_error("cannot read " + what);
        }
        if (n == 0) {
            throw Error(what + " was cut short while it was being saved");
        }
        out = out.subspan(static_cast<std::size_t>(n));
        at += static_cast<std::uint64_t>(n);
    }
}

std::vector<image::Chunk> save_content(int in, std::uint64_t size, image::ChunkWriter& writer,
                                       const std::string& what)
{
    for (std::uint64_t at = 0; at < size; at += image::max_chunk_size) {
        std::vector<std::byte> data(std::min<std::uint64_t>(image::max_chunk_size, size - at));
        pread_all(in, data, at, what);
        writer.add(at, std::move(data));
    }
    return writer.finish();
}

void pwrite_all(int fd, std::span<const std::byte> data, std::uint64_t at, const std::string& path)
{
    while (!data.empty()) {
        ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(at));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw sys_error("cannot put back the job's output file " + path);
        }
        data = data.subspan(static_cast<std::size_t>(n));
        at += static_cast<std::uint64_t>(n);
    }
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
    std::vector<std::byte> data;
    for (const auto& chunk : file.chunks) {
        if (chunk.size > image::max_chunk_size) {
            throw ImageError("kept output of " + file.path + ": a chunk exceeds the 1 MiB limit");
        }
        data.resize(chunk.size);
        reader.read(chunk, data);
        pwrite_all(out.get(), data, chunk.vaddr, file.path);
    }
    if (::ftruncate(out.get(), static_cast<off_t>(file.size)) < 0) {
        throw sys_error("cannot cut the job's output file " + file.path + " to " + std::to_string(file.size) +
                        " bytes");
    }
}

}  // namespace

void keep_output(const ProcessState& root, const std::filesystem::path& staging, const DumpOptions& options,
                 nlohmann::json& manifest)
{
    std::vector<KeptFile> kept;
    std::vector<std::pair<dev_t, ino_t>> seen;
    for (const auto& fd : root.fds) {
        if (!is_output_fd(fd)) {
            continue;
        }
        auto in = open_written_file(options.pid, fd);
        struct stat st {};
        if (::fstat(in.get(), &st) < 0) {
            throw sys_error("cannot stat " + describe(fd));
        }
        std::pair identity{st.st_dev, st.st_ino};
        if (!S_ISREG(st.st_mode) || std::find(seen.begin(), seen.end(), identity) != seen.end()) {
            continue;
        }
        seen.push_back(identity);
        image::ChunkWriter writer(staging, options.codec, options.level, options.workers,
                                  "output-" + std::to_string(fd.fd));
        auto size = static_cast<std::uint64_t>(st.st_size);
        kept.push_back({fd.path, size, save_content(in.get(), size, writer, describe(fd))});
        for (const auto& name : writer.files()) {
            manifest.at("data_files").push_back(name);
        }
    }
    if (!kept.empty()) {
        manifest[member] = kept;
    }
}

void put_back_output(const nlohmann::json& manifest, const image::ChunkReader& reader)
{
    auto it = manifest.find(member);
    if (it == manifest.end()) {
        return;
    }
    std::vector<KeptFile> files;
    try {
        files = it->get<std::vector<KeptFile>>();
    } catch (const nlohmann::json::exception& e) {
        throw ImageError(std::string("manifest member kept_output is malformed: ") + e.what());
    }
    for (const auto& file : files) {
        put_back(file, reader);
    }
}

}  // namespace stasis
