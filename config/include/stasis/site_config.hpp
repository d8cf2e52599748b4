#pragma once
// The site's settings, /etc/stasis/stasis.yaml (docs/config.md): one loader
// for the engine and the Slurm plugin, so both read a file the same way.
#include "stasis/config_error.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stasis {

// automatic: zstd for the chunks whose compression saves more write time
// than it takes (docs/config.md), the rest stored as they are.
enum class Compression { automatic, zstd, none };

enum class LogLevel { trace, debug, info, warn, error };

// The defaults are what an empty file gives.
struct SiteConfig {
    std::filesystem::path checkpoint_dir = "/var/spool/stasis";  // absolute; one subdirectory per job
    unsigned keep = 2;                                            // committed generations retained, 1..1000
    Compression compression = Compression::automatic;
    int compression_level = 1;                                    // zstd level, 1..19
    std::chrono::seconds min_interval = std::chrono::minutes(5);  // shorter user intervals are raised to this
    // For a job that asks for checkpoints without saying how often (PBS's `qsub -c c`).
    std::chrono::seconds default_interval = std::chrono::minutes(30);
    std::chrono::seconds walltime_margin = std::chrono::minutes(5);  // checkpoint this long before the time limit
    LogLevel log_level = LogLevel::info;
    // Threads that checksum, compress and write a checkpoint; 0: one per
    // core of the job's allocation (`stasis run --workers`).
    unsigned workers = 0;
    // Track jobs' writes where the kernel allows (false: `stasis run
    // --no-write-tracking`, for a site whose jobs' memory devices write,
    // such as RDMA buffers).
    bool write_tracking = true;

    bool operator==(const SiteConfig&) const = default;
};

// Reads and checks FILE. Throws ConfigError, one line naming the file, the
// line and the key: "FILE:3: keep: expected an integer from 1 to 1000, got \"many\"".
SiteConfig load_site_config(const std::filesystem::path& file);

// The same for YAML text; SOURCE_NAME stands for the file in messages.
SiteConfig parse_site_config(std::string_view yaml_text, std::string_view source_name);

// The names the file takes for these values, as the `stasis` command takes
// them too: "auto", "zstd", "none"; "trace" ... "error".
std::string_view compression_name(Compression compression);
std::string_view log_level_name(LogLevel level);
std::vector<std::string> compression_names();
std::vector<std::string> log_level_names();
std::optional<Compression> compression_named(std::string_view name);
std::optional<LogLevel> log_level_named(std::string_view name);

// Sets one key from "KEY=VALUE" (a plugin argument such as keep=3), checked
// as in the file; messages name the source "plugin argument".
void apply_override(SiteConfig& config, std::string_view key_equals_value);

}  // namespace stasis
