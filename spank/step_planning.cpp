#include "step_planning.hpp"

#include "image_programs.hpp"
#include "job_record.hpp"
#include "plugin_error.hpp"
#include "resume_choice.hpp"

#include <stasis/duration.hpp>

namespace stasis::spank {

namespace {

std::filesystem::path job_root(const SiteConfig& settings, const JobOptions& options, const StepFacts& facts)
{
    auto id = std::to_string(facts.job_id);
    return options.dir ? std::filesystem::path(*options.dir) / id : settings.checkpoint_dir / id;
}

// The batch step's: the site's directory for the job is made here.
std::filesystem::path prepared_job_root(const SiteConfig& settings, const JobOptions& options,
                                        const StepFacts& facts)
{
    auto root = job_root(settings, options, facts);
    if (!options.dir) {
        prepare_site_root(settings.checkpoint_dir, root, facts.owner);
    }
    return root;
}

// The generation the job record names, once its files are the user's and
// the programs it would run are not privileged. One that is missing is left
// to the agent, which falls back to an older one; so is one that `stasis
// info` cannot read, by resuming from the name below it.
std::string vetted_generation(const std::string& generation, const std::filesystem::path& root,
                              const StepFacts& facts, const JobLog& log)
{
    check_owned_by(root, facts.owner);
    auto dir = root / generation;
    if (!std::filesystem::exists(dir)) {
        return generation;
    }
    check_generation_owned_by(dir, facts.owner);
    auto listing = list_image_programs(dir, facts.owner);
    if (listing.failure) {
        auto older = generation_before(generation);
        if (!older) {
            throw PluginError("the recorded checkpoint " + dir.string() + " is refused: " + *listing.failure);
        }
        log.error("the recorded checkpoint {} is refused: {}; the agent falls back to an older one", dir.string(),
                  *listing.failure);
        return *older;
    }
    refuse_privileged_programs(listing.programs);
    log.debug("{}: none of its {} programs is setuid, setgid or has file capabilities", dir.string(),
              listing.programs.size());
    return generation;
}

std::optional<std::string> resume_point(const JobRecord& record, const std::filesystem::path& root,
                                        const StepFacts& facts, const JobLog& log)
{
    auto choice = choose_resume(record, root);
    if (choice.generation) {
        return vetted_generation(*choice.generation, root, facts, log);
    }
    if (choice.severity == LogLevel::error) {
        log.error("{}", choice.why_not);
    } else if (!choice.why_not.empty()) {
        log.info("{}", choice.why_not);
    }
    return std::nullopt;
}

}  // namespace

StepPlan plan_step(const SiteConfig& settings, const JobOptions& options, const StepFacts& facts, const JobLog& log)
{
    StepPlan plan;
    plan.interval = effective_interval(settings, options);
    if (options.interval && plan.interval != *options.interval) {
        log.info("--checkpoint-interval {} is shorter than the site's min_interval; using {}",
                 format_duration(*options.interval), format_duration(plan.interval));
    }
    plan.keep = options.keep.value_or(settings.keep);
    plan.compression = settings.compression;
    plan.compression_level = settings.compression_level;
    plan.log_level = settings.log_level;
    plan.root = prepared_job_root(settings, options, facts);
    auto record = load_job_record(facts.job_id);
    log.debug("restart count {}, AdminComment \"{}\"", record.restart_count, record.admin_comment);
    plan.resume_from = resume_point(record, plan.root, facts, log);
    auto stop = walltime_stop(settings, record, std::chrono::system_clock::now());
    if (!stop.why_not.empty()) {
        log.info("{}", stop.why_not);
    }
    plan.stop_at = stop.at;
    return plan;
}

std::optional<StepTaskPlan> plan_step_tasks(const SiteConfig& settings, const JobOptions& options,
                                            const StepFacts& facts, const JobLog& log)
{
    if (!load_job_record(facts.job_id).batch) {
        log.info("the job has no batch script; its steps run without checkpoints");
        return std::nullopt;
    }
    auto root = job_root(settings, options, facts);
    if (!std::filesystem::is_directory(root)) {
        log.info("{} does not exist (the batch step runs without checkpoints); the step runs unguarded",
                 root.string());
        return std::nullopt;
    }
    check_owned_by(root, facts.owner);
    return StepTaskPlan{root, settings.log_level};
}

}  // namespace stasis::spank
