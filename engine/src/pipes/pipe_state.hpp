#pragma once
// A pipe or FIFO with both ends inside the tree (or a reader and no writer
// left), as the image keeps it: the bytes written to it but not yet read.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct PipeState {
    std::string key;  // the fds' link target: "pipe:[N]", or a named FIFO's path
    int capacity = 0;
    std::vector<std::uint8_t> data;
};

void to_json(nlohmann::json& j, const PipeState& p);
void from_json(const nlohmann::json& j, PipeState& p);

}  // namespace stasis
