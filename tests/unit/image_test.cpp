// Image store: chunk writer/reader, generation commit protocol, verify/info.
#include "core/error.hpp"
#include "image/chunk.hpp"
#include "image/chunk_reader.hpp"
#include "image/chunk_writer.hpp"
#include "image/generation.hpp"
#include "image/manifest.hpp"
#include "test_support.hpp"
#include <stasis/image.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <span>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace stasis;
using namespace stasis::image;
using nlohmann::json;

namespace {

// Children here exit 0 on success, 77 to skip, anything else on failure.
using test::in_child;
using test::random_bytes;
using test::TempDir;

// The message of the ImageError f throws, or "" when it throws none.
template <class F>
std::string image_error_of(F&& f)
{
    try {
        f();
    } catch (const ImageError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

void flip_byte(const fs::path& file, std::uint64_t offset)
{
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x40));
    REQUIRE(f);
}

void write_text(const fs::path& file, const std::string& text)
{
    std::ofstream f(file, std::ios::trunc);
    f << text;
    REQUIRE(f);
}

std::string read_text(const fs::path& file)
{
    std::ifstream f(file);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

using Runs = std::map<std::uint64_t, std::vector<std::byte>>;

// Random, zero-filled, half-and-half and odd-sized runs.
Runs sample_runs()
{
    Runs runs;
    std::uint64_t vaddr = 0x7f0000000000;
    const std::size_t sizes[] = {max_chunk_size, 4096, 1000, 65536, 3 * 4096 + 7};
    for (int i = 0; i < 30; ++i) {
        const std::size_t n = sizes[i % std::size(sizes)];
        std::vector<std::byte> data(n);
        if (i % 3 == 0) {
            data = random_bytes(n, static_cast<std::uint64_t>(i));
        } else if (i % 3 == 2) {
            auto half = random_bytes(n / 2, static_cast<std::uint64_t>(i));
            std::copy(half.begin(), half.end(), data.begin());
        }
        runs.emplace(vaddr, std::move(data));
        vaddr += 2 * max_chunk_size;
    }
    return runs;
}

std::vector<Chunk> write_runs(const fs::path& dir, Compression compression, const Runs& runs)
{
    ChunkWriter w(dir, {compression, 3, 2});
    for (const auto& [vaddr, data] : runs) {
        w.add(vaddr, data);
    }
    CHECK(w.files() == std::vector<std::string>{"pages-0.bin", "pages-1.bin"});
    return w.finish();
}

const Chunk& chunk_at(const std::vector<Chunk>& chunks, std::size_t i)
{
    REQUIRE(i < chunks.size());
    return chunks[i];
}

// Fills dir (with 2 workers) until a write fails; 0 when the error is the
// expected one, as a stasis::Error naming the data file.
int expect_write_error(const fs::path& dir, const std::string& reason)
{
    std::string message;
    try {
        ChunkWriter w(dir, {Compression::none, 1, 2});
        for (std::uint64_t i = 0; i < 16; ++i) {
            w.add(i * max_chunk_size, random_bytes(max_chunk_size, i));
        }
        w.finish();
    } catch (const Error& e) {
        message = e.what();
    }
    if (contains(message, "cannot write " + dir.string() + "/pages-") && contains(message, reason)) {
        return 0;
    }
    std::fprintf(stderr, "child: got \"%s\"\n", message.c_str());
    return 1;
}

json sample_manifest()
{
    return json{{"format", "stasis-image"}, {"version", 1}, {"host", "testhost"},
                {"processes", json::array()}};
}

}  // namespace

TEST_CASE("chunks round-trip through writer and reader with both codecs")
{
    const Runs runs = sample_runs();
    for (const Codec codec : {Codec::none, Codec::zstd}) {
        CAPTURE(codec_name(codec));
        TempDir tmp;
        const std::vector<Chunk> chunks =
            write_runs(tmp.path(), codec == Codec::zstd ? Compression::zstd : Compression::none, runs);
        REQUIRE(chunks.size() == runs.size());
        const ChunkReader reader(tmp.path());
        auto expected = runs.begin();
        for (const Chunk& c : chunks) {
            REQUIRE(c.vaddr == expected->first);  // sorted by vaddr
            std::vector<std::byte> out(c.size);
            reader.read(c, out);
            CHECK(out == expected->second);
            if (codec == Codec::none) {
                CHECK(c.codec == Codec::none);
            } else if (std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0}; })) {
                CHECK(c.codec == Codec::zstd);
                CHECK(c.stored_size < c.size / 10);
            }
            CHECK(json(c).get<Chunk>().xxh3 == c.xxh3);
            ++expected;
        }
        // Which worker takes which run is up to the scheduler; only the sum is known.
        std::uint64_t stored = 0;
        for (const Chunk& c : chunks) {
            stored += c.stored_size;
        }
        CHECK(fs::file_size(tmp.path() / "pages-0.bin") + fs::file_size(tmp.path() / "pages-1.bin") ==
              stored);
    }
}

