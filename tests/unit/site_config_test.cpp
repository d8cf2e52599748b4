// The site configuration: stasis.yaml, its defaults, its one-line errors,
// and plugin arguments overriding single keys.
#include "stasis/site_config.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using stasis::test::TempDir;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using stasis::Compression;
using stasis::ConfigError;
using stasis::LogLevel;
using stasis::SiteConfig;

namespace {

constexpr const char* file = "/etc/stasis/stasis.yaml";

SiteConfig parse(const std::string& yaml)
{
    return stasis::parse_site_config(yaml, file);
}

// The message of the ConfigError that parsing YAML throws.
std::string parse_error(const std::string& yaml)
{
    try {
        parse(yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("accepted: " << yaml);
    return {};
}

std::string override_error(const std::string& argument)
{
    SiteConfig config;
    try {
        stasis::apply_override(config, argument);
    } catch (const ConfigError& e) {
        CHECK(config == SiteConfig{});
        return e.what();
    }
    FAIL("accepted: " << argument);
    return {};
}

SiteConfig overridden(const std::string& argument)
{
    SiteConfig config;
    stasis::apply_override(config, argument);
    return config;
}

}  // namespace

TEST_CASE("the defaults are the contract's")
{
    SiteConfig config;
    CHECK(config.checkpoint_dir == "/var/spool/stasis");
    CHECK(config.keep == 2);
    CHECK(config.compression == Compression::automatic);
    CHECK(config.compression_level == 1);
    CHECK(config.min_interval == 5min);
    CHECK(config.default_interval == 30min);
    CHECK(config.walltime_margin == 5min);
    CHECK(config.log_level == LogLevel::info);
}

TEST_CASE("a file without settings gives the defaults")
{
    for (std::string empty : {"", "\n", "# only a comment\n", "---\n", "--- ~\n", "~\n", "{}\n"}) {
        CAPTURE(empty);
        CHECK(parse(empty) == SiteConfig{});
    }
}

TEST_CASE("the shipped stasis.yaml spells out the defaults")
{
    auto shipped = fs::path(__FILE__).parent_path().parent_path().parent_path() / "config" / "stasis.yaml";
    CHECK(stasis::load_site_config(shipped) == SiteConfig{});
}

TEST_CASE("every key takes its values")
{
    auto config = parse("checkpoint_dir: /scratch/ckpt\n"
                        "keep: 1000\n"
                        "compression: none\n"
                        "compression_level: 19\n"
                        "min_interval: 1:30\n"
                        "walltime_margin: 1-0\n"
                        "log_level: trace\n"
                        "workers: 256\n"
                        "write_tracking: false\n");
    CHECK(config.checkpoint_dir == "/scratch/ckpt");
    CHECK(config.keep == 1000);
    CHECK(config.compression == Compression::none);
    CHECK(config.compression_level == 19);
    CHECK(config.min_interval == 90s);
    CHECK(config.walltime_margin == 24h);
    CHECK(config.log_level == LogLevel::trace);
    CHECK(config.workers == 256);
    CHECK_FALSE(config.write_tracking);
}

TEST_CASE("workers and write_tracking refuse what they cannot take")
{
    CHECK(parse("write_tracking: true").write_tracking);
    CHECK(parse_error("workers: 257") ==
          "/etc/stasis/stasis.yaml:1: workers: expected an integer from 0 to 256, got \"257\"");
    CHECK(parse_error("write_tracking: yes") ==
          "/etc/stasis/stasis.yaml:1: write_tracking: expected true or false, got \"yes\"");
}

TEST_CASE("keys left out keep their defaults")
{
    auto config = parse("keep: 7\n");
    SiteConfig expected;
    expected.keep = 7;
    CHECK(config == expected);
}

TEST_CASE("the lowest values of each range are taken")
{
    auto config = parse("keep: 1\ncompression_level: 1\nmin_interval: 0\nwalltime_margin: 0s\n");
    CHECK(config.keep == 1);
    CHECK(config.compression_level == 1);
    CHECK(config.min_interval == 0s);
    CHECK(config.walltime_margin == 0s);
}

TEST_CASE("every log level")
{
    CHECK(parse("log_level: trace").log_level == LogLevel::trace);
    CHECK(parse("log_level: debug").log_level == LogLevel::debug);
    CHECK(parse("log_level: info").log_level == LogLevel::info);
    CHECK(parse("log_level: warn").log_level == LogLevel::warn);
    CHECK(parse("log_level: error").log_level == LogLevel::error);
}

TEST_CASE("durations in Slurm's formats and with units")
{
    CHECK(parse("min_interval: 10").min_interval == 10min);
    CHECK(parse("min_interval: 2:30").min_interval == 2min + 30s);
    CHECK(parse("min_interval: 1:02:03").min_interval == 1h + 2min + 3s);
    CHECK(parse("min_interval: 1-2").min_interval == 26h);
    CHECK(parse("min_interval: 1-2:30").min_interval == 26h + 30min);
    CHECK(parse("min_interval: 1-2:30:15").min_interval == 26h + 30min + 15s);
    CHECK(parse("walltime_margin: 30s").walltime_margin == 30s);
    CHECK(parse("default_interval: 1:30:00").default_interval == 90min);
    CHECK(parse("walltime_margin: 10m").walltime_margin == 10min);
    CHECK(parse("walltime_margin: 2h").walltime_margin == 2h);
    CHECK(parse("walltime_margin: 1d").walltime_margin == 24h);
}

TEST_CASE("quoted scalars are values like plain ones")
{
    CHECK(parse("keep: \"3\"").keep == 3);
    CHECK(parse("log_level: 'debug'").log_level == LogLevel::debug);
    CHECK(parse("checkpoint_dir: \"/with space/x\"").checkpoint_dir == "/with space/x");
}

TEST_CASE("bad values name the file, the line, the key and the value")
{
    CHECK(parse_error("\n\nkeep: many\n") ==
          "/etc/stasis/stasis.yaml:3: keep: expected an integer from 1 to 1000, got \"many\"");
    CHECK(parse_error("keep: 0") == "/etc/stasis/stasis.yaml:1: keep: expected an integer from 1 to 1000, got \"0\"");
    CHECK(parse_error("keep: 1001") ==
          "/etc/stasis/stasis.yaml:1: keep: expected an integer from 1 to 1000, got \"1001\"");
    CHECK(parse_error("keep: -1") == "/etc/stasis/stasis.yaml:1: keep: expected an integer from 1 to 1000, got \"-1\"");
    CHECK(parse_error("checkpoint_dir: spool/stasis") ==
          "/etc/stasis/stasis.yaml:1: checkpoint_dir: expected an absolute path, got \"spool/stasis\"");
    CHECK(parse_error("compression: lz4") == "/etc/stasis/stasis.yaml:1: compression: expected auto, zstd or none, got \"lz4\"");
    CHECK(parse_error("compression_level: 20") ==
          "/etc/stasis/stasis.yaml:1: compression_level: expected an integer from 1 to 19, got \"20\"");
    CHECK(parse_error("min_interval: 5x") ==
          "/etc/stasis/stasis.yaml:1: min_interval: expected a duration (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or a "
          "number with s, m, h or d), got \"5x\"");
    CHECK(parse_error("walltime_margin: soon") ==
          "/etc/stasis/stasis.yaml:1: walltime_margin: expected a duration (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or a "
          "number with s, m, h or d), got \"soon\"");
    CHECK(parse_error("log_level: verbose") ==
          "/etc/stasis/stasis.yaml:1: log_level: expected trace, debug, info, warn or error, got \"verbose\"");
}

TEST_CASE("integers are plain decimal numbers")
{
    for (std::string bad : {"+3", "3.0", "0x3", "3e0", "1_000", "99999999999999999999", "\"\""}) {
        CAPTURE(bad);
        CHECK(parse_error("keep: " + bad).starts_with("/etc/stasis/stasis.yaml:1: keep: expected an integer"));
    }
}

TEST_CASE("a map, a list or nothing where a value belongs")
{
    CHECK(parse_error("keep:\n  a: 1\n") == "/etc/stasis/stasis.yaml:1: keep: expected an integer from 1 to 1000, got a map");
    CHECK(parse_error("log_level: [info]\n") ==
          "/etc/stasis/stasis.yaml:1: log_level: expected trace, debug, info, warn or error, got a list");
    CHECK(parse_error("compression:\n") == "/etc/stasis/stasis.yaml:1: compression: expected auto, zstd or none, got nothing");
    CHECK(parse_error("compression: ~\n") == "/etc/stasis/stasis.yaml:1: compression: expected auto, zstd or none, got nothing");
}

TEST_CASE("a value over several lines is shown on the message's one line")
{
    CHECK(parse_error("keep: |\n  many\n  more\n") ==
          "/etc/stasis/stasis.yaml:1: keep: expected an integer from 1 to 1000, got \"many\\nmore\\n\"");
    CHECK(parse_error("log_level: \"a\\tb\\\"c\"\n") ==
          "/etc/stasis/stasis.yaml:1: log_level: expected trace, debug, info, warn or error, got \"a\\x09b\\\"c\"");
}

TEST_CASE("unknown and duplicate keys")
{
    CHECK(parse_error("keep: 2\n\n# typo\n\nkeeep: 3\n") == "/etc/stasis/stasis.yaml:5: unknown key \"keeep\"");
    CHECK(parse_error("Keep: 2\n") == "/etc/stasis/stasis.yaml:1: unknown key \"Keep\"");
    CHECK(parse_error("keep: 2\nlog_level: info\nkeep: 3\n") ==
          "/etc/stasis/stasis.yaml:3: keep: set twice, first on line 1");
    CHECK(parse_error("{keep: 2, keep: 2}") == "/etc/stasis/stasis.yaml:1: keep: set twice, first on line 1");
    CHECK(parse_error("? [a, b]\n: 1\n") == "/etc/stasis/stasis.yaml:1: expected a key name, got a list");
}

TEST_CASE("a file that is not a map of settings")
{
    CHECK(parse_error("- keep: 2\n") == "/etc/stasis/stasis.yaml:1: expected a map of settings, got a list");
    CHECK(parse_error("\nkeep\n") == "/etc/stasis/stasis.yaml:2: expected a map of settings, got \"keep\"");
    CHECK(parse_error("keep: 2\n---\nkeep: 3\n") ==
          "/etc/stasis/stasis.yaml:3: expected one YAML document, found a second");
}

TEST_CASE("YAML syntax errors carry the parser's line")
{
    CHECK(parse_error("keep: 2\nlog_level: [info\n") ==
          "/etc/stasis/stasis.yaml:3: invalid YAML: end of sequence flow not found");
    CHECK(parse_error("keep: 2\n  compression: none\n") == "/etc/stasis/stasis.yaml:2: invalid YAML: illegal map value");
}

TEST_CASE("errors are one line")
{
    for (std::string bad : {"keep: |\n  a\n  b\n", "\"a\\nb\": 1\n", "keep: [\n", "- a\n- b\n"}) {
        CAPTURE(bad);
        CHECK(parse_error(bad).find('\n') == std::string::npos);
    }
}

TEST_CASE("a file is read and its path names it in errors")
{
    TempDir dir;
    auto good = dir.write("good.yaml", "keep: 5\nwalltime_margin: 10m\n");
    auto config = stasis::load_site_config(good);
    CHECK(config.keep == 5);
    CHECK(config.walltime_margin == 10min);

    auto bad = dir.write("bad.yaml", "keep: 5\nkeeep: 3\n");
    CHECK_THROWS_WITH_AS(stasis::load_site_config(bad), (bad.string() + ":2: unknown key \"keeep\"").c_str(),
                         ConfigError);
}

TEST_CASE("a file that cannot be read")
{
    TempDir dir;
    auto missing = dir.path() / "missing.yaml";
    CHECK_THROWS_WITH_AS(stasis::load_site_config(missing),
                         (missing.string() + ": cannot read: No such file or directory").c_str(), ConfigError);
    CHECK_THROWS_WITH_AS(stasis::load_site_config(dir.path()),
                         (dir.path().string() + ": cannot read: Is a directory").c_str(), ConfigError);
    if (::geteuid() != 0) {  // root reads whatever the mode says
        auto secret = dir.write("secret.yaml", "keep: 3\n");
        fs::permissions(secret, fs::perms::none);
        CHECK_THROWS_WITH_AS(stasis::load_site_config(secret),
                             (secret.string() + ": cannot read: Permission denied").c_str(), ConfigError);
    }
}

TEST_CASE("plugin arguments override single keys")
{
    CHECK(overridden("keep=3").keep == 3);
    CHECK(overridden("checkpoint_dir=/scratch/a=b").checkpoint_dir == "/scratch/a=b");
    CHECK(overridden("compression=none").compression == Compression::none);
    CHECK(overridden("compression_level=9").compression_level == 9);
    CHECK(overridden("min_interval=1-0").min_interval == 24h);
    CHECK(overridden("walltime_margin=90s").walltime_margin == 90s);
    CHECK(overridden("log_level=debug").log_level == LogLevel::debug);

    auto config = parse("keep: 5\nlog_level: warn\n");
    stasis::apply_override(config, "keep=3");
    CHECK(config.keep == 3);
    CHECK(config.log_level == LogLevel::warn);
}

TEST_CASE("plugin arguments are checked like the file")
{
    CHECK(override_error("keep=many") == "plugin argument: keep: expected an integer from 1 to 1000, got \"many\"");
    CHECK(override_error("keep=") == "plugin argument: keep: expected an integer from 1 to 1000, got \"\"");
    CHECK(override_error("checkpoint_dir=relative") ==
          "plugin argument: checkpoint_dir: expected an absolute path, got \"relative\"");
    CHECK(override_error("min_interval=5x").starts_with("plugin argument: min_interval: expected a duration ("));
    CHECK(override_error("keeep=3") == "plugin argument: unknown key \"keeep\"");
    CHECK(override_error("keep") == "plugin argument: expected KEY=VALUE, got \"keep\"");
    CHECK(override_error("=3") == "plugin argument: unknown key \"\"");
}

TEST_CASE("compression and log_level names are the ones the file takes")
{
    for (const char* name : {"auto", "zstd", "none"}) {
        CHECK(stasis::compression_name(overridden(std::string("compression=") + name).compression) == name);
    }
    for (const char* name : {"trace", "debug", "info", "warn", "error"}) {
        CHECK(stasis::log_level_name(overridden(std::string("log_level=") + name).log_level) == name);
    }
}
