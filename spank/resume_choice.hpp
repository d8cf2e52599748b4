#pragma once
// Which generation a requeued batch step resumes from, judged from the job
// record alone: only what slurmctld holds is trusted, never what is lying in
// a directory. The checks on disk come after it (step_planning.cpp).
#include "job_record.hpp"

#include <stasis/site_config.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace stasis::spank {

struct ResumeChoice {
    std::optional<std::string> generation;  // resume from it
    std::string why_not;                    // else, if not empty, why a requeued job starts anew
    LogLevel severity = LogLevel::info;     // of why_not: error when the record does not fit the job
};

// root is this job's checkpoint directory; a record naming another one, or
// no committed generation, is not followed.
ResumeChoice choose_resume(const JobRecord& record, const std::filesystem::path& root);

}  // namespace stasis::spank
