#pragma once
// The names of a job's generations in ROOT: the engine writes them, the
// scheduler glue reads them; one rule, so neither takes a name the other
// would not write.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace stasis::contract {

struct GenerationName {
    unsigned number = 0;
    bool partial = false;  // ".gen-000042.partial": being written, never read
};

// "gen-000042" -> 42; ".gen-000042.partial" -> 42, partial; else nothing.
// Six digits at least, as generation_name writes them, and at most nine,
// so that every number fits.
inline std::optional<GenerationName> parse_generation_name(std::string_view name)
{
    constexpr std::string_view prefix = "gen-";
    constexpr std::string_view partial_prefix = ".";
    constexpr std::string_view partial_suffix = ".partial";
    GenerationName parsed;
    if (name.starts_with(partial_prefix) && name.ends_with(partial_suffix)) {
        name = name.substr(partial_prefix.size(), name.size() - partial_prefix.size() - partial_suffix.size());
        parsed.partial = true;
    }
    if (!name.starts_with(prefix)) {
        return std::nullopt;
    }
    auto digits = name.substr(prefix.size());
    if (digits.size() < 6 || digits.size() > 9) {
        return std::nullopt;
    }
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        parsed.number = parsed.number * 10 + static_cast<unsigned>(c - '0');
    }
    return parsed;
}

// Whether name is that of a committed generation, the only kind a job
// record, LATEST or --resume-from may name.
inline bool is_committed_generation_name(std::string_view name)
{
    auto parsed = parse_generation_name(name);
    return parsed && !parsed->partial;
}

// 42 -> "gen-000042"; number is below 10^9.
inline std::string generation_name(unsigned number)
{
    char name[16];
    std::snprintf(name, sizeof name, "gen-%06u", number);
    return name;
}

}  // namespace stasis::contract
