#include "image/chunk_reader.hpp"

#include "core/error.hpp"
#include "core/io.hpp"
#include "image/chunk_checksum.hpp"
#include "image/chunk_codec.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace stasis::image {

namespace {

ImageError chunk_error(const Chunk& c, const std::string& what)
{
    char addr[32];
    std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(c.vaddr));
    return ImageError("chunk at " + std::string(addr) + " (" + c.file + " offset " +
                      std::to_string(c.offset) + "): " + what);
}

void pread_all(int fd, std::byte* p, std::size_t n, std::uint64_t off, const Chunk& c)
{
    std::size_t got = 0;
    try {
        got = pread_full(fd, std::span(p, n), off, "the data file");
    } catch (const Error& e) {
        throw chunk_error(c, e.what());
    }
    if (got < n) {
        throw chunk_error(c, "truncated");
    }
}

}  // namespace

const ChunkReader::DataFile& ChunkReader::data_file(const Chunk& c) const
{
    const std::lock_guard lock(mu_);
    auto it = files_.find(c.file);
    if (it == files_.end()) {
        try {
            check_data_file_name(c.file);
        } catch (const ImageError& e) {
            throw chunk_error(c, e.what());
        }
        UniqueFd fd(::open((dir_ / c.file).c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd.valid()) {
            const int err = errno;
            throw chunk_error(c, "cannot open " + (dir_ / c.file).string() + ": " + std::strerror(err));
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) {
            const int err = errno;
            throw chunk_error(c, std::string("cannot stat data file: ") + std::strerror(err));
        }
        it = files_.emplace(c.file, DataFile{std::move(fd), static_cast<std::uint64_t>(st.st_size)}).first;
    }
    // Checked before allocating, so a corrupt stored_size cannot exhaust memory.
    if (c.offset > it->second.size || c.stored_size > it->second.size - c.offset) {
        throw chunk_error(c, "truncated");
    }
    return it->second;
}

ChunkReader::ChunkReader(std::filesystem::path dir) : dir_(std::move(dir)) {}

void ChunkReader::read(const Chunk& chunk, std::span<std::byte> out) const
{
    if (out.size() != chunk.size) {
        throw Error("ChunkReader::read: buffer of " + std::to_string(out.size()) +
                    " bytes for a chunk of " + std::to_string(chunk.size));
    }
    if (chunk.codec == Codec::none && chunk.stored_size != chunk.size) {
        throw chunk_error(chunk, "stored size " + std::to_string(chunk.stored_size) +
                                     " does not match size " + std::to_string(chunk.size));
    }
    const int fd = data_file(chunk).fd.get();
    if (chunk.codec == Codec::none) {
        pread_all(fd, out.data(), out.size(), chunk.offset, chunk);
    } else {
        std::vector<std::byte> src(chunk.stored_size);
        pread_all(fd, src.data(), src.size(), chunk.offset, chunk);
        try {
            decode_chunk(chunk.codec, src, out);
        } catch (const ImageError& e) {
            throw chunk_error(chunk, e.what());
        }
    }
    stored_bytes_read_ += chunk.stored_size;
    if (chunk_checksum(out) != chunk.xxh3) {
        throw chunk_error(chunk, "checksum mismatch");
    }
}

void ChunkReader::read_ahead(const Chunk& range) const
{
    // Only a hint: a failure shows in the read that follows.
    ::posix_fadvise(data_file(range).fd.get(), static_cast<off_t>(range.offset),
                    static_cast<off_t>(range.stored_size), POSIX_FADV_WILLNEED);
}

}  // namespace stasis::image
