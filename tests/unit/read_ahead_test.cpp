#include "image/chunk_reader.hpp"
#include "image/read_ahead.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

using namespace stasis::image;

namespace {

constexpr std::uint64_t mib = std::uint64_t{1} << 20;

Chunk stored(const std::string& file, std::uint64_t offset, std::uint64_t size)
{
    return Chunk{.size = size, .file = file, .offset = offset, .stored_size = size};
}

std::vector<const Chunk*> pointers(const std::vector<Chunk>& chunks)
{
    std::vector<const Chunk*> p;
    for (const Chunk& c : chunks) {
        p.push_back(&c);
    }
    return p;
}

}  // namespace

TEST_CASE("read-ahead ranges merge each file's contiguous chunks, in the order the restore reads them")
{
    // Two writers' files, their chunks alternating as a process's regions hold them.
    std::vector<Chunk> chunks;
    for (std::uint64_t i = 0; i < 10; ++i) {
        chunks.push_back(stored("pages-1-0.bin", i * mib, mib));
        chunks.push_back(stored("pages-1-1.bin", i * mib / 2, mib / 2));
    }
    chunks.push_back(stored("pages-1-0.bin", 20 * mib, mib));  // after a gap
    const auto ranges = read_ahead_ranges(pointers(chunks));
    REQUIRE(ranges.size() == 4);
    CHECK(ranges[0].file == "pages-1-0.bin");
    CHECK(ranges[0].offset == 0);
    CHECK(ranges[0].stored_size == ReadAhead::range_size);
    CHECK(ranges[1].file == "pages-1-1.bin");
    CHECK(ranges[1].offset == 0);
    CHECK(ranges[1].stored_size == 5 * mib);
    CHECK(ranges[2].file == "pages-1-0.bin");
    CHECK(ranges[2].offset == 8 * mib);
    CHECK(ranges[2].stored_size == 2 * mib);
    CHECK(ranges[3].offset == 20 * mib);
    CHECK(ranges[3].stored_size == mib);
}

TEST_CASE("a read-ahead waiting for the restore to catch up, or stopped by a bad file, ends with it")
{
    stasis::test::TempDir tmp;
    {
        std::ofstream out(tmp.path() / "pages-1-0.bin", std::ios::binary);
        out << std::string(3 * ReadAhead::range_size, 'x');
    }
    const ChunkReader reader(tmp.path());
    const std::vector<Chunk> chunks{stored("pages-1-0.bin", 0, ReadAhead::range_size),
                                    stored("pages-1-0.bin", 2 * ReadAhead::range_size, ReadAhead::range_size),
                                    stored("missing.bin", 0, mib)};
    const auto start = std::chrono::steady_clock::now();
    {
        // Nothing is ever read: it reads the first range and waits.
        const ReadAhead waiting(reader, pointers(chunks), 0);
    }
    {
        const ReadAhead past_the_end(reader, pointers(chunks), 1ULL << 40);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
