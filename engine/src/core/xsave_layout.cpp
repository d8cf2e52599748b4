#include "core/xsave_layout.hpp"

#include <cpuid.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace stasis {

namespace {

constexpr unsigned xsave_leaf = 0xd;
constexpr int first_extended_component = 2;  // 0 and 1 live in the legacy area
constexpr int last_component = 63;
constexpr std::size_t legacy_and_header_size = 576;
constexpr unsigned xfd_capable_bit = 1U << 2;  // ECX of leaf 0xd's sub-leaf
constexpr std::size_t xcr0_offset = 464;         // first word of the legacy area's software bytes
constexpr std::size_t xstate_bv_offset = 512;    // first word of the header

std::uint64_t word_at(std::span<const std::uint8_t> xstate, std::size_t offset)
{
    std::uint64_t word = 0;
    if (xstate.size() >= offset + sizeof(word)) {
        std::memcpy(&word, xstate.data() + offset, sizeof(word));
    }
    return word;
}

struct Component {
    std::size_t offset = 0;
    std::size_t size = 0;
    bool xfd_capable = false;
};

// Leaf 0xd, read once: in a VM each CPUID traps into the hypervisor (about
// 3 µs here, 0.2 ms for the whole leaf), and a dump builds return frames
// for every thread.
const Component& component(int index)
{
    static const auto leaf = [] {
        std::array<Component, last_component + 1> components{};
        for (int i = first_extended_component; i <= last_component; ++i) {
            unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
            __get_cpuid_count(xsave_leaf, static_cast<unsigned>(i), &eax, &ebx, &ecx, &edx);
            components[static_cast<std::size_t>(i)] = {ebx, eax, (ecx & xfd_capable_bit) != 0};
        }
        return components;
    }();
    return leaf[static_cast<std::size_t>(index)];
}

bool has(std::uint64_t features, int index)
{
    return ((features >> index) & 1U) != 0;
}

}  // namespace

std::uint64_t xcr0_of(std::span<const std::uint8_t> xstate)
{
    return word_at(xstate, xcr0_offset);
}

std::uint64_t xfeatures_in_use(std::span<const std::uint8_t> xstate)
{
    return word_at(xstate, xstate_bv_offset);
}

std::uint64_t dynamic_xfeatures(std::uint64_t xcr0)
{
    std::uint64_t dynamic = 0;
    for (int i = first_extended_component; i <= last_component; ++i) {
        if (has(xcr0, i) && component(i).xfd_capable) {
            dynamic |= std::uint64_t{1} << i;
        }
    }
    return dynamic;
}

std::size_t xsave_size_of(std::uint64_t features)
{
    std::size_t size = legacy_and_header_size;
    for (int i = first_extended_component; i <= last_component; ++i) {
        if (has(features, i)) {
            const auto& c = component(i);
            size = std::max(size, c.offset + c.size);
        }
    }
    return size;
}

}  // namespace stasis
