#include "job_options.hpp"

#include "plugin_error.hpp"

#include <stasis/config_error.hpp>
#include <stasis/duration.hpp>

#include <charconv>

namespace stasis::spank {

namespace {

unsigned parse_keep(std::string_view text)
{
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 1000) {
        throw PluginError("--checkpoint-keep: expected a number of generations from 1 to 1000, got \"" +
                          std::string(text) + "\"");
    }
    return value;
}

std::string parse_dir(std::string_view text)
{
    if (text.empty() || text.front() != '/') {
        throw PluginError("--checkpoint-dir: expected an absolute path, got \"" + std::string(text) + "\"");
    }
    return std::string(text);
}

std::chrono::seconds parse_interval(std::string_view text)
{
    try {
        return parse_duration(text);
    } catch (const ConfigError& e) {
        throw PluginError(std::string("--checkpoint-interval: ") + e.what());
    }
}

}  // namespace

void take_job_option(JobOptions& options, JobOption which, std::string_view value)
{
    switch (which) {
    case JobOption::interval: options.interval = parse_interval(value); break;
    case JobOption::dir: options.dir = parse_dir(value); break;
    case JobOption::keep: options.keep = parse_keep(value); break;
    case JobOption::no_checkpoint: options.no_checkpoint = true; break;
    }
}

void check_option_combination(const JobOptions& options)
{
    if (options.no_checkpoint && (options.interval || options.dir || options.keep)) {
        throw PluginError("--no-checkpoint cannot be combined with --checkpoint-interval, --checkpoint-dir or "
                          "--checkpoint-keep");
    }
}

}  // namespace stasis::spank
