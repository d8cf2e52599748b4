#include "store/sparse_file.hpp"

#include "core/error.hpp"
#include "test_support.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>

namespace stasis {
namespace {

constexpr std::uint64_t block = 4096;

std::string pattern(std::size_t size)
{
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<char>('a' + i % 23);
    }
    return bytes;
}

std::string read_all(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t allocated(const std::filesystem::path& file)
{
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

}  // namespace

TEST_CASE("keep_only_ranges gives back the space outside the ranges and keeps their bytes")
{
    test::TempDir dir;
    const auto original = pattern(64 * block);
    const auto file = dir.write("precopy1-7-0.bin", original);
    REQUIRE(allocated(file) >= 64 * block);

    // Two chunks, out of order, neither on a block boundary.
    const ByteRanges kept{{40 * block + 100, 3 * block}, {5 * block + 7, 2 * block}};
    keep_only_ranges(file, kept);

    const auto now = read_all(file);
    REQUIRE(now.size() == original.size());  // the size stays: offsets stay valid
    for (const auto& [offset, length] : kept) {
        CHECK(now.compare(offset, length, original, offset, length) == 0);
    }
    CHECK(now.compare(0, 5 * block, std::string(5 * block, '\0')) == 0);
    CHECK(now.compare(44 * block, 20 * block, std::string(20 * block, '\0')) == 0);
    // What stays allocated: the blocks the two ranges touch, 3 and 4.
    if (allocated(file) < 64 * block) {
        CHECK(allocated(file) <= 7 * block);
    } else {
        MESSAGE("the file system of " << dir.path() << " cannot punch holes");
    }
}

TEST_CASE("keep_only_ranges with no range empties the file's space, and names a missing file")
{
    test::TempDir dir;
    const auto file = dir.write("precopy2-7-0.bin", pattern(8 * block));
    keep_only_ranges(file, {});
    CHECK(read_all(file) == std::string(8 * block, '\0'));
    CHECK_THROWS_WITH_AS(keep_only_ranges(dir.path() / "gone.bin", {}),
                         doctest::Contains("gone.bin to give back its unused space"), Error);
}

}  // namespace stasis