TEST_CASE("chunk JSON uses codec names and rejects unknown codecs")
{
    const Chunk c{.vaddr = 0x1000, .size = 4096, .file = "pages-1.bin", .offset = 8,
                  .stored_size = 100, .codec = Codec::zstd, .xxh3 = 42};
    const json j = c;
    CHECK(j["codec"] == "zstd");
    const Chunk back = j.get<Chunk>();
    CHECK(back.vaddr == c.vaddr);
    CHECK(back.file == c.file);
    CHECK(back.stored_size == c.stored_size);
    CHECK(back.codec == Codec::zstd);
    json bad = j;
    bad["codec"] = "lz4";
    CHECK_THROWS_AS(bad.get<Chunk>(), ImageError);
    CHECK_THROWS_AS(codec_from_name("gzip"), Error);
    for (const Codec codec : {Codec::none, Codec::zstd, Codec::zstd_shuffle4, Codec::zstd_shuffle8}) {
        CHECK(codec_from_name(codec_name(codec)) == codec);
    }
    bad["codec"] = "zstd-shuffle8";
    CHECK(bad.get<Chunk>().codec == Codec::zstd_shuffle8);
}

TEST_CASE("a flipped byte is reported naming its chunk")
{
    const Runs runs = sample_runs();
    for (const Codec codec : {Codec::none, Codec::zstd}) {
        CAPTURE(codec_name(codec));
        TempDir tmp;
        const std::vector<Chunk> chunks =
            write_runs(tmp.path(), codec == Codec::zstd ? Compression::zstd : Compression::none, runs);
        const Chunk& bad = chunk_at(chunks, 5);  // half random: zstd stores it compressed
        flip_byte(tmp.path() / bad.file, bad.offset + bad.stored_size / 2);

        const ChunkReader reader(tmp.path());
        std::vector<std::byte> out(bad.size);
        const std::string msg = image_error_of([&] { reader.read(bad, out); });
        char label[128];
        std::snprintf(label, sizeof label, "chunk at 0x%llx (%s offset %llu): ",
                      static_cast<unsigned long long>(bad.vaddr), bad.file.c_str(),
                      static_cast<unsigned long long>(bad.offset));
        CHECK(contains(msg, label));
        if (codec == Codec::none) {
            CHECK(contains(msg, "checksum mismatch"));
        }
        CHECK(bad.codec == codec);
        const Chunk& good = chunk_at(chunks, 6);
        std::vector<std::byte> ok(good.size);
        CHECK_NOTHROW(reader.read(good, ok));
    }
}

TEST_CASE("a truncated data file is reported")
{
    TempDir tmp;
    const std::vector<Chunk> chunks = write_runs(tmp.path(), Compression::zstd, sample_runs());
    const Chunk* last = &chunks.front();
    for (const Chunk& c : chunks) {
        if (c.file == last->file && c.offset > last->offset) {
            last = &c;
        }
    }
    fs::resize_file(tmp.path() / last->file, last->offset + last->stored_size / 2);
    std::vector<std::byte> out(last->size);
    const std::string msg = image_error_of([&] { ChunkReader(tmp.path()).read(*last, out); });
    CHECK(contains(msg, "(" + last->file + " offset " + std::to_string(last->offset) + "): truncated"));
}

