#include "step_planning.hpp"

#include "image_programs.hpp"
#include "job_record.hpp"
#include "plugin_error.hpp"
#include "resume_choice.hpp"

#include <stasis/duration.hpp>
#include <stasis/generation_name.hpp>
#include <stasis/step_parts.hpp>

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

// The generation a relaunched srun came from: one of the job's own.
std::filesystem::path relaunch_generation(const std::filesystem::path& image, const std::filesystem::path& root)
{
    std::error_code ec;
    auto real = std::filesystem::canonical(image, ec);
    if (ec || real.parent_path() != std::filesystem::canonical(root, ec) ||
        !contract::is_committed_generation_name(real.filename().string())) {
        throw PluginError("the step's srun was relaunched from " + image.string() + ", not a generation of " +
                          root.string());
    }
    return real;
}

unsigned parts_of_launcher(const std::filesystem::path& generation, pid_t launcher)
{
    auto prefix = contract::part_name(launcher, 0);
    prefix.pop_back();  // "launcher-PID.task-"
    unsigned found = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(generation / contract::parts_dir, ec)) {
        found += e.path().filename().string().starts_with(prefix) ? 1 : 0;
    }
    return found;
}

void vet_part(const std::filesystem::path& part, const StepFacts& facts)
{
    auto listing = list_image_programs(part, facts.owner);
    if (listing.failure) {
        throw PluginError("the checkpointed task " + part.string() + " is refused: " + *listing.failure);
    }
    refuse_privileged_programs(listing.programs);
}

std::optional<StepTaskPlan::Resume> step_resume(const OtherStepFacts& step, const std::filesystem::path& root,
                                                const StepFacts& facts, const JobLog& log)
{
    const auto& launcher = step.launcher;
    if (!launcher.relaunch_image || !launcher.relaunch_pid) {
        return std::nullopt;
    }
    auto generation = relaunch_generation(*launcher.relaunch_image, root);
    check_generation_owned_by(generation, facts.owner);
    auto found = parts_of_launcher(generation, *launcher.relaunch_pid);
    if (found == 0) {
        log.info("{} holds no part of this step (it started after that checkpoint); the step starts anew",
                 generation.filename().string());
        return std::nullopt;
    }
    StepTaskPlan::Resume resume{generation, *launcher.relaunch_pid};
    for (unsigned rank = 0; rank < step.task_count; ++rank) {
        if (!std::filesystem::exists(generation / contract::parts_dir /
                                     contract::part_name(resume.launcher, rank) / "manifest.json")) {
            found = 0;
        }
    }
    if (found != step.task_count) {
        throw PluginError(generation.filename().string() + " holds the parts of " + std::to_string(found) +
                          " task(s) of the step, which has " + std::to_string(step.task_count));
    }
    for (unsigned rank : step.local_ranks) {
        vet_part(generation / contract::parts_dir / contract::part_name(resume.launcher, rank), facts);
    }
    log.info("the step resumes its {} task(s) from {}", step.task_count, generation.filename().string());
    return resume;
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
    plan.workers = settings.workers;
    plan.write_tracking = settings.write_tracking;
    plan.root = prepared_job_root(settings, options, facts);
    auto record = load_job_record(facts.job_id);
    log.debug("restart count {}, AdminComment \"{}\"", record.restart_count, record.admin_comment);
    plan.resume_from = resume_point(record, plan.root, facts, log);
    plan.job = job_name(record, facts.job_id, facts.owner.uid, std::chrono::system_clock::now());
    auto stop = walltime_stop(settings, record, std::chrono::system_clock::now());
    if (!stop.why_not.empty()) {
        log.info("{}", stop.why_not);
    }
    plan.stop_at = stop.at;
    return plan;
}

std::optional<StepTaskPlan> plan_step_tasks(const SiteConfig& settings, const JobOptions& options,
                                            const StepFacts& facts, const OtherStepFacts& step, const JobLog& log)
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
    StepTaskPlan plan{root,
                      settings.log_level,
                      settings.compression,
                      settings.compression_level,
                      step.launcher.launcher,
                      step.step,
                      std::nullopt};
    try {
        plan.resume = step_resume(step, root, facts, log);
    } catch (const std::exception& e) {
        log.error("{}; the step starts anew", e.what());
    }
    return plan;
}

}  // namespace stasis::spank
