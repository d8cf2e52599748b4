#include "image/read_ahead.hpp"

#include <chrono>
#include <exception>
#include <map>
#include <string>

namespace stasis::image {

std::vector<Chunk> read_ahead_ranges(const std::vector<const Chunk*>& chunks)
{
    std::vector<Chunk> ranges;
    std::map<std::string, std::size_t> open_range;  // by file: the range a contiguous chunk extends
    for (const Chunk* c : chunks) {
        auto it = open_range.find(c->file);
        if (it != open_range.end()) {
            Chunk& range = ranges[it->second];
            const bool contiguous = range.offset + range.stored_size == c->offset;
            if (contiguous && range.stored_size + c->stored_size <= ReadAhead::range_size) {
                range.stored_size += c->stored_size;
                continue;
            }
        }
        open_range[c->file] = ranges.size();
        ranges.push_back(Chunk{.file = c->file, .offset = c->offset, .stored_size = c->stored_size});
    }
    return ranges;
}

ReadAhead::ReadAhead(const ChunkReader& reader, const std::vector<const Chunk*>& chunks, std::uint64_t window)
    : reader_(reader),
      thread_([this, ranges = read_ahead_ranges(chunks), window](const std::stop_token& stop) {
          run(stop, ranges, window);
      })
{
}

void ReadAhead::run(const std::stop_token& stop, const std::vector<Chunk>& ranges, std::uint64_t window) const
{
    std::uint64_t issued = 0;
    try {
        for (const Chunk& range : ranges) {
            while (issued > reader_.stored_bytes_read() + window) {
                if (stop.stop_requested()) {
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
            if (stop.stop_requested()) {
                return;
            }
            reader_.read_ahead(range);
            issued += range.stored_size;
        }
    } catch (const std::exception&) {
        // The restore reads the same files and names what is wrong with them.
    }
}

}  // namespace stasis::image
