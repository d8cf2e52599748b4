#pragma once
// Which generation a requeued batch step resumes from, judged from the job
// record alone: only what slurmctld holds is trusted, never what is lying in
// a directory. The checks on disk come after it (step_planning.cpp).
#include "job_record.hpp"

#include <stasis/site_config.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace stasis::spank {

struct ResumeChoice {
    std::optional<std::string> generation;  // resume from it
    std::string why_not;                    // else, if not empty, why a requeued job starts anew
    LogLevel severity = LogLevel::info;     // of why_not: error when the record does not fit the job
};

// root is this job's checkpoint directory; a record naming another one, or
// no committed generation, is not followed.
ResumeChoice choose_resume(const JobRecord& record, const std::filesystem::path& root);

// The name just below a committed generation's: `stasis run --resume-from`
// takes it as "that one or an older one", so passing it refuses generation
// and lets the agent fall back. Nothing below gen-000000.
std::optional<std::string> generation_before(std::string_view generation);

}  // namespace stasis::spank
