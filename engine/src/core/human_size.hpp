#pragma once
// Byte counts as people read them in logs, listings and `stasis info`:
// "512 B", "6.01 MiB", "41.2 GiB" (three significant digits).
#include <cstdint>
#include <string>

namespace stasis {

std::string human_size(std::uint64_t bytes);

}  // namespace stasis
