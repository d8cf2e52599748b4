#include "job_options.hpp"

#include "plugin_error.hpp"

#include <stasis/config_error.hpp>
#include <stasis/duration.hpp>

#include <charconv>

namespace stasis::spank {

namespace {

JobOptions options;

enum OptionId { interval_id = 1, dir_id, keep_id, no_checkpoint_id };

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

void take_option(int id, std::string_view value)
{
    switch (id) {
    case interval_id: options.interval = parse_interval(value); break;
    case dir_id: options.dir = parse_dir(value); break;
    case keep_id: options.keep = parse_keep(value); break;
    case no_checkpoint_id: options.no_checkpoint = true; break;
    default: break;
    }
}

// Slurm calls this for each option, in sbatch (remote == 0) and again in
// slurmstepd; a non-zero return fails the submission.
int on_option(int id, const char* value, int /*remote*/)
{
    try {
        take_option(id, value ? value : "");
        return 0;
    } catch (const std::exception& e) {
        slurm_error("stasis: %s", e.what());
        return -1;
    }
}

struct spank_option option_table[] = {
    {const_cast<char*>("checkpoint-interval"), const_cast<char*>("time"),
     const_cast<char*>("Checkpoint the job at this interval (e.g. 30, 1:00:00, 2h) and resume it after "
                       "preemption or its time limit (stasis)"),
     1, interval_id, on_option},
    {const_cast<char*>("checkpoint-dir"), const_cast<char*>("path"),
     const_cast<char*>("Keep the job's checkpoints under this directory instead of the site's (stasis)"), 1, dir_id,
     on_option},
    {const_cast<char*>("checkpoint-keep"), const_cast<char*>("n"),
     const_cast<char*>("Number of checkpoint generations to keep (stasis)"), 1, keep_id, on_option},
    {const_cast<char*>("no-checkpoint"), nullptr, const_cast<char*>("Run the job without checkpoints (stasis)"), 0,
     no_checkpoint_id, on_option},
};

}  // namespace

const JobOptions& job_options()
{
    return options;
}

void register_job_options(spank_t spank)
{
    for (auto& option : option_table) {
        if (spank_option_register(spank, &option) != ESPANK_SUCCESS) {
            throw PluginError(std::string("cannot register the option --") + option.name);
        }
    }
}

void check_option_combination()
{
    if (options.no_checkpoint && (options.interval || options.dir || options.keep)) {
        throw PluginError("--no-checkpoint cannot be combined with --checkpoint-interval, --checkpoint-dir or "
                          "--checkpoint-keep");
    }
}

}  // namespace stasis::spank
