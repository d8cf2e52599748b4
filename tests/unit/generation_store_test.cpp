// The generations under a job's ROOT: names, LATEST, retiring old ones,
// what `stasis list` reports about each, and which are no resume point.
#include "store/generation_listing.hpp"
#include <stasis/generation_store.hpp>
#include "agent/replayed_signal.hpp"
#include "agent/resume_point.hpp"
#include "core/error.hpp"
#include "image/generation.hpp"
#include "image/manifest.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <stasis/generation_name.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace stasis;
using namespace stasis::agent;

namespace {

using stasis::test::TempDir;

// A committed generation, through the real commit protocol: no process, or
// with data_file one process whose one chunk is stored in it.
void commit_generation(const fs::path& dir, const std::string& data_file = "")
{
    stasis::Checkpoint checkpoint;
    checkpoint.host = "test";
    checkpoint.kernel = "test";
    checkpoint.time = "2026-01-02T03:04:05Z";
    checkpoint.root_pid = 1;
    if (!data_file.empty()) {
        stasis::Region with_chunk, without_chunks;
        with_chunk.chunks.push_back({.file = data_file, .offset = 4096, .stored_size = 100});
        stasis::ProcessState process;
        process.regions = {with_chunk, without_chunks};
        checkpoint.processes.push_back(process);
    }
    stasis::image::GenerationWriter writer(dir);
    stasis::image::commit_checkpoint(writer, checkpoint);
}

std::vector<std::string> names(const GenerationStore& store)
{
    std::vector<std::string> out;
    for (const auto& e : store.scan()) {
        out.push_back(e.partial ? "." + e.name + ".partial" : e.name);
    }
    return out;
}

}  // namespace

TEST_CASE("open refuses a missing ROOT; open_or_create creates it, private")
{
    TempDir t;
    CHECK_THROWS_AS(GenerationStore::open(t.path() / "missing"), stasis::Error);
    auto store = GenerationStore::open_or_create(t.path() / "a" / "b");
    CHECK(fs::is_directory(t.path() / "a" / "b"));
    for (const auto& dir : {t.path() / "a", t.path() / "a" / "b"}) {
        CAPTURE(dir);
        CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
    }
    CHECK(store.scan().empty());
    CHECK(store.next_dir() == t.path() / "a" / "b" / "gen-000001");
}

TEST_CASE("the next generation is numbered above every one present, partial or not")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    commit_generation(t.path() / "gen-000002");
    CHECK(store.next_dir().filename() == "gen-000003");
    fs::create_directory(t.path() / ".gen-000007.partial");
    fs::create_directory(t.path() / "unrelated");
    CHECK(store.next_dir().filename() == "gen-000008");
    CHECK(names(store) == std::vector<std::string>{"gen-000002", ".gen-000007.partial"});
}

TEST_CASE("LATEST is replaced atomically and read back")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    CHECK_FALSE(store.latest());
    store.set_latest("gen-000003");
    CHECK(store.latest() == "gen-000003");
    store.set_latest("gen-000004");
    CHECK(store.latest() == "gen-000004");
    CHECK_FALSE(fs::exists(t.path() / ".LATEST.tmp"));
    std::ofstream(t.path() / "LATEST") << "garbage\n";
    CHECK_FALSE(store.latest());
}

TEST_CASE("prune keeps the newest committed generations and removes a crash's leftovers")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    for (int n : {1, 2, 3, 5}) {
        commit_generation(t.path() / stasis::contract::generation_name(n));
    }
    fs::create_directory(t.path() / ".gen-000004.partial");
    std::ofstream(t.path() / ".gen-000004.partial" / "pages-0.bin") << "x";

    SUBCASE("keep 2")
    {
        store.prune(2);
        CHECK(names(store) == std::vector<std::string>{"gen-000003", "gen-000005"});
    }
    SUBCASE("keep 1")
    {
        store.prune(1);
        CHECK(names(store) == std::vector<std::string>{"gen-000005"});
    }
    SUBCASE("keep more than there are: only the stale partial goes")
    {
        store.prune(10);
        CHECK(names(store) == std::vector<std::string>{"gen-000001", "gen-000002", "gen-000003", "gen-000005"});
    }
    SUBCASE("unusable generations do not count as kept")
    {
        store.prune(2, {"gen-000005"});
        CHECK(names(store) == std::vector<std::string>{"gen-000002", "gen-000003", "gen-000005"});
        store.prune(1, {"gen-000005"});
        CHECK(names(store) == std::vector<std::string>{"gen-000003", "gen-000005"});
    }
}