TEST_CASE("chunks written with compression auto read back")
{
    TempDir tmp;
    const Runs runs = sample_runs();
    const std::vector<Chunk> chunks = write_runs(tmp.path(), Compression::automatic, runs);
    REQUIRE(chunks.size() == runs.size());
    const ChunkReader reader(tmp.path());
    for (const Chunk& c : chunks) {
        std::vector<std::byte> out(c.size);
        reader.read(c, out);
        CHECK(out == runs.at(c.vaddr));
    }
}

TEST_CASE("a writer destroyed without finish stops promptly")
{
    TempDir tmp;
    {
        ChunkWriter w(tmp.path(), {Compression::zstd, 19, 2});
        for (std::uint64_t i = 0; i < 40; ++i) {
            w.add(i * max_chunk_size, random_bytes(max_chunk_size, i));
        }
    }
    CHECK(fs::exists(tmp.path() / "pages-0.bin"));
}

TEST_CASE("ChunkWriter refuses existing data files and oversized runs")
{
    TempDir tmp;
    write_text(tmp.path() / "pages-1.bin", "x");
    CHECK_THROWS_AS(ChunkWriter(tmp.path(), {Compression::zstd, 3, 2}), Error);
    ChunkWriter w(tmp.path(), {Compression::none, 0, 1});
    CHECK_THROWS_AS(w.add(0, std::vector<std::byte>(max_chunk_size + 1)), Error);
    CHECK(w.finish().empty());
}

TEST_CASE("write errors surface as stasis::Error naming the data file")
{
    SUBCASE("file size limit (no privileges needed)")
    {
        TempDir tmp;
        const int rc = in_child([&] {
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{.rlim_cur = 256 * 1024, .rlim_max = RLIM_INFINITY};
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
                return 77;
            }
            return expect_write_error(tmp.path(), "File too large");
        });
        CHECK(rc == 0);
    }
    SUBCASE("ENOSPC on a small tmpfs (needs CAP_SYS_ADMIN)")
    {
        TempDir tmp;
        const int rc = in_child([&] {
            if (::unshare(CLONE_NEWNS) != 0 ||
                ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
                ::mount("tmpfs", tmp.path().c_str(), "tmpfs", 0, "size=512k") != 0) {
                return 77;
            }
            return expect_write_error(tmp.path(), "No space left on device");
        });
        if (rc == 77) {
            MESSAGE("skipped: cannot mount a tmpfs here");
        } else {
            CHECK(rc == 0);
        }
    }
}

TEST_CASE("an abandoned GenerationWriter leaves nothing behind")
{
    TempDir tmp;
    const fs::path final_dir = tmp.path() / "img";
    {
        GenerationWriter g(final_dir);
        CHECK(g.staging_dir() == tmp.path() / ".img.partial");
        write_text(g.staging_dir() / "pages-0.bin", "data");
    }
    CHECK_FALSE(fs::exists(tmp.path() / ".img.partial"));
    CHECK_FALSE(fs::exists(final_dir));
}

