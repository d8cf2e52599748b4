#include "agent/resume_point.hpp"

#include "agent/run_log.hpp"
#include "error.hpp"
#include "image/inspect.hpp"

#include <algorithm>
#include <sstream>

namespace stasis::agent {

namespace {

// Committed generations to try, newest first, starting at the one LATEST
// names. problem is set when LATEST names one that is not there.
std::vector<GenerationEntry> candidates(const GenerationStore& store, std::string& problem)
{
    std::vector<GenerationEntry> committed;
    for (const auto& e : store.scan()) {
        if (!e.partial) {
            committed.push_back(e);
        }
    }
    std::reverse(committed.begin(), committed.end());
    auto latest = store.latest();
    if (!latest) {
        return committed;
    }
    auto named = parse_generation_name(*latest);
    std::erase_if(committed, [&](const GenerationEntry& e) { return e.number > named->number; });
    if (committed.empty() || committed.front().name != *latest) {
        problem = "LATEST names " + *latest + ", which is not a committed generation";
    }
    return committed;
}

}  // namespace

std::optional<ResumePoint> find_resume_point(const GenerationStore& store)
{
    std::string problem;
    auto generations = candidates(store, problem);
    if (generations.empty()) {
        if (!problem.empty()) {
            throw Error("cannot resume from " + store.root().string() + ": " + problem);
        }
        return std::nullopt;
    }
    ResumePoint point;
    for (const auto& g : generations) {
        try {
            std::ostringstream summary;
            image::verify_image(g.dir, summary);
        } catch (const Error& e) {
            point.unusable.push_back(g.name);
            if (problem.empty()) {
                problem = g.name + " does not verify (" + e.what() + ")";
            }
            continue;
        }
        if (!problem.empty()) {
            run_log().warn("{}; resuming from {} instead", problem, g.name);
        }
        point.dir = g.dir;
        return point;
    }
    throw Error("cannot resume from " + store.root().string() + ": no committed generation verifies; " + problem);
}

}  // namespace stasis::agent
