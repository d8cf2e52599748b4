#include "resume_choice.hpp"

#include <stasis/generation_name.hpp>
#include <stasis/restart_metadata.hpp>

namespace stasis::spank {

ResumeChoice choose_resume(const JobRecord& record, const std::filesystem::path& root)
{
    if (record.restart_count == 0) {
        return {};
    }
    auto metadata = contract::find_restart_metadata(record.admin_comment);
    if (!metadata) {
        return {std::nullopt, "requeued start without a recorded checkpoint; starting the job anew", LogLevel::info};
    }
    if (metadata->path != root.string() || !contract::is_committed_generation_name(metadata->generation)) {
        return {std::nullopt,
                "the recorded checkpoint " + metadata->path + "/" + metadata->generation +
                    " is not in this job's directory " + root.string() + "; starting anew",
                LogLevel::error};
    }
    return {metadata->generation, {}, LogLevel::info};
}

std::optional<std::string> generation_before(std::string_view generation)
{
    auto parsed = contract::parse_generation_name(generation);
    if (!parsed || parsed->partial || parsed->number == 0) {
        return std::nullopt;
    }
    return contract::generation_name(parsed->number - 1);
}

}  // namespace stasis::spank
