#pragma once
// A message waiting in a socket's receive queue, as the image keeps it
// (docs/image-format.md): a stream's bytes, or one datagram or record with
// the name of its sender. Unix and TCP/UDP sockets keep their queues alike.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct SocketMessage {
    std::vector<std::uint8_t> data;
    // A datagram's sender as its kind writes addresses (a Unix name,
    // "127.0.0.1:53"); "" when the sender was unnamed, and for a stream,
    // whose bytes have no sender.
    std::string source;
};

void to_json(nlohmann::json& j, const SocketMessage& m);
void from_json(const nlohmann::json& j, SocketMessage& m);

}  // namespace stasis
