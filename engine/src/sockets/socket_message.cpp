#include "sockets/socket_message.hpp"

#include "core/hex.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

void to_json(nlohmann::json& j, const SocketMessage& m)
{
    j = {{"data", to_hex(m.data)}, {"source", m.source}};
}

void from_json(const nlohmann::json& j, SocketMessage& m)
{
    m.data = from_hex(j.at("data").get<std::string>());
    j.at("source").get_to(m.source);
}

}  // namespace stasis
