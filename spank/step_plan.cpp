#include "step_plan.hpp"

#include "image_programs.hpp"
#include "job_record.hpp"
#include "plugin_error.hpp"
#include "slurm_log.hpp"

#include <stasis/duration.hpp>
#include <stasis/generation_name.hpp>
#include <stasis/restart_metadata.hpp>

#include <algorithm>

namespace stasis::spank {

namespace {

std::chrono::seconds effective_interval(const SiteConfig& settings, const JobOptions& options,
                                        std::uint32_t job_id)
{
    auto interval = options.interval.value_or(std::chrono::seconds{0});
    if (interval.count() > 0 && interval < settings.min_interval) {
        log_info(job_id, "--checkpoint-interval {} is shorter than the site's min_interval; using {}",
                 format_duration(interval), format_duration(settings.min_interval));
        return settings.min_interval;
    }
    return interval;
}

std::filesystem::path job_root(const SiteConfig& settings, const JobOptions& options, const StepFacts& facts)
{
    auto id = std::to_string(facts.job_id);
    if (options.dir) {
        return std::filesystem::path(*options.dir) / id;
    }
    auto root = settings.checkpoint_dir / id;
    prepare_site_root(settings.checkpoint_dir, root, facts.owner);
    return root;
}

// The generation recorded in the job record, if it may be restored: only
// what slurmctld holds is trusted, never what is lying in a directory.
std::optional<std::string> recorded_generation(const JobRecord& record, const StepPlan& plan,
                                               const StepFacts& facts)
{
    auto metadata = contract::find_restart_metadata(record.admin_comment);
    if (!metadata) {
        log_info(facts.job_id, "requeued start without a recorded checkpoint; starting the job anew");
        return std::nullopt;
    }
    if (metadata->path != plan.root.string() || !contract::is_committed_generation_name(metadata->generation)) {
        log_error(facts.job_id, "the recorded checkpoint {}/{} is not in this job's directory {}; starting anew",
                  metadata->path, metadata->generation, plan.root.string());
        return std::nullopt;
    }
    check_owned_by(plan.root, facts.owner);
    auto generation = plan.root / metadata->generation;
    if (std::filesystem::exists(generation)) {
        check_generation_owned_by(generation, facts.owner);
        check_no_privileged_programs(generation);
    }
    return metadata->generation;
}

void plan_walltime_stop(StepPlan& plan, const SiteConfig& settings, const JobRecord& record, std::uint32_t job_id)
{
    if (!record.end_time) {
        return;
    }
    if (!record.requeue_allowed) {
        log_info(job_id, "the job may not be requeued (--no-requeue); no checkpoint before its time limit");
        return;
    }
    auto end = std::chrono::system_clock::from_time_t(*record.end_time);
    auto stop_at = end - settings.walltime_margin;
    auto left = std::chrono::duration_cast<std::chrono::seconds>(stop_at - std::chrono::system_clock::now());
    if (left.count() <= 0) {
        log_info(job_id, "the time limit is closer than walltime_margin ({}); no checkpoint before it",
                 format_duration(settings.walltime_margin));
        return;
    }
    plan.stop_at = stop_at;
}

}  // namespace

std::vector<std::string> StepPlan::run_arguments() const
{
    std::vector<std::string> args = {"--dir",  root.string(), "--interval", std::to_string(interval.count()) + "s",
                                     "--keep", std::to_string(keep), "--keep-output",
                                     "--compress", std::string(compression_name(compression)),
                                     "--compress-level", std::to_string(compression_level)};
    if (stop_at) {
        auto left = std::chrono::duration_cast<std::chrono::seconds>(*stop_at - std::chrono::system_clock::now());
        args.insert(args.end(), {"--stop-after", std::to_string(std::max<long>(left.count(), 0)) + "s"});
    }
    if (resume_from) {
        args.insert(args.end(), {"--resume-from", *resume_from});
    } else {
        args.emplace_back("--fresh");
    }
    return args;
}

StepPlan plan_step(const SiteConfig& settings, const JobOptions& options, const StepFacts& facts)
{
    StepPlan plan;
    plan.interval = effective_interval(settings, options, facts.job_id);
    plan.keep = options.keep.value_or(settings.keep);
    plan.compression = settings.compression;
    plan.compression_level = settings.compression_level;
    plan.root = job_root(settings, options, facts);
    auto record = load_job_record(facts.job_id);
    if (record.restart_count > 0) {
        plan.resume_from = recorded_generation(record, plan, facts);
    }
    plan_walltime_stop(plan, settings, record, facts.job_id);
    return plan;
}

}  // namespace stasis::spank
