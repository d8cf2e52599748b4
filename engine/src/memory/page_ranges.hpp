#pragma once
// A set of address ranges, kept merged: the pages a process wrote, the
// regions whose writes are tracked.
#include <cstdint>
#include <map>

namespace stasis {

class PageRanges {
public:
    // Adds [start, end), merging it with the ranges it touches.
    void add(std::uint64_t start, std::uint64_t end);
    void add(const PageRanges& other);
    // Whether any byte of [start, end) is in the set.
    [[nodiscard]] bool overlaps(std::uint64_t start, std::uint64_t end) const;
    // Whether every byte of [start, end) is.
    [[nodiscard]] bool covers(std::uint64_t start, std::uint64_t end) const;
    [[nodiscard]] bool empty() const { return ranges_.empty(); }
    [[nodiscard]] std::uint64_t bytes() const;

private:
    std::map<std::uint64_t, std::uint64_t> ranges_;  // start -> end; disjoint, never adjacent
};

}  // namespace stasis
