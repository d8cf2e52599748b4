#include "pty_pairs/pty_master_state.hpp"

#include "core/hex.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

void to_json(nlohmann::json& j, const PtyMasterState& m)
{
    j = {{"slave", m.slave},         {"index", m.index},
         {"packet", m.packet},       {"locked", m.locked},
         {"to_master", to_hex(m.to_master)}, {"to_slave", to_hex(m.to_slave)}};
}

void from_json(const nlohmann::json& j, PtyMasterState& m)
{
    j.at("slave").get_to(m.slave);
    j.at("index").get_to(m.index);
    j.at("packet").get_to(m.packet);
    j.at("locked").get_to(m.locked);
    m.to_master = from_hex(j.at("to_master").get<std::string>());
    m.to_slave = from_hex(j.at("to_slave").get<std::string>());
}

}  // namespace stasis
