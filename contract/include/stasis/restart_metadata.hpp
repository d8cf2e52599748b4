#pragma once
// The restart metadata stasis keeps in a job's AdminComment, as
// `stasis:{...}` beside whatever else an admin put there. Users cannot
// change AdminComment, so this is the one record a requeued job trusts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stasis::spank {

struct RestartMetadata {
    std::string generation;  // gen-NNNNNN
    std::string path;        // the job's checkpoint directory (ROOT)
    std::string time;        // UTC, ISO 8601, when it was committed
    std::uint64_t bytes = 0;  // what the generation takes on disk
    std::uint32_t nodes = 1;
};

// The stasis entry of an AdminComment, if it has a well-formed one.
std::optional<RestartMetadata> find_restart_metadata(std::string_view admin_comment);

// admin_comment with its stasis entry replaced by (or extended with) metadata;
// everything else in it is kept as it was.
std::string merge_restart_metadata(std::string_view admin_comment, const RestartMetadata& metadata);

}  // namespace stasis::spank
