#include "core/human_size.hpp"

#include <cstdio>
#include <iterator>

namespace stasis {

std::string human_size(std::uint64_t bytes)
{
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + " B";
    }
    double value = static_cast<double>(bytes) / 1024;
    std::size_t unit = 0;
    // Decided on the value as it will be printed: 1023.7 KiB shows as
    // "1.00 MiB", not "1024 KiB"; 9.997 KiB as "10.0 KiB", not "10.00 KiB".
    while (value >= 1023.5 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    const char* format = value < 9.995 ? "%.2f %s" : value < 99.95 ? "%.1f %s" : "%.0f %s";
    char text[32];
    std::snprintf(text, sizeof text, format, value, units[unit]);
    return text;
}

}  // namespace stasis
