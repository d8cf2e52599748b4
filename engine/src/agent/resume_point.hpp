#pragma once
// Which generation a `stasis run` on a used ROOT continues from.
#include <stasis/generation_store.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stasis::agent {

struct ResumePoint {
    std::filesystem::path dir;
    // Newer generations: those that failed to verify, and with resume_from
    // those above it. None of them is ever resumed, nor counts as kept.
    std::vector<std::string> unusable;
    // When the wanted generation is not the one resumed: one line saying
    // which one was skipped and why, for the log.
    std::string fallback;
    // What fall_back goes on with: the committed generations older than
    // dir, newest first; the job's name; the error when none is left; and
    // why the wanted one was passed over ("" when dir is it).
    std::vector<GenerationEntry> older;
    std::string job;
    std::string refusal;
    std::string problem;
};

// The generation resume_from names — without it, the one LATEST names, or
// without LATEST the newest committed one — if it passes the checks before
// a restore (image::check_resumable: its chunks are checked as the restore
// reads them, see fall_back), else the newest older committed one that does
// (see fallback); never a newer one. Nothing
// when ROOT holds no committed generation and nothing names one; throws
// Error when the named generation and every older one are missing or do
// not verify. With a job name, a generation that records another job's is
// passed over like one that does not verify (one that records none is
// taken: it predates the names).
std::optional<ResumePoint> find_resume_point(const GenerationStore& store,
                                             const std::optional<std::string>& resume_from,
                                             const std::string& job = {});

// The restore of point found its generation damaged (why) as it read it:
// the next older one, as find_resume_point would have chosen had it known.
// Throws Error when none is left.
ResumePoint fall_back(ResumePoint point, const std::string& why);

}  // namespace stasis::agent
