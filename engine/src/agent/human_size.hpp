#pragma once
// Byte counts as people read them in logs and listings: "1.5 MiB".
#include <cstdint>
#include <string>

namespace stasis::agent {

std::string human_size(std::uint64_t bytes);

}  // namespace stasis::agent
