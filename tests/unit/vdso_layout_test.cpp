// The vDSO an image records and a restore compares with this kernel's: what it
// reads of a vDSO, and which differences refuse a restore.
#include "core/error.hpp"
#include "memory/vdso_layout.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace stasis;

namespace {

constexpr std::uint64_t old_vdso = 0x7ffd1000;

std::vector<ProcessState> job_with_thread_at(std::uint64_t rip)
{
    ProcessState p;
    p.pid = 4242;
    Region vdso;
    vdso.start = old_vdso;
    vdso.end = old_vdso + 8192;
    vdso.kind = RegionKind::vdso;
    p.regions.push_back(vdso);
    ThreadState t;
    t.tid = 4243;
    t.regs.rip = rip;
    p.threads.push_back(t);
    return {p};
}

const auto job_elsewhere = job_with_thread_at(0x401000);

VdsoLayout recorded()
{
    return {.size = 8192, .xxh3 = 1, .symbols = {{"__vdso_clock_gettime", 0xc30}, {"__vdso_time", 0xa20}}};
}

std::string refusal(const VdsoLayout& here, const std::vector<ProcessState>& job)
{
    try {
        check_vdso(recorded(), here, job, "node01");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("this kernel's vDSO is read: its size, a checksum and its entry points")
{
    const VdsoLayout here = host_vdso_layout();
    CHECK(here.size >= 4096);
    CHECK(here.size % 4096 == 0);
    REQUIRE(here.symbols.contains("__vdso_clock_gettime"));
    CHECK(here.symbols.at("__vdso_clock_gettime") < here.size);
    CHECK(host_vdso_layout().xxh3 == here.xxh3);
}

TEST_CASE("bytes that are not an ELF image are refused as a vDSO")
{
    std::vector<std::byte> junk(4096, std::byte{0x7f});
    CHECK_THROWS_AS(vdso_layout_of(junk), Error);
    std::vector<std::byte> short_one(16);
    CHECK_THROWS_AS(vdso_layout_of(short_one), Error);
}

TEST_CASE("the same vDSO passes; another one passes only if the job cannot notice")
{
    CHECK(refusal(recorded(), job_with_thread_at(old_vdso + 0xc40)).empty());

    VdsoLayout same_entries = recorded();
    same_entries.xxh3 = 2;
    same_entries.symbols["__vdso_getrandom"] = 0x1000;  // a new entry point is fine
    CHECK(refusal(same_entries, job_elsewhere).empty());
}

TEST_CASE("a vDSO of another size, with moved entry points, or that a thread is in is refused in one line")
{
    VdsoLayout bigger = recorded();
    bigger.size = 12288;
    bigger.xxh3 = 2;
    CHECK(refusal(bigger, job_elsewhere) ==
          "cannot restore on this host: its kernel's vDSO is 12288 bytes, the image's 8192 (image from node01)");

    VdsoLayout moved = recorded();
    moved.xxh3 = 2;
    moved.symbols["__vdso_time"] = 0xa40;
    moved.symbols.erase("__vdso_clock_gettime");
    CHECK(refusal(moved, job_elsewhere) ==
          "cannot restore on this host: its kernel's vDSO has __vdso_clock_gettime, __vdso_time elsewhere, where "
          "the job still calls it (image from node01)");

    VdsoLayout changed = recorded();
    changed.xxh3 = 2;
    CHECK(refusal(changed, job_with_thread_at(old_vdso + 0xc40)) ==
          "cannot restore on this host: its kernel's vDSO differs from the image's, and thread 4243 of process "
          "4242 was running in it (image from node01)");
}
