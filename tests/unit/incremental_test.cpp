// Incremental generations: chunks borrowed from a parent, their names, how
// damage in a lender shows, and how prune retires a lender without breaking
// a borrower.
#include "core/error.hpp"
#include "image/chunk.hpp"
#include "image/chunk_reader.hpp"
#include "image/chunk_writer.hpp"
#include "image/generation.hpp"
#include "image/manifest.hpp"
#include "image/parent_chunks.hpp"
#include "store/generation_listing.hpp"
#include "test_support.hpp"
#include <stasis/generation_store.hpp>
#include <stasis/image.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;
using namespace stasis;
using namespace stasis::image;
using test::TempDir;

namespace {

constexpr std::uint64_t base = 0x7f0000000000;
constexpr std::size_t mib = max_chunk_size;

// Chunk i of a generation's one region holds the byte fill[i] throughout.
using Fill = std::vector<std::uint8_t>;

// Commits dir as an image of one process whose one region holds fill, its
// chunks borrowed from parent where they are unchanged.
Checkpoint commit_generation(const fs::path& dir, const Fill& fill, const std::optional<fs::path>& parent = {})
{
    std::optional<ParentChunks> lender;
    if (parent) {
        lender.emplace(read_checkpoint(*parent), parent->filename().string());
    }
    GenerationWriter generation(dir);
    // Raw chunks: what a retired generation gives back is then whole blocks.
    WriterSettings settings{
        .compression = Compression::none, .level = 1, .workers = 2, .parent = lender ? &*lender : nullptr};
    ChunkWriter writer(generation.staging_dir(), settings, "pages-1");
    for (std::size_t i = 0; i < fill.size(); ++i) {
        writer.add(base + i * mib, std::vector<std::byte>(mib, static_cast<std::byte>(fill[i])));
    }
    Checkpoint checkpoint;
    checkpoint.host = checkpoint.kernel = "test";
    checkpoint.time = "2026-11-30T00:00:00Z";
    checkpoint.root_pid = 1;
    Region region;
    region.start = base;
    region.end = base + fill.size() * mib;
    region.prot = "rw-p";
    region.chunks = writer.finish();
    checkpoint.data_files = writer.files();
    ProcessState process;
    process.pid = 1;
    process.regions.push_back(region);
    checkpoint.processes.push_back(process);
    commit_checkpoint(generation, checkpoint);
    return checkpoint;
}

// The byte each chunk of dir's image holds, read back through ChunkReader.
Fill read_fill(const fs::path& dir)
{
    const Checkpoint checkpoint = read_checkpoint(dir);
    const ChunkReader reader(dir);
    Fill fill;
    std::vector<std::byte> data(mib);
    for (const Chunk& chunk : checkpoint.processes.front().regions.front().chunks) {
        reader.read(chunk, data);
        fill.push_back(static_cast<std::uint8_t>(data[mib / 2]));
    }
    return fill;
}

std::vector<std::string> files_of(const Checkpoint& checkpoint)
{
    std::vector<std::string> files;
    for (const Chunk& chunk : checkpoint.processes.front().regions.front().chunks) {
        files.push_back(chunk.file.substr(0, chunk.file.rfind('/') + 1));
    }
    return files;
}

std::uint64_t allocated_in(const fs::path& dir)
{
    std::uint64_t allocated = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        struct stat st {};
        REQUIRE(::stat(e.path().c_str(), &st) == 0);
        allocated += static_cast<std::uint64_t>(st.st_blocks) * 512;
    }
    return allocated;
}

void flip_byte(const fs::path& file, std::uint64_t offset)
{
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5a));
}

