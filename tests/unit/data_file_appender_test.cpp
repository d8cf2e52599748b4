#include "image/data_file_appender.hpp"

#include "core/error.hpp"
#include "test_support.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace stasis::image {
namespace {

std::vector<std::byte> pattern(std::size_t size, unsigned seed)
{
    std::vector<std::byte> bytes(size);
    std::uint32_t x = seed * 2654435761U + 1;
    for (auto& b : bytes) {
        x = x * 1103515245U + 12345U;
        b = static_cast<std::byte>(x >> 24);
    }
    return bytes;
}

std::vector<std::byte> read_all(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::string s{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

// Pages of the file in the page cache, of its first `bytes`.
std::size_t cached_pages(const std::filesystem::path& file, std::size_t bytes)
{
    const UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd.valid());
    void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd.get(), 0);
    REQUIRE(map != MAP_FAILED);
    std::vector<unsigned char> resident((bytes + 4095) / 4096);
    REQUIRE(::mincore(map, bytes, resident.data()) == 0);
    ::munmap(map, bytes);
    std::size_t n = 0;
    for (unsigned char r : resident) {
        n += r & 1;
    }
    return n;
}

bool on_tmpfs(const std::filesystem::path& file)
{
    struct statfs fs {};
    REQUIRE(::statfs(file.c_str(), &fs) == 0);
    return fs.f_type == TMPFS_MAGIC;
}

}  // namespace

TEST_CASE("DataFileAppender writes exactly the bytes appended and committed, in order")
{
    // One block at a time, as a writer of many workers, and 4 MiB.
    for (const std::size_t gather : {std::size_t{4096}, std::size_t{4} << 20}) {
        CAPTURE(gather);
        test::TempDir dir;
        const auto path = dir.path() / "pages-1-0.bin";
        std::vector<std::byte> expected;
        DataFileAppender file(path, gather);
        // Sizes across the 4 KiB blocks and the 4 MiB gathering, with
        // reservations only partly used (a compressed chunk).
        const std::size_t sizes[] = {1, 4095, 4097, 1 << 20, 3 << 20, 17, (1 << 20) + 5, 2 << 20, 1 << 20, 12345};
        unsigned seed = 0;
        for (std::size_t size : sizes) {
            const auto bytes = pattern(size, ++seed);
            if (seed % 3 == 0 && size <= DataFileAppender::max_reserve) {
                auto room = file.reserve(DataFileAppender::max_reserve);
                std::memcpy(room.data(), bytes.data(), size);
                file.commit(size);
            } else {
                file.append(bytes);
            }
            expected.insert(expected.end(), bytes.begin(), bytes.end());
            CHECK(file.size() == expected.size());
        }
        const bool direct = file.direct();
        file.finish();
        if (direct && !on_tmpfs(path)) {
            // Past the page cache: only the tail, less than a block, went
            // through it. (tmpfs keeps its files in the page cache anyway.)
            CHECK(cached_pages(path, expected.size()) <= 1);
        }
        CHECK(read_all(path) == expected);
    }
}

TEST_CASE("DataFileAppender refuses a file that exists, naming it")
{
    test::TempDir dir;
    const auto path = dir.write("pages-1-0.bin", "old");
    CHECK_THROWS_WITH_AS(DataFileAppender(path, 4096), doctest::Contains(path.c_str()), Error);
}

TEST_CASE("DataFileAppender names its file when a write fails")
{
    test::TempDir dir;
    const auto path = dir.path() / "pages-1-0.bin";
    // A file size limit stands in for a full disk: the direct write of the
    // first 4 MiB fails, and so would the same write through the page cache.
    const int status = test::in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{1 << 20, 1 << 20};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
            return 2;
        }
        DataFileAppender file(path, std::size_t{4} << 20);
        try {
            file.append(pattern(5 << 20, 1));
            file.finish();
        } catch (const Error& e) {
            const std::string what = e.what();
            return what.find("cannot write " + path.string()) != std::string::npos ? 0 : 3;
        }
        return 4;
    });
    CHECK(status == 0);
}

}  // namespace stasis::image
