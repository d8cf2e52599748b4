#include "stasis/duration.hpp"

#include "stasis/config_error.hpp"
#include "stasis/split.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace stasis {

namespace {

using std::chrono::seconds;

constexpr std::int64_t minute = 60;
constexpr std::int64_t hour = 60 * minute;
constexpr std::int64_t day = 24 * hour;
// Far beyond any interval, and small enough that no sum below overflows.
constexpr std::int64_t max_field = std::numeric_limits<std::int64_t>::max() / (4 * day);

std::optional<std::int64_t> parse_field(std::string_view digits)
{
    if (digits.empty() || digits.size() > 18) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    if (value > max_field) {
        return std::nullopt;
    }
    return value;
}


// "30s", "10m", "2h", "1d".
std::optional<std::int64_t> parse_with_unit(std::string_view text)
{
    static constexpr std::array<std::pair<char, std::int64_t>, 4> units{
        {{'s', 1}, {'m', minute}, {'h', hour}, {'d', day}}};
    for (auto [suffix, scale] : units) {
        if (text.size() > 1 && text.back() == suffix) {
            auto n = parse_field(text.substr(0, text.size() - 1));
            return n ? std::optional(*n * scale) : std::nullopt;
        }
    }
    return std::nullopt;
}

// Slurm's forms: without a day part "M", "M:S", "H:M:S"; with one
// "D-H", "D-H:M", "D-H:M:S".
std::optional<std::int64_t> parse_slurm(std::string_view text)
{
    auto dash = split(text, '-');
    if (dash.size() > 2) {
        return std::nullopt;
    }
    bool has_days = dash.size() == 2;
    std::int64_t total = 0;
    if (has_days) {
        auto days = parse_field(dash[0]);
        if (!days) {
            return std::nullopt;
        }
        total = *days * day;
    }
    auto fields = split(dash.back(), ':');
    if (fields.size() > 3) {
        return std::nullopt;
    }
    // Scale of each field, by how many there are.
    static constexpr std::array<std::array<std::int64_t, 3>, 3> plain{
        {{minute, 0, 0}, {minute, 1, 0}, {hour, minute, 1}}};
    static constexpr std::array<std::array<std::int64_t, 3>, 3> after_days{
        {{hour, 0, 0}, {hour, minute, 0}, {hour, minute, 1}}};
    const auto& scales = (has_days ? after_days : plain)[fields.size() - 1];
    for (std::size_t i = 0; i < fields.size(); ++i) {
        auto n = parse_field(fields[i]);
        if (!n) {
            return std::nullopt;
        }
        total += *n * scales[i];
    }
    return total;
}

}  // namespace

std::optional<seconds> try_parse_duration(std::string_view text)
{
    auto value = parse_with_unit(text);
    if (!value) {
        value = parse_slurm(text);
    }
    return value ? std::optional(seconds(*value)) : std::nullopt;
}

seconds parse_duration(std::string_view text)
{
    auto value = try_parse_duration(text);
    if (!value) {
        throw ConfigError("invalid duration \"" + std::string(text) +
                          "\": expected M, M:S, H:M:S, D-H, D-H:M, D-H:M:S (Slurm's formats) or a number with s, m, h or d");
    }
    return *value;
}

std::string format_duration(seconds duration)
{
    static constexpr std::array<std::pair<std::int64_t, char>, 3> units{{{day, 'd'}, {hour, 'h'}, {minute, 'm'}}};
    auto n = duration.count();
    for (auto [scale, suffix] : units) {
        if (n != 0 && n % scale == 0) {
            return std::to_string(n / scale) + suffix;
        }
    }
    return std::to_string(n) + "s";
}

}  // namespace stasis
