#pragma once
// Filling a restored process's fd table between fork and exec: only
// async-signal-safe calls, no allocation.
#include <cstddef>
#include <vector>

namespace stasis {

struct FdPlacement {
    int target = -1;  // fd number in the restored process
    int source = -1;  // stasis's fd for its description
};

// The most fds one process gets back.
inline constexpr std::size_t max_placements = 4096;

// Puts each source at its target number and closes every other fd.
// Close-on-exec flags are set after exec. Returns false if the kernel
// refused, or there are more than max_placements.
bool install_fds(const std::vector<FdPlacement>& placements) noexcept;

}  // namespace stasis
