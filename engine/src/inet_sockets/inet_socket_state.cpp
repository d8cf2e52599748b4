#include "inet_sockets/inet_socket_state.hpp"

#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include <algorithm>

namespace stasis {

const InetSocketState* find_inet_socket(const std::vector<InetSocketState>& sockets, std::uint32_t inode)
{
    auto it = std::find_if(sockets.begin(), sockets.end(), [&](const InetSocketState& s) { return s.inode == inode; });
    return inode != 0 && it != sockets.end() ? &*it : nullptr;
}

std::string describe_inet_socket(const InetSocketState& s)
{
    return std::string("the ") + (s.type == SOCK_STREAM ? "TCP" : "UDP") + " socket socket:[" +
           std::to_string(s.inode) + "]" + (s.local.empty() ? "" : " (" + s.local + ")");
}

// Options missing from an image keep the kernel's defaults.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(InetSocketOptions, reuse_address, reuse_port, keep_alive, send_buffer,
                                                receive_buffer, no_delay, v6_only)

void to_json(nlohmann::json& j, const InetSocketState& s)
{
    j = {{"inode", s.inode},         {"family", s.family},         {"type", s.type},
         {"local", s.local},         {"peer", s.peer},             {"listening", s.listening},
         {"backlog", s.backlog},     {"peer_socket", s.peer_socket}, {"accepted", s.accepted},
         {"options", s.options},     {"queue", s.queue}};
}

void from_json(const nlohmann::json& j, InetSocketState& s)
{
    j.at("inode").get_to(s.inode);
    j.at("family").get_to(s.family);
    j.at("type").get_to(s.type);
    j.at("local").get_to(s.local);
    j.at("peer").get_to(s.peer);
    j.at("listening").get_to(s.listening);
    j.at("backlog").get_to(s.backlog);
    j.at("peer_socket").get_to(s.peer_socket);
    j.at("accepted").get_to(s.accepted);
    j.at("options").get_to(s.options);
    j.at("queue").get_to(s.queue);
}

}  // namespace stasis
