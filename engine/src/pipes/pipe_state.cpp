#include "pipes/pipe_state.hpp"

#include "core/hex.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

void to_json(nlohmann::json& j, const PipeState& p)
{
    j = {{"key", p.key}, {"capacity", p.capacity}, {"data", to_hex(p.data)}, {"outside", p.outside}};
}

void from_json(const nlohmann::json& j, PipeState& p)
{
    j.at("key").get_to(p.key);
    j.at("capacity").get_to(p.capacity);
    p.data = from_hex(j.at("data").get<std::string>());
    // Images written before pipes leading outside were kept lack it.
    p.outside = j.value("outside", false);
}

}  // namespace stasis
