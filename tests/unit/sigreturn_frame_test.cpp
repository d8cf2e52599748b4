// The XSAVE area of an rt_sigreturn frame: it must claim the size the task's
// own area has, or the kernel restores only x87 and SSE state and the thread
// comes home with its AVX registers cleared.
#include "core/sigreturn_frame.hpp"
#include "core/xsave_layout.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

using namespace stasis;

namespace {

constexpr std::uint64_t x87_and_sse = 0x3;
constexpr std::size_t sw_bytes = 464;
constexpr std::size_t xstate_bv = 512;
constexpr std::uint32_t magic2 = 0x46505845;

// A ptrace-style area: xcr0 in the software words, `in_use` in the header,
// every other byte 0xab.
std::vector<std::uint8_t> area(std::uint64_t xcr0, std::uint64_t in_use)
{
    std::vector<std::uint8_t> xstate(xsave_size_of(xcr0), 0xab);
    std::memcpy(xstate.data() + sw_bytes, &xcr0, sizeof(xcr0));
    std::memcpy(xstate.data() + xstate_bv, &in_use, sizeof(in_use));
    return xstate;
}

// The frame's XSAVE area and what follows it, and the software words the
// kernel reads first (struct _fpx_sw_bytes, at byte 464 of the area).
struct Built {
    std::vector<std::byte> fp;
    std::uint32_t extended_size = 0;
    std::uint64_t xfeatures = 0;
    std::uint32_t xstate_size = 0;
};

Built build(const std::vector<std::uint8_t>& xstate)
{
    user_regs_struct regs{};
    auto frame = sigreturn_frame(0x10000, regs, xstate, 0, 0);
    std::size_t fp_at = sigreturn_frame_size(xstate.size()) - xstate.size() - sizeof(magic2);
    Built b{{frame.bytes.begin() + static_cast<std::ptrdiff_t>(fp_at), frame.bytes.end()}};
    std::memcpy(&b.extended_size, b.fp.data() + sw_bytes + 4, sizeof(b.extended_size));
    std::memcpy(&b.xfeatures, b.fp.data() + sw_bytes + 8, sizeof(b.xfeatures));
    std::memcpy(&b.xstate_size, b.fp.data() + sw_bytes + 16, sizeof(b.xstate_size));
    return b;
}

bool magic_at(const Built& b, std::size_t offset)
{
    std::uint32_t word = 0;
    std::memcpy(&word, b.fp.data() + offset, sizeof(word));
    return word == magic2;
}

}  // namespace

TEST_CASE("a frame without dynamic components claims the whole area")
{
    auto xstate = area(x87_and_sse, x87_and_sse);
    auto b = build(xstate);
    CHECK(b.xstate_size == xstate.size());
    CHECK(b.extended_size == xstate.size() + sizeof(magic2));
    CHECK(b.xfeatures == x87_and_sse);
    CHECK(magic_at(b, xstate.size()));
}

TEST_CASE("a frame of a task that does not use its dynamic components fits the default area")
{
    std::uint64_t dynamic = dynamic_xfeatures(~std::uint64_t{0});
    if (dynamic == 0) {
        MESSAGE("this CPU has no dynamic XSAVE components (AMX): only the plain case applies");
        return;
    }
    std::uint64_t xcr0 = x87_and_sse | dynamic;
    std::size_t small = xsave_size_of(x87_and_sse);
    REQUIRE(small < xsave_size_of(xcr0));

    SUBCASE("not in use: the default size, the word after both sizes")
    {
        auto xstate = area(xcr0, x87_and_sse);
        auto b = build(xstate);
        CHECK(b.xstate_size == small);
        CHECK(b.xfeatures == x87_and_sse);
        CHECK(magic_at(b, small));
        CHECK(magic_at(b, xstate.size()));
    }
    SUBCASE("in use: the task's area is the full one")
    {
        auto xstate = area(xcr0, xcr0);
        auto b = build(xstate);
        CHECK(b.xstate_size == xstate.size());
        CHECK(b.xfeatures == xcr0);
        CHECK(magic_at(b, xstate.size()));
        CHECK_FALSE(magic_at(b, small));
    }
}
