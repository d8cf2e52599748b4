// How LATEST is read, by the agent and by slurmstepd (as root, in a
// directory the job's user owns).
#include "test_support.hpp"

#include <stasis/root_layout.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using stasis::test::TempDir;

using stasis::contract::parse_latest;
using stasis::contract::read_latest;

TEST_CASE("LATEST: its first word, when it names a committed generation")
{
    CHECK(parse_latest("gen-000003\n") == "gen-000003");
    CHECK(parse_latest("gen-000003") == "gen-000003");
    CHECK(parse_latest("  \n\tgen-123456789  trailing words\n") == "gen-123456789");
    CHECK_FALSE(parse_latest(""));
    CHECK_FALSE(parse_latest(" \n"));
    CHECK_FALSE(parse_latest("gen-3\n"));
    CHECK_FALSE(parse_latest(".gen-000003.partial\n"));
    CHECK_FALSE(parse_latest("/var/spool/stasis/42/gen-000003\n"));
    CHECK_FALSE(parse_latest("junk gen-000003\n"));
}

TEST_CASE("LATEST: read from ROOT")
{
    TempDir root;
    CHECK_FALSE(read_latest(root.path()));
    root.write("LATEST", "gen-000007\n");
    CHECK(read_latest(root.path()) == "gen-000007");
    root.write("LATEST", "gen-7\n");
    CHECK_FALSE(read_latest(root.path()));
}

TEST_CASE("LATEST: only a small regular file of its own is read")
{
    TempDir root;
    auto elsewhere = root.write("elsewhere", "gen-000007\n");
    std::filesystem::create_symlink(elsewhere, root.path() / "LATEST");
    CHECK_FALSE(read_latest(root.path()));

    std::filesystem::remove(root.path() / "LATEST");
    // Opening a FIFO for reading waits for a writer: it must not.
    REQUIRE(::mkfifo((root.path() / "LATEST").c_str(), 0600) == 0);
    CHECK_FALSE(read_latest(root.path()));

    std::filesystem::remove(root.path() / "LATEST");
    root.write("LATEST", "gen-000007" + std::string(5000, ' ') + "\n");
    CHECK_FALSE(read_latest(root.path()));
}
