// The runs of pages a dump reads: PAGEMAP_SCAN must find exactly the runs
// that reading the page map entry by entry finds, in anonymous memory and in
// a private file mapping (where only the pages the process wrote count).
#include "memory/pagemap.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <utility>
#include <vector>

using namespace stasis;

namespace {

using Runs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

Runs entry_by_entry(int pagemap, std::uint64_t start, std::uint64_t end, bool anonymous_only)
{
    Runs runs;
    for_each_run(
        pagemap, start, end,
        [&](std::uint64_t, std::uint64_t e) {
            return anonymous_only ? is_private_copy(e) : (e & (pm_present | pm_swapped)) != 0;
        },
        [&](std::uint64_t s, std::uint64_t len) { runs.emplace_back(s, len); });
    return runs;
}

// Pages touched in a pattern with runs of several lengths and holes.
constexpr std::size_t pages = 12000;  // more runs than one PAGEMAP_SCAN batch holds
bool touched(std::size_t i)
{
    return (i % 7 != 3 && i % 11 != 5) || (i > 1000 && i < 1400);
}

}  // namespace

TEST_CASE("PAGEMAP_SCAN finds the runs the page map shows")
{
    UniqueFd pagemap = open_pagemap(::getpid());
    const std::size_t size = pages * page_size;

    SUBCASE("anonymous memory")
    {
        auto* p = static_cast<char*>(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        REQUIRE(p != MAP_FAILED);
        for (std::size_t i = 0; i < pages; ++i) {
            if (touched(i)) {
                p[i * page_size] = 1;
            }
        }
        auto start = reinterpret_cast<std::uint64_t>(p);
        Runs scanned;
        if (!scan_data_runs(pagemap.get(), start, start + size, false,
                            [&](std::uint64_t s, std::uint64_t len) { scanned.emplace_back(s, len); })) {
            MESSAGE("this kernel has no PAGEMAP_SCAN (before 6.7)");
        } else {
            CHECK(scanned.size() > 1024);
            CHECK(scanned == entry_by_entry(pagemap.get(), start, start + size, false));
        }
        ::munmap(p, size);
    }
    SUBCASE("a private file mapping: the written pages only")
    {
        char path[] = "/tmp/stasis-pagemap-XXXXXX";
        int fd = ::mkstemp(path);
        REQUIRE(fd >= 0);
        ::unlink(path);
        REQUIRE(::ftruncate(fd, static_cast<off_t>(size)) == 0);
        auto* p = static_cast<char*>(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
        REQUIRE(p != MAP_FAILED);
        volatile char sink = 0;
        for (std::size_t i = 0; i < pages; ++i) {
            if (touched(i)) {
                p[i * page_size] = 1;  // a private copy
            } else {
                sink = static_cast<char>(sink + p[i * page_size]);  // the file's page
            }
        }
        auto start = reinterpret_cast<std::uint64_t>(p);
        Runs scanned;
        if (scan_data_runs(pagemap.get(), start, start + size, true,
                           [&](std::uint64_t s, std::uint64_t len) { scanned.emplace_back(s, len); })) {
            CHECK(scanned.size() > 1024);
            CHECK(scanned == entry_by_entry(pagemap.get(), start, start + size, true));
        }
        ::munmap(p, size);
        ::close(fd);
    }
}
