#include "duration_option.hpp"

#include "stasis/config_error.hpp"
#include "stasis/duration.hpp"

#include <string>

namespace stasis::cli {

CLI::Validator duration_validator()
{
    return CLI::Validator(
        [](const std::string& text) {
            try {
                parse_duration(text);
                return std::string();
            } catch (const ConfigError& e) {
                return std::string(e.what());
            }
        },
        "DUR");
}

namespace {

CLI::Validator more_than_zero()
{
    return CLI::Validator(
        [](const std::string& text) {
            auto duration = try_parse_duration(text);
            return duration && duration->count() == 0 ? "a timeout of 0 would give up before any task could stop"
                                                      : std::string();
        },
        "");
}

}  // namespace

void add_freeze_timeout(CLI::App& cmd, std::chrono::seconds& timeout)
{
    cmd.add_option_function<std::string>(
           "--freeze-timeout", [&timeout](const std::string& text) { timeout = parse_duration(text); },
           "Give up a checkpoint when a task of the job has not stopped within DUR (a vfork parent, "
           "uninterruptible sleep), letting every task go as it was")
        ->check(duration_validator())
        ->check(more_than_zero())
        ->default_str(format_duration(timeout));
}

}  // namespace stasis::cli
