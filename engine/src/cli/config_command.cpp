// `stasis config [FILE] [--json]`: check the site configuration and show
// the settings it gives (docs/config.md). Scheduler glue that cannot link
// the loader (PBS hooks are Python) takes the settings from --json, so a
// file is accepted or refused by the one loader everywhere.
#include "commands.hpp"

#include <stasis/duration.hpp>
#include <stasis/site_config.hpp>

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace stasis::cli {

namespace {

struct ConfigArguments {
    std::string file = "/etc/stasis/stasis.yaml";
    bool json = false;
};

nlohmann::ordered_json settings_json(const SiteConfig& c)
{
    return {
        {"checkpoint_dir", c.checkpoint_dir.string()},
        {"keep", c.keep},
        {"compression", compression_name(c.compression)},
        {"compression_level", c.compression_level},
        {"min_interval", c.min_interval.count()},
        {"default_interval", c.default_interval.count()},
        {"walltime_margin", c.walltime_margin.count()},
        {"log_level", log_level_name(c.log_level)},
        {"workers", c.workers},
        {"write_tracking", c.write_tracking},
    };
}

void print_settings(const SiteConfig& c, std::ostream& out)
{
    out << "checkpoint_dir: " << c.checkpoint_dir.string() << "\n"
        << "keep: " << c.keep << "\n"
        << "compression: " << compression_name(c.compression) << "\n"
        << "compression_level: " << c.compression_level << "\n"
        << "min_interval: " << format_duration(c.min_interval) << "\n"
        << "default_interval: " << format_duration(c.default_interval) << "\n"
        << "walltime_margin: " << format_duration(c.walltime_margin) << "\n"
        << "log_level: " << log_level_name(c.log_level) << "\n"
        << "workers: " << c.workers << "\n"
        << "write_tracking: " << (c.write_tracking ? "true" : "false") << "\n";
}

}  // namespace

void add_config(CLI::App& app)
{
    auto args = std::make_shared<ConfigArguments>();
    auto* cmd = app.add_subcommand("config", "Check the site configuration FILE and show its settings");
    cmd->add_option("file", args->file, "Site configuration")->capture_default_str();
    cmd->add_flag("--json", args->json, "Machine-readable output, durations in seconds (docs/config.md)");
    cmd->callback([args] {
        auto config = load_site_config(args->file);
        if (args->json) {
            std::cout << settings_json(config).dump() << "\n";
        } else {
            print_settings(config, std::cout);
        }
    });
}

}  // namespace stasis::cli
