#pragma once
// A pipe or FIFO the tree holds, as the image keeps it: the bytes written to
// it but not yet read, and whether the tree holds only one of its ends (the
// other lies outside the tree, or nobody holds it any more): a restore then
// closes the other end, as if its holder had exited.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct PipeState {
    std::string key;  // the fds' link target: "pipe:[N]", or a named FIFO's path
    int capacity = 0;
    std::vector<std::uint8_t> data;
    bool outside = false;
};

void to_json(nlohmann::json& j, const PipeState& p);
void from_json(const nlohmann::json& j, PipeState& p);

}  // namespace stasis
