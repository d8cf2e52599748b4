#pragma once
// Every chunk an image holds: its processes' memory, its kept output and its
// files without a name.
#include "image/checkpoint.hpp"

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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

// Tells a chunk's first reference from the next ones: several processes
// refer to one stored chunk (a forked child's pages stored with its
// parent's), and its bytes count once.
class FirstReference {
public:
    bool operator()(const Chunk& chunk) { return seen_.emplace(chunk.file, chunk.offset).second; }

private:
    std::set<std::pair<std::string, std::uint64_t>> seen_;
};

// The stored bytes of an image's chunks that its own data files hold, those
// it borrows from older generations, and those generations by name.
struct Borrowing {
    std::uint64_t owned = 0;
    std::uint64_t borrowed = 0;
    std::vector<std::string> lenders;  // sorted
};

inline Borrowing borrowing_of(const Checkpoint& checkpoint)
{
    Borrowing b;
    std::set<std::string> lenders;
    FirstReference first;
    for_each_chunk(checkpoint, [&](const Chunk& chunk) {
        if (!first(chunk)) {
            return;
        }
        if (is_borrowed(chunk)) {
            b.borrowed += chunk.stored_size;
            lenders.insert(lender_of(chunk));
        } else {
            b.owned += chunk.stored_size;
        }
    });
    b.lenders.assign(lenders.begin(), lenders.end());
    return b;
}

}  // namespace stasis::image
