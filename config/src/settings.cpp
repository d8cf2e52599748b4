#include "settings.hpp"

#include "stasis/duration.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stasis {

namespace {

template <typename T>
std::optional<T> integer_from(std::string_view text, T low, T high)
{
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
        return std::nullopt;
    }
    return value;
}

template <typename E, std::size_t N>
std::optional<E> one_of(std::string_view text, const std::array<std::pair<std::string_view, E>, N>& names)
{
    auto it = std::find_if(names.begin(), names.end(), [text](const auto& name) { return name.first == text; });
    return it == names.end() ? std::nullopt : std::optional(it->second);
}

// The inverse of one_of: every value of E is in its table.
template <typename E, std::size_t N>
std::string_view name_in(E value, const std::array<std::pair<std::string_view, E>, N>& names)
{
    return std::find_if(names.begin(), names.end(), [value](const auto& name) { return name.second == value; })
        ->first;
}

template <typename E, std::size_t N>
std::vector<std::string> names_of(const std::array<std::pair<std::string_view, E>, N>& names)
{
    std::vector<std::string> all;
    for (const auto& name : names) {
        all.emplace_back(name.first);
    }
    return all;
}

// YAML 1.2's booleans, as written; no yes/no or on/off guessing.
std::optional<bool> boolean_from(std::string_view text)
{
    if (text == "true") {
        return true;
    }
    if (text == "false") {
        return false;
    }
    return std::nullopt;
}

// A relative ROOT would depend on the directory each job starts in.
std::optional<std::filesystem::path> absolute_path(std::string_view text)
{
    // A NUL would silently cut the path short at the first system call.
    if (!text.starts_with('/') || text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    return std::filesystem::path(text);
}

template <typename T>
bool set_if(T& field, const std::optional<T>& value)
{
    if (value) {
        field = *value;
    }
    return value.has_value();
}

constexpr std::array<std::pair<std::string_view, Compression>, 3> compressions{
    {{"auto", Compression::automatic}, {"zstd", Compression::zstd}, {"none", Compression::none}}};

constexpr std::array<std::pair<std::string_view, LogLevel>, 5> log_levels{{{"trace", LogLevel::trace},
                                                                           {"debug", LogLevel::debug},
                                                                           {"info", LogLevel::info},
                                                                           {"warn", LogLevel::warn},
                                                                           {"error", LogLevel::error}}};

constexpr std::string_view a_duration =
    "a duration (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or a number with s, m, h or d)";

const std::array<Setting, 10> settings{{
    {"checkpoint_dir", "an absolute path",
     [](SiteConfig& c, std::string_view text) { return set_if(c.checkpoint_dir, absolute_path(text)); }},
    {"keep", "an integer from 1 to 1000",
     [](SiteConfig& c, std::string_view text) { return set_if(c.keep, integer_from(text, 1U, 1000U)); }},
    {"compression", "auto, zstd or none",
     [](SiteConfig& c, std::string_view text) { return set_if(c.compression, one_of(text, compressions)); }},
    {"compression_level", "an integer from 1 to 19",
     [](SiteConfig& c, std::string_view text) { return set_if(c.compression_level, integer_from(text, 1, 19)); }},
    {"min_interval", a_duration,
     [](SiteConfig& c, std::string_view text) { return set_if(c.min_interval, try_parse_duration(text)); }},
    {"default_interval", a_duration,
     [](SiteConfig& c, std::string_view text) { return set_if(c.default_interval, try_parse_duration(text)); }},
    {"walltime_margin", a_duration,
     [](SiteConfig& c, std::string_view text) { return set_if(c.walltime_margin, try_parse_duration(text)); }},
    {"log_level", "trace, debug, info, warn or error",
     [](SiteConfig& c, std::string_view text) { return set_if(c.log_level, one_of(text, log_levels)); }},
    {"workers", "an integer from 0 to 256",
     [](SiteConfig& c, std::string_view text) { return set_if(c.workers, integer_from(text, 0U, 256U)); }},
    {"write_tracking", "true or false",
     [](SiteConfig& c, std::string_view text) { return set_if(c.write_tracking, boolean_from(text)); }},
}};

}  // namespace

std::string_view compression_name(Compression compression)
{
    return name_in(compression, compressions);
}

std::string_view log_level_name(LogLevel level)
{
    return name_in(level, log_levels);
}

std::vector<std::string> compression_names()
{
    return names_of(compressions);
}

std::vector<std::string> log_level_names()
{
    return names_of(log_levels);
}

std::optional<Compression> compression_named(std::string_view name)
{
    return one_of(name, compressions);
}

std::optional<LogLevel> log_level_named(std::string_view name)
{
    return one_of(name, log_levels);
}

const Setting& find_setting(std::string_view key, const ConfigLocation& where)
{
    auto it = std::find_if(settings.begin(), settings.end(), [key](const Setting& s) { return s.key == key; });
    if (it == settings.end()) {
        throw config_error(where, "unknown key " + in_quotes(key));
    }
    return *it;
}

ConfigError bad_value(const Setting& setting, std::string_view got, const ConfigLocation& where)
{
    return config_error(where, std::string(setting.key) + ": expected " + std::string(setting.expected) + ", got " +
                                   std::string(got));
}

void assign_setting(SiteConfig& config, const Setting& setting, std::string_view text, const ConfigLocation& where)
{
    if (!setting.assign(config, text)) {
        throw bad_value(setting, in_quotes(text), where);
    }
}

}  // namespace stasis
