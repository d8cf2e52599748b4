#include "agent/resume_point.hpp"

#include "core/error.hpp"
#include "image/manifest.hpp"

#include <stasis/generation_name.hpp>
#include <stasis/image.hpp>

#include <algorithm>

namespace stasis::agent {

namespace {

// The generation a resume is to start from, and who named it.
struct Wanted {
    std::string name;
    std::string named_by;  // "LATEST" or "--resume-from"
};

std::optional<Wanted> wanted(const GenerationStore& store, const std::optional<std::string>& resume_from)
{
    if (resume_from) {
        if (!contract::is_committed_generation_name(*resume_from)) {
            throw Error("--resume-from " + *resume_from + ": not a generation name (gen-NNNNNN)");
        }
        return Wanted{*resume_from, "--resume-from"};
    }
    auto latest = store.latest();
    return latest ? std::optional(Wanted{*latest, "LATEST"}) : std::nullopt;
}

std::vector<GenerationEntry> committed_newest_first(const GenerationStore& store)
{
    std::vector<GenerationEntry> committed;
    for (const auto& e : store.scan()) {
        if (e.committed()) {
            committed.push_back(e);
        }
    }
    std::reverse(committed.begin(), committed.end());
    return committed;
}

// Committed generations to try, newest first, starting at the wanted one;
// problem is set when it is not there.
std::vector<GenerationEntry> candidates(const GenerationStore& store, const std::optional<Wanted>& want,
                                        std::string& problem)
{
    auto committed = committed_newest_first(store);
    if (!want) {
        return committed;
    }
    auto number = contract::parse_generation_name(want->name)->number;
    std::erase_if(committed, [&](const GenerationEntry& e) { return e.number > number; });
    if (committed.empty() || committed.front().name != want->name) {
        problem = want->named_by + " names " + want->name + ", which is not a committed generation";
    }
    return committed;
}

// What the scheduler's record does not name is no resume point (on a
// multi-node job, a newer generation may be complete on this node only).
std::vector<std::string> committed_after(const GenerationStore& store, const std::string& name)
{
    auto number = contract::parse_generation_name(name)->number;
    std::vector<std::string> newer;
    for (const auto& e : committed_newest_first(store)) {
        if (e.number > number) {
            newer.push_back(e.name);
        }
    }
    return newer;
}

// A generation that records another job's name.
class OtherJob : public Error {
public:
    using Error::Error;
};

void check_job(const GenerationEntry& generation, const std::string& job)
{
    if (job.empty()) {
        return;
    }
    auto recorded = image::read_checkpoint(generation.dir).job;
    if (!recorded.empty() && recorded != job) {
        throw OtherJob(generation.name + " belongs to another job (" + recorded + "), not to " + job);
    }
}

// The newest of point.older that passes the checks a resume makes before
// it restores (the restore checks every chunk it reads); problem: why the
// ones before were passed over, for the fallback line.
ResumePoint next_older(ResumePoint point, std::string problem)
{
    while (!point.older.empty()) {
        auto g = point.older.front();
        point.older.erase(point.older.begin());
        try {
            image::check_resumable(g.dir);
            check_job(g, point.job);
        } catch (const OtherJob& e) {
            point.unusable.push_back(g.name);
            if (problem.empty()) {
                problem = e.what();
            }
            continue;
        } catch (const Error& e) {
            point.unusable.push_back(g.name);
            if (problem.empty()) {
                problem = g.name + " does not verify (" + e.what() + ")";
            }
            continue;
        }
        point.fallback = problem.empty() ? "" : problem + "; resuming from " + g.name + " instead";
        point.problem = problem;
        point.dir = g.dir;
        return point;
    }
    throw Error(point.refusal + problem);
}

}  // namespace

std::optional<ResumePoint> find_resume_point(const GenerationStore& store,
                                             const std::optional<std::string>& resume_from, const std::string& job)
{
    auto want = wanted(store, resume_from);
    std::string problem;
    auto generations = candidates(store, want, problem);
    if (generations.empty()) {
        if (!problem.empty()) {
            throw Error("cannot resume from " + store.root().string() + ": " + problem);
        }
        return std::nullopt;
    }
    ResumePoint point;
    if (resume_from) {
        point.unusable = committed_after(store, *resume_from);
    }
    point.older = std::move(generations);
    point.job = job;
    point.refusal = "cannot resume from " + store.root().string() + ": no committed generation" +
                    (resume_from ? " up to " + *resume_from : "") + (job.empty() ? "" : " of this job") + " verifies; ";
    return next_older(std::move(point), problem);
}

ResumePoint fall_back(ResumePoint point, const std::string& why)
{
    auto name = point.dir.filename().string();
    point.unusable.push_back(name);
    // The line names the generation first wanted, and why it was passed over.
    auto problem = point.problem.empty() ? name + " does not verify (" + why + ")" : point.problem;
    return next_older(std::move(point), problem);
}

}  // namespace stasis::agent
