#include "sockets/socket_state.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace stasis {

namespace {

constexpr char abstract_mark = '@';

}  // namespace

std::string name_to_text(const std::string& raw)
{
    if (raw.empty() || raw.front() != '\0') {
        return raw;
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw.data());
    return abstract_mark + to_hex(bytes + 1, raw.size() - 1);
}

std::string name_from_text(const std::string& text)
{
    if (text.empty() || text.front() != abstract_mark) {
        return text;
    }
    auto bytes = from_hex(text.substr(1));
    return std::string(1, '\0') + std::string(bytes.begin(), bytes.end());
}

const UnixSocketState* find_unix_socket(const std::vector<UnixSocketState>& sockets, std::uint32_t inode)
{
    auto it = std::find_if(sockets.begin(), sockets.end(), [&](const UnixSocketState& s) { return s.inode == inode; });
    return inode != 0 && it != sockets.end() ? &*it : nullptr;
}

const UnixSocketState* find_unix_socket_named(const std::vector<UnixSocketState>& sockets, const std::string& name)
{
    auto it = std::find_if(sockets.begin(), sockets.end(), [&](const UnixSocketState& s) { return s.name == name; });
    return !name.empty() && it != sockets.end() ? &*it : nullptr;
}

bool has_unnamed_partner(const std::vector<UnixSocketState>& sockets, const UnixSocketState& receiver)
{
    const auto* peer = find_unix_socket(sockets, receiver.peer);
    return receiver.peer_closed || (peer != nullptr && peer->name.empty() && peer->peer == receiver.inode);
}

// Options missing from an image keep the kernel's defaults.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UnixSocketOptions, send_buffer, receive_buffer, pass_credentials,
                                                peek_offset, receive_low_water, receive_timeout_us, send_timeout_us)

void to_json(nlohmann::json& j, const UnixSocketState& s)
{
    j = {{"inode", s.inode},       {"type", s.type},         {"name", s.name},
         {"mode", s.mode},         {"listening", s.listening}, {"backlog", s.backlog},
         {"pending", s.pending},   {"peer", s.peer},         {"peer_closed", s.peer_closed},
         {"accepted_from", s.accepted_from}, {"shutdown", s.shutdown}, {"options", s.options},
         {"queue", s.queue}};
}

void from_json(const nlohmann::json& j, UnixSocketState& s)
{
    j.at("inode").get_to(s.inode);
    j.at("type").get_to(s.type);
    j.at("name").get_to(s.name);
    j.at("mode").get_to(s.mode);
    j.at("listening").get_to(s.listening);
    j.at("backlog").get_to(s.backlog);
    j.at("pending").get_to(s.pending);
    j.at("peer").get_to(s.peer);
    j.at("peer_closed").get_to(s.peer_closed);
    j.at("accepted_from").get_to(s.accepted_from);
    j.at("shutdown").get_to(s.shutdown);
    j.at("options").get_to(s.options);
    j.at("queue").get_to(s.queue);
}

}  // namespace stasis
