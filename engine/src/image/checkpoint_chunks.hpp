#pragma once
// Every chunk an image holds: its processes' memory, its kept output and its
// files without a name.
#include "image/checkpoint.hpp"

#include <functional>

namespace stasis::image {

inline void for_each_chunk(const Checkpoint& checkpoint, const std::function<void(const Chunk&)>& visit)
{
    for (const auto& process : checkpoint.processes) {
        for (const auto& region : process.regions) {
            for (const auto& chunk : region.chunks) {
                visit(chunk);
            }
        }
    }
    for (const auto& kept : checkpoint.kept_output) {
        for (const auto& chunk : kept.chunks) {
            visit(chunk);
        }
    }
    for (const auto& file : checkpoint.unnamed_files) {
        for (const auto& chunk : file.chunks) {
            visit(chunk);
        }
    }
}

}  // namespace stasis::image
