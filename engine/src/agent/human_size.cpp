#include "agent/human_size.hpp"

#include <cstdio>

namespace stasis::agent {

std::string human_size(std::uint64_t bytes)
{
    auto value = static_cast<double>(bytes);
    const char* unit = "B";
    for (const char* larger : {"KiB", "MiB", "GiB", "TiB"}) {
        if (value < 1024) {
            break;
        }
        value /= 1024;
        unit = larger;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", value, unit);
    return buf;
}

}  // namespace stasis::agent
