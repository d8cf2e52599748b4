#include "agent/part_request.hpp"

#include <stasis/generation_name.hpp>

#include <sstream>

namespace stasis::agent {

std::string PartRequest::line() const
{
    return generation + " " + std::to_string(round) + (end_job ? " end " : " run ") + why;
}

std::filesystem::path PartRequest::staging(const std::filesystem::path& root) const
{
    return root / ("." + generation + "." + std::to_string(round) + ".parts");
}

std::filesystem::path PartRequest::failure_file(const std::filesystem::path& root, const std::string& part) const
{
    return staging(root) / (part + ".failed");
}

std::optional<PartRequest> parse_part_request(const std::string& line)
{
    std::istringstream in(line);
    PartRequest request;
    std::string mode;
    if (!(in >> request.generation >> request.round >> mode) || !contract::is_committed_generation_name(request.generation) ||
        (mode != "end" && mode != "run")) {
        return std::nullopt;
    }
    request.end_job = mode == "end";
    std::getline(in >> std::ws, request.why);
    return request;
}

}  // namespace stasis::agent
