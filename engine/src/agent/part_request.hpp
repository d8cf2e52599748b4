#pragma once
// ROOT/PARTS, the job's agent asking its steps' tasks for their parts of a
// generation (contract/step_parts.hpp): "gen-NNNNNN ROUND end|run why".
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace stasis::agent {

struct PartRequest {
    std::string generation;
    // Tells this request from an earlier one for the same generation name
    // (a failed generation's name is used again): when it was posted, in ns.
    std::uint64_t round = 0;
    bool end_job = false;  // the job ends once the generation is committed
    std::string why;

    [[nodiscard]] std::string line() const;
    // ROOT/.GEN.ROUND.parts: where the parts are written until the
    // generation is committed with them.
    [[nodiscard]] std::filesystem::path staging(const std::filesystem::path& root) const;
    // In the staging: why a task's part could not be written, on one line.
    [[nodiscard]] std::filesystem::path failure_file(const std::filesystem::path& root, const std::string& part) const;
};

std::optional<PartRequest> parse_part_request(const std::string& line);

}  // namespace stasis::agent