TEST_CASE("a committed generation has a verifiable manifest")
{
    TempDir tmp;
    const fs::path final_dir = tmp.path() / "a" / "b" / "img";
    {
        GenerationWriter g(final_dir);
        struct stat st {};
        REQUIRE(::stat((tmp.path() / "a").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        REQUIRE(::stat(g.staging_dir().c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        g.commit(sample_manifest());
    }
    CHECK_FALSE(fs::exists(tmp.path() / "a" / "b" / ".img.partial"));
    const json m = load_manifest(final_dir);
    CHECK(m["host"] == "testhost");
    CHECK(m["manifest_xxh3"] == manifest_checksum(m));
    CHECK(m["manifest_xxh3"].get<std::string>().size() == 16);
    CHECK((fs::status(final_dir / "manifest.json").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("GenerationWriter replaces stale partials and empty targets, refuses full ones")
{
    TempDir tmp;
    fs::create_directory(tmp.path() / ".img.partial");
    write_text(tmp.path() / ".img.partial" / "junk", "x");
    fs::create_directory(tmp.path() / "img");
    {
        GenerationWriter g(tmp.path() / "img");
        CHECK_FALSE(fs::exists(g.staging_dir() / "junk"));
        g.commit(sample_manifest());
    }
    CHECK_NOTHROW(load_manifest(tmp.path() / "img"));
    CHECK_THROWS_AS(GenerationWriter(tmp.path() / "img"), Error);
    CHECK_THROWS_AS(GenerationWriter(tmp.path() / "img/"), Error);
}

TEST_CASE("load_manifest rejects what is not a valid version 1 image")
{
    TempDir tmp;
    const fs::path dir = tmp.path() / "img";
    {
        GenerationWriter g(dir);
        g.commit(sample_manifest());
    }
    const fs::path file = dir / "manifest.json";
    const std::string good = read_text(file);

    SUBCASE("missing")
    {
        fs::remove(file);
        CHECK(image_error_of([&] { load_manifest(dir); }) ==
              dir.string() + " is not a stasis image (no manifest.json)");
    }
    SUBCASE("tampered")
    {
        std::string text = good;
        text.replace(text.find("testhost"), 8, "evilhost");
        write_text(file, text);
        CHECK(image_error_of([&] { load_manifest(dir); }) ==
              file.string() + " is corrupt (checksum mismatch)");
    }
    SUBCASE("not JSON")
    {
        write_text(file, good.substr(0, good.size() / 2));
        CHECK(contains(image_error_of([&] { load_manifest(dir); }),
                       file.string() + " is not valid JSON"));
    }
    SUBCASE("another format")
    {
        json m = json::parse(good);
        m["format"] = "criu";
        m["manifest_xxh3"] = manifest_checksum(m);
        write_text(file, m.dump());
        CHECK(image_error_of([&] { load_manifest(dir); }) == dir.string() + " is not a stasis image");
    }
    SUBCASE("wrong version, correctly checksummed")
    {
        json m = json::parse(good);
        m["version"] = 2;
        m["manifest_xxh3"] = manifest_checksum(m);
        write_text(file, m.dump());
        CHECK(image_error_of([&] { load_manifest(dir); }) ==
              dir.string() + " has format version 2, this stasis reads 1");
    }
}

namespace {

// A two-process image with one anonymous region each, written for real.
fs::path make_image(const fs::path& root)
{
    const fs::path dir = root / "img";
    GenerationWriter g(dir);
    ChunkWriter w(g.staging_dir(), {Compression::zstd, 3, 2});
    const std::uint64_t base = 0x7f1200000000;
    for (std::uint64_t i = 0; i < 6; ++i) {
        w.add(base + i * max_chunk_size, i % 2 == 0 ? random_bytes(max_chunk_size, i)
                                                    : std::vector<std::byte>(max_chunk_size));
    }
    w.add(0x555500000000, random_bytes(8192, 99));
    const std::vector<Chunk> chunks = w.finish();
    Checkpoint checkpoint;
    checkpoint.host = "testhost";
    checkpoint.kernel = "6.18.44";
    checkpoint.time = "2026-11-25T15:00:00Z";
    checkpoint.cpu.features = std::vector<std::string>{"sse2", "avx2"};
    checkpoint.vdso = VdsoLayout{.size = 8192, .xxh3 = 0xabcdef, .symbols = {{"__vdso_time", 0xa20}}};
    checkpoint.data_files = w.files();
    auto region = [](std::uint64_t start, std::uint64_t end, const char* prot, RegionKind kind, const char* path) {
        Region r;
        r.start = start;
        r.end = end;
        r.prot = prot;
        r.kind = kind;
        r.path = path;
        return r;
    };
    auto process = [](pid_t pid, pid_t ppid, const char* exe, std::vector<pid_t> tids) {
        ProcessState p;
        p.pid = pid;
        p.ppid = ppid;
        p.exe = exe;
        for (pid_t tid : tids) {
            ThreadState t;
            t.tid = tid;
            p.threads.push_back(t);
        }
        return p;
    };
    auto parent = process(100, 1, "/bin/parent", {100, 101});
    parent.regions.push_back(region(base, base + 6 * max_chunk_size, "rw-p", RegionKind::anon, ""));
    for (const Chunk& c : chunks) {
        if (c.vaddr >= base) {
            parent.regions.back().chunks.push_back(c);
        }
    }
    auto child = process(102, 100, "/bin/child", {102});
    child.regions.push_back(region(0x555500000000, 0x555500002000, "rw-p", RegionKind::anon, ""));
    child.regions.back().chunks.push_back(chunks.front());
    child.regions.push_back(region(0x7ffff7fc0000, 0x7ffff7fc4000, "r-xp", RegionKind::vdso, "[vdso]"));
    checkpoint.processes = {parent, child};
    commit_checkpoint(g, checkpoint);
    return dir;
}

}  // namespace

TEST_CASE("verify_image checks every chunk and names the first bad one")
{
    TempDir tmp;
    const fs::path dir = make_image(tmp.path());
    std::ostringstream out;
    verify_image(dir, out);
    CHECK(out.str() == dir.string() + ": OK, 2 processes, 3 threads, 7 chunks, 6.01 MiB of memory verified\n");

    const Chunk bad = read_checkpoint(dir).processes[0].regions[0].chunks[2];
    flip_byte(dir / bad.file, bad.offset + bad.stored_size / 2);
    const std::string msg = image_error_of([&] { verify_image(dir, out); });
    char label[96];
    std::snprintf(label, sizeof label, "chunk at 0x%llx (%s offset ",
                  static_cast<unsigned long long>(bad.vaddr), bad.file.c_str());
    CHECK(msg.rfind(dir.string() + ": " + label, 0) == 0);

    fs::remove(dir / "pages-1.bin");
    CHECK(image_error_of([&] { verify_image(dir, out); }) ==
          dir.string() + ": data file pages-1.bin is missing");
}

TEST_CASE("print_info describes the image as text and as JSON")
{
    TempDir tmp;
    const fs::path dir = make_image(tmp.path());

    std::ostringstream js;
    print_info(dir, true, js);
    const json info = json::parse(js.str());
    CHECK(info["dir"] == dir.string());
    CHECK(info["host"] == "testhost");
    CHECK(info["version"] == 1);
    CHECK(info["chunks"] == 7);
    CHECK(info["bytes"] == 6 * max_chunk_size + 8192);
    REQUIRE(info["processes"].size() == 2);
    const json& child = info["processes"][1];
    CHECK(child["pid"] == 102);
    CHECK(child["ppid"] == 100);
    CHECK(child["threads"] == 1);
    CHECK(child["bytes"] == 8192);
    CHECK(child["regions"][1]["kind"] == "vdso");
    CHECK(child["regions"][1]["bytes"] == 0);
    CHECK(info["stored_bytes"].get<std::uint64_t>() < info["bytes"].get<std::uint64_t>());
    CHECK(info["cpu_features"] == json({"sse2", "avx2"}));
    CHECK(info["vdso"] == json({{"size", 8192}, {"xxh3", 0xabcdef}}));

    std::ostringstream text;
    print_info(dir, false, text);
    const std::string s = text.str();
    CHECK(contains(s, "kernel   6.18.44"));
    CHECK(contains(s, "/bin/parent"));
    CHECK(contains(s, "  /bin/child"));  // indented under its parent
    CHECK(contains(s, "[vdso]"));
    CHECK(contains(s, "7 chunks"));
    CHECK(contains(s, "\ncpu      2 features: sse2 avx2\n"));
    CHECK(contains(s, "\nvdso     8192 bytes, xxh3 abcdef\n"));
}

TEST_CASE("print_info reports a malformed manifest as one ImageError")
{
    TempDir tmp;
    const fs::path dir = tmp.path() / "img";
    {
        GenerationWriter g(dir);
        json m = sample_manifest();
        m["processes"] = json::array({{{"pid", "not a number"}}});
        g.commit(m);
    }
    std::ostringstream out;
    CHECK(contains(image_error_of([&] { print_info(dir, true, out); }),
                   dir.string() + ": manifest.json is malformed"));
}
