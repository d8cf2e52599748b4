// The plugin's options as the user types them to sbatch.
#include "job_options.hpp"
#include "plugin_error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;
using stasis::spank::check_option_combination;
using stasis::spank::JobOption;
using stasis::spank::JobOptions;
using stasis::spank::PluginError;

namespace {

std::string option_error(JobOption which, const std::string& value)
{
    JobOptions options;
    try {
        take_job_option(options, which, value);
    } catch (const PluginError& e) {
        return e.what();
    }
    FAIL("accepted: " << value);
    return {};
}

}  // namespace

TEST_CASE("options: good values are taken, and ask for checkpoints")
{
    JobOptions options;
    CHECK_FALSE(options.wants_checkpoints());
    take_job_option(options, JobOption::interval, "1:00:00");
    CHECK(options.interval == 3600s);
    CHECK(options.wants_checkpoints());
    take_job_option(options, JobOption::dir, "/scratch/ckpt");
    CHECK(options.dir == "/scratch/ckpt");
    take_job_option(options, JobOption::keep, "1000");
    CHECK(options.keep == 1000U);
    CHECK_NOTHROW(check_option_combination(options));
}

TEST_CASE("options: a bad value is one line naming the option")
{
    CHECK(option_error(JobOption::keep, "0") ==
          "--checkpoint-keep: expected a number of generations from 1 to 1000, got \"0\"");
    CHECK(option_error(JobOption::keep, "3x").starts_with("--checkpoint-keep: "));
    CHECK(option_error(JobOption::dir, "relative") == "--checkpoint-dir: expected an absolute path, got \"relative\"");
    CHECK(option_error(JobOption::interval, "soon").starts_with("--checkpoint-interval: invalid duration \"soon\""));
}

TEST_CASE("options: --no-checkpoint refuses checkpoints, and the other options")
{
    JobOptions options;
    take_job_option(options, JobOption::no_checkpoint, "");
    CHECK_FALSE(options.wants_checkpoints());
    CHECK_NOTHROW(check_option_combination(options));
    take_job_option(options, JobOption::keep, "3");
    CHECK_FALSE(options.wants_checkpoints());
    CHECK_THROWS_AS(check_option_combination(options), PluginError);
}
