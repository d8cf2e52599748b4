// `stasis run`: the command line of the agent (docs/run.md).
#include <stasis/generation_name.hpp>
#include <stasis/run.hpp>
#include "commands.hpp"
#include "stasis/config_error.hpp"
#include "stasis/duration.hpp"

#include <cstdlib>
#include <map>
#include <memory>

namespace stasis::cli {

namespace {

struct RunArguments {
    RunArguments() { options.root = "stasis-checkpoints"; }
    RunOptions options;
    std::string interval = "30m";
    std::string stop_after;   // empty: not given
    std::string compress = "zstd";
    std::string resume_from;  // empty: not given
};

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

// A generation of ROOT by its name alone: a path could lead anywhere.
CLI::Validator generation_validator()
{
    return CLI::Validator(
        [](const std::string& text) {
            if (contract::is_committed_generation_name(text)) {
                return std::string();
            }
            return "invalid generation \"" + text + "\": expected a generation name such as gen-000003, not a path";
        },
        "GEN");
}

std::map<std::string, LogLevel> log_levels()
{
    std::map<std::string, LogLevel> levels;
    for (auto level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
        levels.emplace(log_level_name(level), level);
    }
    return levels;
}

void add_resume_options(CLI::App& cmd, RunArguments& args)
{
    auto* from = cmd.add_option("--resume-from", args.resume_from,
                                "Resume from this generation of ROOT (or an older one if it does not verify), "
                                "never from a newer one")
                     ->check(generation_validator());
    cmd.add_flag("--fresh", args.options.fresh, "Never resume: remove ROOT's checkpoints and start CMD anew")
        ->excludes(from);
}

}  // namespace

void add_run(CLI::App& app)
{
    auto args = std::make_shared<RunArguments>();
    auto* cmd = app.add_subcommand("run", "Run CMD with periodic checkpoints and a signal guard; resume it from ROOT");
    cmd->add_option("--dir", args->options.root, "Checkpoint directory ROOT of this job")->capture_default_str();
    cmd->add_option("--interval", args->interval,
                    "Time between checkpoints: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or 30s, 10m, 2h, 1d; 0: none")
        ->check(duration_validator())
        ->capture_default_str();
    cmd->add_option("--keep", args->options.keep, "Committed generations to keep")
        ->check(CLI::Range(1U, 1000000U))
        ->capture_default_str();
    cmd->add_option("--stop-after", args->stop_after,
                    "Checkpoint, end the job and exit 75 this long after the start (a time limit less a margin)")
        ->check(duration_validator());
    cmd->add_flag("--keep-output", args->options.keep_output,
                  "Keep the job's stdout/stderr files in each checkpoint; a resume puts them back");
    cmd->add_option("--compress", args->compress, "Page compression of every checkpoint")
        ->check(CLI::IsMember({"zstd", "none"}))
        ->capture_default_str();
    cmd->add_option("--compress-level", args->options.level, "zstd level")
        ->check(CLI::Range(1, 19))
        ->capture_default_str();
    cmd->add_option("--log-level", args->options.log_level, "What the agent logs: trace, debug, info, warn or error")
        ->transform(CLI::CheckedTransformer(log_levels()))
        ->default_str("info");
    add_resume_options(*cmd, *args);
    cmd->add_option("command", args->options.command, "The job's command and its arguments, after --")->required();
    cmd->callback([args] {
        args->options.interval = parse_duration(args->interval);
        args->options.codec = image::codec_from_name(args->compress);
        if (!args->stop_after.empty()) {
            args->options.stop_after = parse_duration(args->stop_after);
        }
        if (!args->resume_from.empty()) {
            args->options.resume_from = args->resume_from;
        }
        std::exit(run(args->options));
    });
}

}  // namespace stasis::cli
