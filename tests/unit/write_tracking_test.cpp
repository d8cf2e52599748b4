// Write tracking's bookkeeping: the merged page ranges, and which chunks of
// the last committed generation count as unchanged.
#include "memory/page_ranges.hpp"
#include "memory/write_tracking.hpp"

#include <doctest/doctest.h>

using namespace stasis;

TEST_CASE("page ranges merge what touches and answer overlap and cover")
{
    PageRanges r;
    CHECK(r.empty());
    r.add(0x1000, 0x3000);
    r.add(0x5000, 0x6000);
    r.add(0x3000, 0x4000);  // adjacent: merged with the first
    r.add(0x7000, 0x7000);  // empty: nothing
    CHECK(r.bytes() == 0x4000);
    CHECK(r.covers(0x1000, 0x4000));
    CHECK_FALSE(r.covers(0x1000, 0x5000));  // the gap at 0x4000
    CHECK(r.overlaps(0x3fff, 0x5000));
    CHECK_FALSE(r.overlaps(0x4000, 0x5000));
    CHECK_FALSE(r.overlaps(0x6000, 0x9000));
    CHECK_FALSE(r.overlaps(0, 0x1000));
    r.add(0x2000, 0x5800);  // bridges both
    CHECK(r.covers(0x1000, 0x6000));
    CHECK(r.bytes() == 0x5000);

    PageRanges other;
    other.add(0x10000, 0x11000);
    r.add(other);
    CHECK(r.covers(0x10000, 0x11000));
    CHECK_FALSE(r.covers(0x5000, 0x11000));
}

TEST_CASE("a chunk is unchanged only when tracked whole and no page of it written")
{
    ChunksByPlace base;
    auto chunk = [](std::uint64_t vaddr, std::uint64_t size) {
        return image::Chunk{.vaddr = vaddr, .size = size, .file = "../gen-000001/pages-1-0.bin"};
    };
    base.emplace(std::pair{0x100000ULL, 0x100000ULL}, chunk(0x100000, 0x100000));
    base.emplace(std::pair{0x200000ULL, 0x100000ULL}, chunk(0x200000, 0x100000));
    base.emplace(std::pair{0x300000ULL, 0x80000ULL}, chunk(0x300000, 0x80000));
    PageRanges tracked;
    tracked.add(0x100000, 0x340000);  // the third chunk sticks out of it
    PageRanges written;
    written.add(0x2ff000, 0x300000);  // the last page of the second

    ChunksByPlace pre_copied;
    UnchangedChunks unchanged(base, pre_copied, tracked, written);
    REQUIRE(unchanged.find(0x100000, 0x100000) != nullptr);
    CHECK(unchanged.find(0x100000, 0x100000)->file == "../gen-000001/pages-1-0.bin");
    CHECK(unchanged.find(0x200000, 0x100000) == nullptr);  // written
    CHECK(unchanged.find(0x300000, 0x80000) == nullptr);   // not tracked whole
    CHECK(unchanged.find(0x100000, 0x80000) == nullptr);   // another size: another run
    CHECK(unchanged.find(0x400000, 0x100000) == nullptr);  // not in the base

    // Read ahead by a pre-copy since (and not written after it, or the
    // tracking would have dropped it): the copy of this generation's own.
    pre_copied.emplace(std::pair{0x200000ULL, 0x100000ULL},
                       image::Chunk{.vaddr = 0x200000, .size = 0x100000, .file = "precopy1-1-0.bin"});
    pre_copied.emplace(std::pair{0x300000ULL, 0x80000ULL},
                       image::Chunk{.vaddr = 0x300000, .size = 0x80000, .file = "precopy1-1-0.bin"});
    REQUIRE(unchanged.find(0x200000, 0x100000) != nullptr);
    CHECK(unchanged.find(0x200000, 0x100000)->file == "precopy1-1-0.bin");
    CHECK(unchanged.find(0x300000, 0x80000) == nullptr);  // still not tracked whole
}

TEST_CASE("a process is not tracked before it is adopted, nor after it is forgotten")
{
    WriteTracking tracking;
    tracking.begin("gen-000001");
    CHECK_FALSE(tracking.capture(42, {}).has_value());
    tracking.committed("gen-000002");
    tracking.forget(42);
    tracking.begin("gen-000002");
    CHECK_FALSE(tracking.capture(42, {}).has_value());
}