TEST_CASE("prune leaves a partial generation newer than every committed one")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    commit_generation(t.path() / "gen-000001");
    fs::create_directory(t.path() / ".gen-000002.partial");
    store.prune(1);
    CHECK(names(store) == std::vector<std::string>{"gen-000001", ".gen-000002.partial"});
}

TEST_CASE("the listing tells committed, partial and corrupt generations apart")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    commit_generation(t.path() / "gen-000001");
    commit_generation(t.path() / "gen-000002");
    fs::create_directory(t.path() / ".gen-000003.partial");
    store.set_latest("gen-000002");
    // A manifest cut short.
    auto manifest = t.path() / "gen-000001" / "manifest.json";
    fs::resize_file(manifest, fs::file_size(manifest) / 2);
    auto listing = list_generations(store);
    REQUIRE(listing.size() == 3);
    CHECK(listing[0].entry.name == "gen-000001");
    CHECK(listing[0].status == GenerationStatus::corrupt);
    CHECK_FALSE(listing[0].problem.empty());
    CHECK(listing[1].status == GenerationStatus::committed);
    CHECK(listing[1].time == "2026-01-02T03:04:05Z");
    CHECK(listing[1].latest);
    CHECK(listing[1].bytes > 0);
    CHECK(listing[2].status == GenerationStatus::partial);
    CHECK_FALSE(listing[2].latest);
    CHECK(listing[2].time.size() == 20);
}

TEST_CASE("the listing finds a data file that is missing or too short for its chunks")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    commit_generation(t.path() / "gen-000001", "pages-0.bin");
    auto data = t.path() / "gen-000001" / "pages-0.bin";
    auto listing = list_generations(store);
    REQUIRE(listing.size() == 1);
    CHECK(listing[0].status == GenerationStatus::corrupt);
    CHECK(listing[0].problem.find("pages-0.bin is missing") != std::string::npos);

    std::ofstream(data) << std::string(4000, 'x');
    listing = list_generations(store);
    CHECK(listing[0].status == GenerationStatus::corrupt);
    CHECK(listing[0].problem.find("pages-0.bin is truncated") != std::string::npos);

    fs::resize_file(data, 4196);
    listing = list_generations(store);
    CHECK(listing[0].status == GenerationStatus::committed);
    CHECK(listing[0].problem.empty());
}

namespace {

stasis::SigInfoBytes siginfo_bytes(int signo, int code, pid_t sender)
{
    siginfo_t info{};
    info.si_signo = signo;
    info.si_code = code;
    info.si_pid = sender;
    stasis::SigInfoBytes bytes;
    std::memcpy(bytes.bytes.data(), &info, sizeof info);
    return bytes;
}

// An image of process 100 with one thread, holding the given signals as
// pending for the process (shared) or its thread.
fs::path image_with_pending(const fs::path& dir, std::vector<stasis::SigInfoBytes> shared,
                            std::vector<stasis::SigInfoBytes> thread)
{
    stasis::Checkpoint checkpoint;
    checkpoint.time = "2026-01-02T03:04:05Z";
    checkpoint.root_pid = 100;
    stasis::ProcessState process;
    process.pid = 100;
    process.shared_pending = std::move(shared);
    stasis::ThreadState t;
    t.tid = 100;
    t.pending = std::move(thread);
    process.threads.push_back(t);
    checkpoint.processes.push_back(process);
    stasis::image::GenerationWriter writer(dir);
    stasis::image::commit_checkpoint(writer, checkpoint);
    return dir;
}

}  // namespace

