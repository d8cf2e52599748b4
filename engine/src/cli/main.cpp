// The `stasis` command: parses the command line and turns every error into
// one line on stderr (exit 1; usage errors exit 2).
#include "commands.hpp"
#include "duration_option.hpp"
#include "relaunch_option.hpp"
#include "slurm_task.hpp"
#include <stasis/dump.hpp>
#include <stasis/error.hpp>
#include <stasis/image.hpp>
#include <stasis/restore.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

struct Commands {
    stasis::DumpOptions dump;
    std::string compress = "auto";
    stasis::RestoreOptions restore;
    std::string dir;
    bool json = false;
};

void add_dump(CLI::App& app, Commands& c)
{
    auto* cmd = app.add_subcommand("dump", "Checkpoint a process and its descendants into DIR");
    cmd->add_option("--pid", c.dump.pid, "Process to checkpoint")->required();
    cmd->add_option("--dir", c.dump.dir, "Image directory to create (must not exist, or be empty)")->required();
    cmd->add_flag("--leave-running", c.dump.leave_running, "Let the process continue after the checkpoint");
    cmd->add_option("--parent", c.dump.parent,
                    "A committed image beside DIR: store only what changed since it, borrow the rest")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--keep-output", c.dump.keep_output,
                  "Save the content of the process's stdout/stderr files, put back at restore");
    cmd->add_option("--compress", c.compress, "Page compression")
        ->check(CLI::IsMember(stasis::compression_names()))
        ->capture_default_str();
    cmd->add_option("--workers", c.dump.workers, "Threads that compress and write (0: one per core it may run on)")
        ->check(CLI::Range(0U, 256U))
        ->capture_default_str();
    stasis::cli::add_freeze_timeout(*cmd, c.dump.freeze_timeout);
    stasis::cli::add_relaunch(*cmd, c.dump.relaunch);
    cmd->callback([&c] {
        c.dump.compression = *stasis::compression_named(c.compress);  // CLI11 checked the name
        auto r = stasis::dump(c.dump);
        spdlog::info("checkpointed pid {} into {}: {}", c.dump.pid, c.dump.dir.string(), stasis::describe(r));
    });
}

void add_restore(CLI::App& app, Commands& c)
{
    auto* cmd = app.add_subcommand("restore", "Restore the process tree saved in DIR");
    cmd->add_option("--dir", c.restore.dir, "Image directory")->required();
    cmd->add_flag("--detach", c.restore.detach, "Return once the process runs instead of waiting for it");
    cmd->add_option("--pidfile", c.restore.pidfile, "Write the restored process's pid here");
    cmd->callback([&c] { std::exit(stasis::restore(c.restore)); });
}

void add_verify(CLI::App& app, Commands& c)
{
    auto* cmd = app.add_subcommand("verify", "Check every checksum of the image in DIR");
    cmd->add_option("--dir", c.dir, "Image directory")->required();
    cmd->callback([&c] { stasis::image::verify_image(c.dir, std::cout); });
}

void add_info(CLI::App& app, Commands& c)
{
    auto* cmd = app.add_subcommand("info", "Describe the image in DIR");
    cmd->add_option("--dir", c.dir, "Image directory")->required();
    cmd->add_flag("--json", c.json, "Machine-readable output");
    cmd->callback([&c] { stasis::image::print_info(c.dir, c.json, std::cout); });
}

}  // namespace

int main(int argc, char** argv)
{
    // stdout may be the job's own output (`stasis run`, a restore's relay):
    // what stasis says goes to stderr.
    spdlog::set_default_logger(spdlog::stderr_logger_st("stasis"));
    spdlog::set_pattern("stasis: %v");
    spdlog::set_level(spdlog::level::warn);
    CLI::App app{"stasis: transparent checkpoint/restart of process trees"};
    app.require_subcommand(1);
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "Log what stasis does; twice (-vv): also the details, for debugging");
    app.parse_complete_callback([&verbosity] {
        if (verbosity > 0) {
            spdlog::set_level(verbosity > 1 ? spdlog::level::debug : spdlog::level::info);
        }
    });
    Commands commands;
    add_dump(app, commands);
    add_restore(app, commands);
    add_verify(app, commands);
    add_info(app, commands);
    stasis::cli::add_run(app);
    stasis::cli::add_list(app);
    stasis::cli::add_checkpoint(app);
    stasis::cli::add_config(app);
    std::vector<std::string> task_line;
    std::vector<char*> task_argv;
    try {
        if (auto line = stasis::cli::slurm_task_command_line(argc, argv)) {
            task_line = std::move(*line);
            for (auto& arg : task_line) {
                task_argv.push_back(arg.data());
            }
            argc = static_cast<int>(task_argv.size());
            argv = task_argv.data();
        }
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "stasis: " << e.what() << " (see stasis --help)\n";
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "stasis: " << e.what() << "\n";
        return exit_failure;
    }
    return 0;
}
