// The plugin's plan for a batch step: the agent's command line, the
// interval against the site's min_interval, the walltime checkpoint.
#include "step_plan.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using stasis::Compression;
using stasis::LogLevel;
using stasis::SiteConfig;
using stasis::spank::JobOptions;
using stasis::spank::JobRecord;
using stasis::spank::StepPlan;

namespace {

const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);

StepPlan sample_plan()
{
    StepPlan plan;
    plan.root = "/var/spool/stasis/42";
    plan.interval = 600s;
    plan.keep = 3;
    plan.compression = Compression::none;
    plan.compression_level = 7;
    plan.log_level = LogLevel::debug;
    return plan;
}

// The value after flag in args, or "" when flag is not there.
std::string value_of(const std::vector<std::string>& args, const std::string& flag)
{
    auto it = std::find(args.begin(), args.end(), flag);
    return it == args.end() || it + 1 == args.end() ? std::string() : *(it + 1);
}

JobOptions interval_option(std::chrono::seconds interval)
{
    JobOptions options;
    options.interval = interval;
    return options;
}

JobRecord limited_record(std::chrono::seconds left, bool requeue_allowed)
{
    JobRecord record;
    record.end_time = std::chrono::system_clock::to_time_t(now + left);
    record.requeue_allowed = requeue_allowed;
    return record;
}

}  // namespace

TEST_CASE("run arguments: every setting of the plan, and a fresh start")
{
    CHECK(sample_plan().run_arguments(now) ==
          std::vector<std::string>{"--dir", "/var/spool/stasis/42", "--interval", "600s", "--keep", "3",
                                   "--keep-output", "--compress", "none", "--compress-level", "7", "--log-level",
                                   "debug", "--workers", "0", "--relaunch", stasis::spank::srun_program, "--fresh"});
}

TEST_CASE("run arguments: the site's workers, and write tracking turned off")
{
    auto plan = sample_plan();
    plan.workers = 6;
    plan.write_tracking = false;
    auto args = plan.run_arguments(now);
    CHECK(value_of(args, "--workers") == "6");
    CHECK(std::count(args.begin(), args.end(), "--no-write-tracking") == 1);
}

TEST_CASE("run arguments: a resume names its generation instead of --fresh")
{
    auto plan = sample_plan();
    plan.resume_from = "gen-000004";
    auto args = plan.run_arguments(now);
    CHECK(value_of(args, "--resume-from") == "gen-000004");
    CHECK(std::count(args.begin(), args.end(), "--fresh") == 0);
}

TEST_CASE("run arguments: every log level is passed by its name")
{
    auto plan = sample_plan();
    for (auto [level, name] : {std::pair{LogLevel::trace, "trace"}, std::pair{LogLevel::debug, "debug"},
                               std::pair{LogLevel::info, "info"}, std::pair{LogLevel::warn, "warn"},
                               std::pair{LogLevel::error, "error"}}) {
        plan.log_level = level;
        CHECK(value_of(plan.run_arguments(now), "--log-level") == name);
    }
}

TEST_CASE("run arguments: --stop-after counts whole seconds from now, rounded down, never below 0")
{
    auto plan = sample_plan();
    CHECK(value_of(plan.run_arguments(now), "--stop-after").empty());
    plan.stop_at = now + 90s;
    CHECK(value_of(plan.run_arguments(now), "--stop-after") == "90s");
    plan.stop_at = now + 90s + 999ms;
    CHECK(value_of(plan.run_arguments(now), "--stop-after") == "90s");
    plan.stop_at = now + 999ms;
    CHECK(value_of(plan.run_arguments(now), "--stop-after") == "0s");
    plan.stop_at = now - 10s;
    CHECK(value_of(plan.run_arguments(now), "--stop-after") == "0s");
}

TEST_CASE("interval: the job's, raised to min_interval; 0 stays 0")
{
    SiteConfig settings;
    settings.min_interval = 300s;
    CHECK(effective_interval(settings, interval_option(600s)) == 600s);
    CHECK(effective_interval(settings, interval_option(300s)) == 300s);
    CHECK(effective_interval(settings, interval_option(30s)) == 300s);
    CHECK(effective_interval(settings, interval_option(0s)) == 0s);
    CHECK(effective_interval(settings, JobOptions{}) == 0s);
    settings.min_interval = 0s;
    CHECK(effective_interval(settings, interval_option(1s)) == 1s);
}

TEST_CASE("walltime: the checkpoint is due walltime_margin before the limit")
{
    SiteConfig settings;
    settings.walltime_margin = 300s;
    auto stop = walltime_stop(settings, limited_record(3600s, true), now);
    REQUIRE(stop.at);
    CHECK(*stop.at == now + 3300s);
    CHECK(stop.why_not.empty());
}

