#include "step_plan.hpp"

#include "utc_time.hpp"

#include <stasis/duration.hpp>
#include <stasis/restart_metadata.hpp>
#include <stasis/step_parts.hpp>

#include <algorithm>

namespace stasis::spank {

std::vector<std::string> StepPlan::run_arguments(std::chrono::system_clock::time_point now) const
{
    std::vector<std::string> args = {"--dir",
                                     root.string(),
                                     "--interval",
                                     std::to_string(interval.count()) + "s",
                                     "--keep",
                                     std::to_string(keep),
                                     "--keep-output",
                                     "--compress",
                                     std::string(compression_name(compression)),
                                     "--compress-level",
                                     std::to_string(compression_level),
                                     "--log-level",
                                     std::string(log_level_name(log_level)),
                                     "--workers",
                                     std::to_string(workers),
                                     "--relaunch",
                                     srun_program};
    if (!write_tracking) {
        args.emplace_back("--no-write-tracking");
    }
    if (stop_at) {
        auto left = std::chrono::floor<std::chrono::seconds>(*stop_at - now);
        args.insert(args.end(), {"--stop-after", std::to_string(std::max<long>(left.count(), 0)) + "s"});
    }
    if (!job.empty()) {
        args.insert(args.end(), {"--job", job});
    }
    if (resume_from) {
        args.insert(args.end(), {"--resume-from", *resume_from});
    } else {
        args.emplace_back("--fresh");
    }
    return args;
}

std::vector<std::string> StepTaskPlan::run_arguments(unsigned rank) const
{
    std::vector<std::string> args = {"--step-of",
                                     root.string(),
                                     "--log-level",
                                     std::string(log_level_name(log_level)),
                                     "--compress",
                                     std::string(compression_name(compression)),
                                     "--compress-level",
                                     std::to_string(compression_level)};
    if (launcher) {
        args.insert(args.end(), {"--part", std::to_string(*launcher) + ":" + std::to_string(rank) + ":" + std::to_string(step)});
    }
    if (resume) {
        auto part = resume->generation / contract::parts_dir / contract::part_name(resume->launcher, rank);
        args.insert(args.end(), {"--resume-part", part.string()});
    }
    return args;
}

std::string job_name(const JobRecord& record, std::uint32_t job_id, uid_t uid,
                     std::chrono::system_clock::time_point now)
{
    if (auto metadata = contract::find_restart_metadata(record.admin_comment); metadata && !metadata->job.empty()) {
        return metadata->job;
    }
    return "slurm:" + (record.cluster.empty() ? std::string("cluster") : record.cluster) + ":" +
           std::to_string(job_id) + ":uid=" + std::to_string(uid) + ":start=" + utc_text(now);
}

std::chrono::seconds effective_interval(const SiteConfig& settings, const JobOptions& options)
{
    auto interval = options.interval.value_or(std::chrono::seconds{0});
    if (interval.count() > 0 && interval < settings.min_interval) {
        return settings.min_interval;
    }
    return interval;
}

WalltimeStop walltime_stop(const SiteConfig& settings, const JobRecord& record,
                           std::chrono::system_clock::time_point now)
{
    if (!record.end_time) {
        return {};
    }
    if (!record.requeue_allowed) {
        return {std::nullopt, "the job may not be requeued (--no-requeue); no checkpoint before its time limit"};
    }
    auto at = std::chrono::system_clock::from_time_t(*record.end_time) - settings.walltime_margin;
    if (std::chrono::floor<std::chrono::seconds>(at - now).count() <= 0) {
        return {std::nullopt, "the time limit is closer than walltime_margin (" +
                                  format_duration(settings.walltime_margin) + "); no checkpoint before it"};
    }
    return {at, {}};
}

}  // namespace stasis::spank
