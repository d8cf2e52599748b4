#pragma once
// Signal state as the image keeps it: a process's handlers, and signals
// queued but not yet delivered (per thread, and to the whole process).
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>

namespace stasis {

struct SigInfoBytes {
    std::array<std::uint8_t, 128> bytes{};  // a raw siginfo_t
};

struct SigAction {
    int sig = 0;
    std::uint64_t handler = 0;
    std::uint64_t flags = 0;
    std::uint64_t restorer = 0;
    std::uint64_t mask = 0;
};

void to_json(nlohmann::json& j, const SigInfoBytes& s);
void from_json(const nlohmann::json& j, SigInfoBytes& s);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SigAction, sig, handler, flags, restorer, mask)

}  // namespace stasis
