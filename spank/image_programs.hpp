#pragma once
// The programs a generation would exec at restore, as `stasis info --json`
// lists them: the plugin reads nothing of an image itself, and runs the
// command as the job's user, whose image it is. A restore runs as that user
// and execs under ptrace, so the kernel grants no setuid or file capability
// anyway; the root side still refuses such an image rather than rely on it.
#include "checkpoint_root.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stasis::spank {

struct ProgramListing {
    std::vector<std::string> programs;
    std::optional<std::string> failure;  // why there is no listing: stasis info's own line, for one
};

// Runs `stasis info --json --dir generation` as owner. It verifies the
// manifest's checksum: an image whose manifest does not verify has a failure.
ProgramListing list_image_programs(const std::filesystem::path& generation, const JobOwner& owner);

// processes[].exe of `stasis info --json`'s output; throws PluginError when
// the text is not such output.
std::vector<std::string> programs_in_info(std::string_view info_json);

// Throws PluginError naming the first of programs that is setuid, setgid
// or has file capabilities.
void refuse_privileged_programs(const std::vector<std::string>& programs);

}  // namespace stasis::spank
