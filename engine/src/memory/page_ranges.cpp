#include "memory/page_ranges.hpp"

#include <algorithm>
#include <iterator>

namespace stasis {

void PageRanges::add(std::uint64_t start, std::uint64_t end)
{
    if (start >= end) {
        return;
    }
    // The first range that ends at or after start may touch the new one.
    auto it = ranges_.upper_bound(start);
    if (it != ranges_.begin() && std::prev(it)->second >= start) {
        --it;
    }
    while (it != ranges_.end() && it->first <= end) {
        start = std::min(start, it->first);
        end = std::max(end, it->second);
        it = ranges_.erase(it);
    }
    ranges_.emplace(start, end);
}

void PageRanges::add(const PageRanges& other)
{
    for (const auto& [start, end] : other.ranges_) {
        add(start, end);
    }
}

bool PageRanges::overlaps(std::uint64_t start, std::uint64_t end) const
{
    auto it = ranges_.lower_bound(end);  // the first range starting at or past end cannot overlap
    return it != ranges_.begin() && std::prev(it)->second > start;
}

bool PageRanges::covers(std::uint64_t start, std::uint64_t end) const
{
    auto it = ranges_.upper_bound(start);
    return it != ranges_.begin() && std::prev(it)->second >= end;
}

std::uint64_t PageRanges::bytes() const
{
    std::uint64_t total = 0;
    for (const auto& [start, end] : ranges_) {
        total += end - start;
    }
    return total;
}

}  // namespace stasis
