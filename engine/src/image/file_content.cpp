#include "image/file_content.hpp"

#include "core/error.hpp"
#include "core/io.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace stasis::image {

namespace {

// The next [start, end) of data at or after from, or start == size when
// only holes are left. A file system without SEEK_DATA is all data.
std::pair<std::uint64_t, std::uint64_t> next_data(int in, std::uint64_t from, std::uint64_t size)
{
    off_t data = ::lseek(in, static_cast<off_t>(from), SEEK_DATA);
    if (data < 0) {
        return errno == ENXIO ? std::pair{size, size} : std::pair{from, size};
    }
    off_t hole = ::lseek(in, data, SEEK_HOLE);
    auto end = hole < 0 ? size : std::min<std::uint64_t>(static_cast<std::uint64_t>(hole), size);
    return {std::min<std::uint64_t>(static_cast<std::uint64_t>(data), size), end};
}

}  // namespace

std::vector<Chunk> save_file_content(int in, std::uint64_t size, ChunkWriter& writer, const std::string& what)
{
    for (auto [start, end] = next_data(in, 0, size); start < end; std::tie(start, end) = next_data(in, end, size)) {
        for (std::uint64_t at = start, next = 0; at < end; at = next) {
            next = chunk_end(at, end);
            writer.add_read(at, next - at, [in, at, what](std::span<std::byte> out) {
                if (pread_full(in, out, at, what) < out.size()) {
                    throw Error(what + " was cut short while it was being saved");
                }
            });
        }
    }
    return writer.finish();
}

void put_back_file_content(int out, std::uint64_t size, const std::vector<Chunk>& chunks, const ChunkReader& reader,
                           const std::string& what)
{
    std::vector<std::byte> data;
    for (const auto& chunk : chunks) {
        if (chunk.size > max_chunk_size || chunk.vaddr > size || chunk.size > size - chunk.vaddr) {
            throw ImageError(what + ": a chunk at offset " + std::to_string(chunk.vaddr) + " lies outside its " +
                             std::to_string(size) + " bytes or exceeds the 1 MiB limit");
        }
        data.resize(chunk.size);
        reader.read(chunk, data);
        pwrite_all(out, data, chunk.vaddr, what);
    }
}

}  // namespace stasis::image
