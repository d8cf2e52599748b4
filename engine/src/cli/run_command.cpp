// `stasis run`: the command line of the agent (docs/run.md).
#include <stasis/generation_name.hpp>
#include <stasis/run.hpp>
#include "commands.hpp"
#include "duration_option.hpp"
#include "relaunch_option.hpp"
#include "stasis/duration.hpp"

#include <cctype>
#include <algorithm>
#include <cstdlib>
#include <vector>
#include <memory>

namespace stasis::cli {

namespace {

struct RunArguments {
    RunArguments() { options.root = "stasis-checkpoints"; }
    RunOptions options;
    std::string interval = "30m";
    std::string stop_after;   // empty: not given
    std::string compress = "auto";
    std::string resume_from;  // empty: not given
    std::string log_level = "info";
    std::string step_place;  // LAUNCHER:RANK; empty: not given
};

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

void add_resume_options(CLI::App& cmd, RunArguments& args)
{
    auto* from = cmd.add_option("--resume-from", args.resume_from,
                                "Resume from this generation of ROOT (or an older one if it does not verify), "
                                "never from a newer one")
                     ->check(generation_validator());
    cmd.add_flag("--fresh", args.options.fresh, "Never resume: remove ROOT's checkpoints and start CMD anew")
        ->excludes(from);
}

bool all_digits(const std::string& text)
{
    return !text.empty() && text.size() <= 10 && std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
}

bool is_step_label(const std::string& text)
{
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
    });
}

// LAUNCHER:RANK[:STEP]
std::optional<RunOptions::StepTaskPlace> parse_step_place(const std::string& text)
{
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (auto colon = text.find(':'); colon != std::string::npos; colon = text.find(':', start)) {
        fields.push_back(text.substr(start, colon - start));
        start = colon + 1;
    }
    fields.push_back(text.substr(start));
    if (fields.size() < 2 || fields.size() > 3 || !all_digits(fields[0]) || !all_digits(fields[1]) ||
        (fields.size() == 3 && !is_step_label(fields[2]))) {
        return std::nullopt;
    }
    auto launcher = std::stoul(fields[0]);
    auto rank = std::stoul(fields[1]);
    if (launcher == 0 || launcher > 0x3fffffffUL || rank > 1000000000UL) {
        return std::nullopt;
    }
    return RunOptions::StepTaskPlace{static_cast<pid_t>(launcher), static_cast<unsigned>(rank),
                                     fields.size() == 3 ? fields[2] : std::string()};
}

// The options that only the job's own agent uses exclude --step-of.
void add_step_of(CLI::App& cmd, RunArguments& args)
{
    auto* step_of = cmd.add_option("--step-of", args.options.step_of,
                                   "Only guard CMD, a task of another step of the job checkpointed into this ROOT: "
                                   "a scheduler's signal to it is held and passed to that job's agent (ROOT/STOP)");
    for (const char* name : {"--dir", "--interval", "--keep", "--stop-after", "--keep-output", "--resume-from",
                             "--fresh"}) {
        step_of->excludes(name);
    }
    cmd.add_option("--part", args.step_place,
                   "With --step-of: CMD is task RANK of the step (named STEP) that process LAUNCHER of the job "
                   "started; it is checkpointed with the job")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return parse_step_place(text) ? std::string()
                                              : "invalid --part \"" + text + "\": expected LAUNCHER:RANK[:STEP], two numbers and a name";
            },
            "LAUNCHER:RANK[:STEP]"))
        ->needs(step_of);
    cmd.add_option("--resume-part", args.options.resume_part,
                   "With --step-of: restore the task from this part of a generation instead of starting CMD")
        ->needs(step_of);
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
    add_freeze_timeout(*cmd, args->options.freeze_timeout);
    add_relaunch(*cmd, args->options.relaunch);
    cmd->add_option("--job", args->options.job,
                    "The job's name as its scheduler knows it (cluster, job id, user, ...): recorded in every "
                    "checkpoint; a resume refuses checkpoints of another job");
    cmd->add_flag("--keep-output", args->options.keep_output,
                  "Keep the job's stdout/stderr files in each checkpoint; a resume puts them back");
    cmd->add_option("--compress", args->compress, "Page compression of every checkpoint")
        ->check(CLI::IsMember(compression_names()))
        ->capture_default_str();
    cmd->add_option("--compress-level", args->options.level, "zstd level")
        ->check(CLI::Range(1, 19))
        ->capture_default_str();
    cmd->add_option("--workers", args->options.workers,
                    "Threads that compress and write each checkpoint (0: one per core the job may run on)")
        ->check(CLI::Range(0U, 256U))
        ->capture_default_str();
    cmd->add_flag("--no-write-tracking{false}", args->options.write_tracking,
                  "Read the whole job at every checkpoint and compare chunk checksums, instead of tracking its "
                  "writes (for memory a device writes behind the page tables' back, such as RDMA buffers)");
    cmd->add_option("--log-level", args->log_level, "What the agent logs on stderr")
        ->check(CLI::IsMember(log_level_names()))
        ->capture_default_str();
    add_resume_options(*cmd, *args);
    add_step_of(*cmd, *args);
    cmd->add_option("command", args->options.command, "The job's command and its arguments, after --")->required();
    cmd->callback([args] {
        args->options.interval = parse_duration(args->interval);
        // Names CLI11 checked against the same lists.
        args->options.compression = *compression_named(args->compress);
        args->options.log_level = *log_level_named(args->log_level);
        if (!args->stop_after.empty()) {
            args->options.stop_after = parse_duration(args->stop_after);
        }
        if (!args->resume_from.empty()) {
            args->options.resume_from = args->resume_from;
        }
        if (!args->step_place.empty()) {
            args->options.step_place = parse_step_place(args->step_place);
        }
        std::exit(run(args->options));
    });
}

}  // namespace stasis::cli
