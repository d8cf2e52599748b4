#pragma once
// Durations as users write them for a scheduler: Slurm's time formats and
// the short unit forms, in one parser for every place that takes a DUR.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace stasis {

// Accepts "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S" (Slurm's formats:
// a bare number is minutes) and "<N>s", "<N>m", "<N>h", "<N>d". Fields are
// unsigned decimal numbers of any size, as Slurm takes them ("0:90" is 90
// seconds). Nothing when the text is none of these or does not fit.
std::optional<std::chrono::seconds> try_parse_duration(std::string_view text);

// try_parse_duration, throwing ConfigError naming the value instead of
// returning nothing.
std::chrono::seconds parse_duration(std::string_view text);

// The largest whole unit: "90s", "30m", "2h", "1d".
std::string format_duration(std::chrono::seconds duration);

}  // namespace stasis
