#include "process/signal_state.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace stasis {

void to_json(nlohmann::json& j, const SigInfoBytes& s)
{
    j = to_hex(s.bytes.data(), s.bytes.size());
}

void from_json(const nlohmann::json& j, SigInfoBytes& s)
{
    auto bytes = from_hex(j.get<std::string>());
    if (bytes.size() != s.bytes.size()) {
        throw ImageError("manifest holds a siginfo of the wrong size");
    }
    std::copy(bytes.begin(), bytes.end(), s.bytes.begin());
}


}  // namespace stasis
