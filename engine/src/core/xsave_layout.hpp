#pragma once
// This CPU's XSAVE area in the standard (non-compacted) form that ptrace and
// signal frames use: which components the kernel may hand a task only on
// demand, and how large a task's area is without them.
#include <cstddef>
#include <cstdint>
#include <span>

namespace stasis {

// XCR0 as ptrace reports it inside an area (0 for an area too short).
std::uint64_t xcr0_of(std::span<const std::uint8_t> xstate);

// The components the area's header marks in use (not in their initial state).
std::uint64_t xfeatures_in_use(std::span<const std::uint8_t> xstate);

// The components of xcr0 that the kernel enables per task on first use
// (XFD-capable ones: AMX tile data). A task that never used them has a
// smaller XSAVE area in its signal frames than ptrace's, which always has
// room for all of xcr0.
std::uint64_t dynamic_xfeatures(std::uint64_t xcr0);

// The size of the standard-form area that holds the components of
// `features` (legacy area and header included).
std::size_t xsave_size_of(std::uint64_t features);

}  // namespace stasis
