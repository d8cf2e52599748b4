#pragma once
// Which generation a `stasis run` on a used ROOT continues from.
#include "agent/generation_store.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stasis::agent {

struct ResumePoint {
    std::filesystem::path dir;
    std::vector<std::string> unusable;  // newer generations that failed to verify
};

// The generation LATEST names (without LATEST, the newest committed one) if
// it verifies, else the newest older committed one that does, saying in one
// log line which one was skipped and why. Nothing when ROOT holds no
// committed generation; throws Error when none of them verifies.
std::optional<ResumePoint> find_resume_point(const GenerationStore& store);

}  // namespace stasis::agent