std::string verify_error(const fs::path& dir)
{
    std::ostringstream out;
    try {
        verify_image(dir, out);
    } catch (const ImageError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("chunks are cut at 1 MiB boundaries of their place")
{
    CHECK(chunk_end(0, 5 * mib) == mib);
    CHECK(chunk_end(mib - 4096, 5 * mib) == mib);
    CHECK(chunk_end(mib, 5 * mib) == 2 * mib);
    CHECK(chunk_end(3 * mib + 4096, 3 * mib + 8192) == 3 * mib + 8192);
}

TEST_CASE("a chunk's data file is in its generation or a sibling one, nowhere else")
{
    for (const char* good : {"pages-1-0.bin", "../gen-000001/pages-1-0.bin", "../gen-123456789/output-1-0.bin"}) {
        CAPTURE(good);
        CHECK_NOTHROW(check_data_file_name(good));
    }
    for (const char* bad : {"", "..", "/etc/passwd", "a/b", "../../etc/passwd", "../gen-1/pages.bin",
                            "../gen-000001/../x", "../.gen-000001.partial/x", "../gen-000001/", "../gen-000001"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(check_data_file_name(bad), ImageError);
    }
    Chunk borrowed{.file = "../gen-000007/pages-1-0.bin"};
    CHECK(is_borrowed(borrowed));
    CHECK(lender_of(borrowed) == "gen-000007");
    CHECK(lender_of(Chunk{.file = "pages-1-0.bin"}).empty());
}

TEST_CASE("a generation borrows the chunks its parent holds unchanged, never through a chain")
{
    TempDir t;
    const auto g1 = t.path() / "gen-000001";
    const auto g2 = t.path() / "gen-000002";
    const auto g3 = t.path() / "gen-000003";
    commit_generation(g1, {1, 2, 3, 4});
    auto second = commit_generation(g2, {1, 9, 3, 4}, g1);
    CHECK(files_of(second) == std::vector<std::string>{"../gen-000001/", "", "../gen-000001/", "../gen-000001/"});
    auto third = commit_generation(g3, {1, 9, 7, 4}, g2);
    CHECK(files_of(third) == std::vector<std::string>{"../gen-000001/", "../gen-000002/", "", "../gen-000001/"});

    CHECK(read_fill(g1) == Fill{1, 2, 3, 4});
    CHECK(read_fill(g2) == Fill{1, 9, 3, 4});
    CHECK(read_fill(g3) == Fill{1, 9, 7, 4});
    CHECK(verify_error(g3).empty());

    // Only the changed chunk was written.
    std::uint64_t own = 0;
    for (const auto& name : third.data_files) {
        own += fs::file_size(g3 / name);
    }
    CHECK(own == mib);

    SUBCASE("a damaged lent chunk fails every generation that uses it, and only those")
    {
        const Chunk lent = second.processes.front().regions.front().chunks[0];
        flip_byte(g1 / lent.file.substr(lent.file.rfind('/') + 1), lent.offset + lent.stored_size / 2);
        CHECK(verify_error(g1).find("checksum mismatch") != std::string::npos);
        CHECK(verify_error(g2).find(g2.string() + ": chunk at ") == 0);
        CHECK(verify_error(g3).find("../gen-000001/") != std::string::npos);
    }
}

TEST_CASE("prune retires a generation that kept ones borrow from, and removes it once none does")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    const auto g1 = t.path() / "gen-000001";
    const auto g2 = t.path() / "gen-000002";
    const auto g3 = t.path() / "gen-000003";
    const auto g4 = t.path() / "gen-000004";
    commit_generation(g1, {1, 2, 3, 4});
    commit_generation(g2, {1, 9, 3, 4}, g1);
    commit_generation(g3, {1, 9, 7, 4}, g2);
    const auto before = allocated_in(g1);

    store.prune(1);
    auto entries = store.scan();
    REQUIRE(entries.size() == 3);
    CHECK((entries[0].retired && entries[1].retired && entries[2].committed()));
    CHECK_FALSE(fs::exists(g1 / "manifest.json"));
    CHECK(read_fill(g3) == Fill{1, 9, 7, 4});
    CHECK(verify_error(g3).empty());

    // What no one borrows is given back: gen-000001's second and third
    // chunks (gen-000002 owns only its second chunk, which gen-000003 borrows).
    CHECK(allocated_in(g1) <= before - 2 * mib);

    auto listing = list_generations(store);
    REQUIRE(listing.size() == 3);
    CHECK(status_name(listing[0].status) == "retired");
    CHECK(status_name(listing[2].status) == "committed");
    CHECK(listing[2].borrows_from == std::vector<std::string>{"gen-000001", "gen-000002"});

    SUBCASE("retiring again changes nothing a borrower needs")
    {
        store.prune(1);
        CHECK(verify_error(g3).empty());
    }
    SUBCASE("once nothing borrows from them, retired generations go")
    {
        commit_generation(g4, {5, 6, 7, 8}, g3);
        store.prune(1);
        entries = store.scan();
        REQUIRE(entries.size() == 2);  // gen-000003 lends its third chunk
        CHECK(entries[0].name == "gen-000003");
        CHECK(entries[0].retired);
        CHECK(read_fill(g4) == Fill{5, 6, 7, 8});
        commit_generation(t.path() / "gen-000005", {9, 9, 9, 9}, g4);
        store.prune(1);
        CHECK(store.scan().size() == 1);
    }
}