TEST_CASE("an image holding a scheduler's signal as pending would replay it on resume")
{
    TempDir t;
    auto dir = [&](const char* name) { return t.path() / name; };
    CHECK_FALSE(replayed_signal(image_with_pending(dir("none"), {}, {})));
    CHECK(replayed_signal(image_with_pending(dir("shared"), {siginfo_bytes(SIGTERM, SI_USER, 5)}, {})) == SIGTERM);
    CHECK(replayed_signal(image_with_pending(dir("thread"), {}, {siginfo_bytes(SIGUSR1, SI_TKILL, 5)})) == SIGUSR1);
    CHECK(replayed_signal(image_with_pending(dir("kernel"), {siginfo_bytes(SIGHUP, SI_KERNEL, 0)}, {})) == SIGHUP);
    // The job's own signals, and signals the guard does not hold, are not.
    CHECK_FALSE(replayed_signal(image_with_pending(dir("own"), {siginfo_bytes(SIGTERM, SI_USER, 100)}, {})));
    CHECK_FALSE(replayed_signal(image_with_pending(dir("other"), {siginfo_bytes(SIGWINCH, SI_USER, 5)}, {})));
}

namespace {

// ROOT with committed generations 1, 2 and 3, LATEST naming 3.
GenerationStore three_generations(const TempDir& t)
{
    auto store = GenerationStore::open(t.path());
    for (unsigned n : {1U, 2U, 3U}) {
        commit_generation(t.path() / stasis::contract::generation_name(n));
    }
    store.set_latest("gen-000003");
    return store;
}

void corrupt(const fs::path& generation)
{
    auto manifest = generation / "manifest.json";
    fs::resize_file(manifest, fs::file_size(manifest) / 2);
}

}  // namespace

TEST_CASE("a resume starts from the generation LATEST names, or an older one that verifies")
{
    TempDir t;
    auto store = three_generations(t);
    auto point = find_resume_point(store, std::nullopt);
    REQUIRE(point);
    CHECK(point->dir.filename() == "gen-000003");
    CHECK(point->unusable.empty());
    CHECK(point->fallback.empty());
    corrupt(t.path() / "gen-000003");
    point = find_resume_point(store, std::nullopt);
    REQUIRE(point);
    CHECK(point->dir.filename() == "gen-000002");
    CHECK(point->unusable == std::vector<std::string>{"gen-000003"});
    CHECK(point->fallback.starts_with("gen-000003 does not verify ("));
    CHECK(point->fallback.ends_with("); resuming from gen-000002 instead"));
}

TEST_CASE("--resume-from: the named generation or an older one, never a newer one")
{
    TempDir t;
    auto store = three_generations(t);
    auto from = [&](const char* name) { return find_resume_point(store, std::string(name)); };

    auto point = from("gen-000002");
    REQUIRE(point);
    CHECK(point->dir.filename() == "gen-000002");
    CHECK(point->unusable == std::vector<std::string>{"gen-000003"});

    point = from("gen-000007");  // not there: the newest older one
    REQUIRE(point);
    CHECK(point->dir.filename() == "gen-000003");
    CHECK(point->fallback ==
          "--resume-from names gen-000007, which is not a committed generation; resuming from gen-000003 instead");

    corrupt(t.path() / "gen-000002");
    point = from("gen-000002");
    REQUIRE(point);
    CHECK(point->dir.filename() == "gen-000001");
    CHECK(point->unusable == std::vector<std::string>{"gen-000003", "gen-000002"});

    corrupt(t.path() / "gen-000001");
    CHECK_THROWS_WITH_AS(from("gen-000002"), doctest::Contains("no committed generation up to gen-000002 verifies"),
                         stasis::Error);
    CHECK_THROWS_AS(from("../gen-000003"), stasis::Error);
}

TEST_CASE("--resume-from on a ROOT without generations fails instead of starting anew")
{
    TempDir t;
    auto store = GenerationStore::open(t.path());
    CHECK_FALSE(find_resume_point(store, std::nullopt));
    CHECK_THROWS_WITH_AS(find_resume_point(store, std::string("gen-000001")),
                         doctest::Contains("--resume-from names gen-000001, which is not a committed generation"),
                         stasis::Error);
}