TEST_CASE("walltime: no checkpoint without a limit, without requeue, or with the limit too close")
{
    SiteConfig settings;
    settings.walltime_margin = 300s;
    auto unlimited = walltime_stop(settings, JobRecord{}, now);
    CHECK_FALSE(unlimited.at);
    CHECK(unlimited.why_not.empty());

    auto no_requeue = walltime_stop(settings, limited_record(3600s, false), now);
    CHECK_FALSE(no_requeue.at);
    CHECK(no_requeue.why_not.find("--no-requeue") != std::string::npos);

    for (auto left : {300s, 200s, 0s}) {
        auto too_close = walltime_stop(settings, limited_record(left, true), now);
        CHECK_FALSE(too_close.at);
        CHECK(too_close.why_not.find("walltime_margin (5m)") != std::string::npos);
    }
    CHECK(walltime_stop(settings, limited_record(301s, true), now).at);
}

// The plan for a task of one of the job's other steps (srun): guarded under
// --step-of, with its part named once its launcher is known, and resumed
// from its own part when a relaunched srun starts the step again.

TEST_CASE("step task arguments: without a launcher only --step-of and the log level")
{
    stasis::spank::StepTaskPlan plan;
    plan.root = "/var/spool/stasis/42";
    plan.log_level = LogLevel::warn;
    plan.compression = stasis::Compression::none;
    plan.compression_level = 5;
    CHECK(plan.run_arguments(3) == std::vector<std::string>{"--step-of", "/var/spool/stasis/42", "--log-level", "warn",
                                                            "--compress", "none", "--compress-level", "5"});
}

TEST_CASE("step task arguments: with a launcher the task writes its part, named LAUNCHER:RANK:STEP")
{
    // The part's name comes from the launcher and rank; Slurm's step id
    // only goes into the record.
    stasis::spank::StepTaskPlan plan;
    plan.root = "/var/spool/stasis/42";
    plan.launcher = 1234;
    plan.step = 17;
    CHECK(plan.run_arguments(3) == std::vector<std::string>{"--step-of", "/var/spool/stasis/42", "--log-level",
                                                            "info", "--compress", "auto", "--compress-level", "1",
                                                            "--part", "1234:3:17"});
    CHECK(value_of(plan.run_arguments(0), "--part") == "1234:0:17");
    CHECK(value_of(plan.run_arguments(3), "--resume-part").empty());
}

TEST_CASE("step task arguments: a resumed task restores the part of its rank under the old launcher's name")
{
    // The relaunched srun has a new pid; the parts are named by the old one.
    stasis::spank::StepTaskPlan plan;
    plan.root = "/var/spool/stasis/42";
    plan.launcher = 5678;
    plan.resume = stasis::spank::StepTaskPlan::Resume{.generation = "/var/spool/stasis/42/gen-000004",
                                                      .launcher = 1234};
    auto args = plan.run_arguments(3);
    CHECK(value_of(args, "--part") == "5678:3:0");
    CHECK(value_of(args, "--resume-part") == "/var/spool/stasis/42/gen-000004/parts/launcher-1234.task-3");
    CHECK(value_of(plan.run_arguments(0), "--resume-part") ==
          "/var/spool/stasis/42/gen-000004/parts/launcher-1234.task-0");
}

TEST_CASE("job name: a first start names the cluster, the job, the user and now")
{
    JobRecord record;
    record.cluster = "hpc1";
    // 1'800'000'000 s after the epoch is 2027-01-15T08:00:00Z.
    CHECK(stasis::spank::job_name(record, 4242, 1001, now) == "slurm:hpc1:4242:uid=1001:start=2027-01-15T08:00:00Z");
    record.cluster.clear();
    CHECK(stasis::spank::job_name(record, 7, 0, now) == "slurm:cluster:7:uid=0:start=2027-01-15T08:00:00Z");
}

TEST_CASE("job name: a requeued start keeps the name its record holds, whatever the time")
{
    // The same job id on a rebuilt cluster gets a record without it, so a
    // new name: its generations are not the first job's.
    JobRecord record;
    record.cluster = "hpc1";
    record.admin_comment =
        R"(ticket 9 stasis:{"gen":"gen-000003","path":"/spool/4242","job":"slurm:hpc1:4242:uid=1001:start=X"})";
    CHECK(stasis::spank::job_name(record, 4242, 1001, now + 3600s) == "slurm:hpc1:4242:uid=1001:start=X");
    record.admin_comment = R"(stasis:{"gen":"gen-000003","path":"/spool/4242"})";  // before job names
    CHECK(stasis::spank::job_name(record, 4242, 1001, now).starts_with("slurm:hpc1:4242:uid=1001:start="));
}

TEST_CASE("run arguments: the job's name is passed as --job when set")
{
    auto plan = sample_plan();
    auto args = plan.run_arguments(now);
    CHECK(std::count(args.begin(), args.end(), "--job") == 0);
    plan.job = "slurm:hpc1:42:uid=5:start=T";
    CHECK(value_of(plan.run_arguments(now), "--job") == "slurm:hpc1:42:uid=5:start=T");
}
