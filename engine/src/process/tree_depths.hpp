#pragma once
// Where each process of a saved tree sits: how many of its ancestors are in
// the tree. Work that needs a parent's result before its children's (their
// memory, their forks) goes by it.
#include "process/process_state.hpp"

#include <cstddef>
#include <map>
#include <vector>

namespace stasis {

// Per process: 0 for the root (and any process whose parent is not in the
// tree), 1 for its children, and so on.
inline std::vector<std::size_t> tree_depths(const std::vector<ProcessState>& tree)
{
    std::map<pid_t, std::size_t> index_of;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        index_of[tree[i].pid] = i;
    }
    std::vector<std::size_t> depth(tree.size(), 0);
    for (std::size_t i = 0; i < tree.size(); ++i) {
        for (auto p = index_of.find(tree[i].ppid); p != index_of.end(); p = index_of.find(tree[p->second].ppid)) {
            ++depth[i];
        }
    }
    return depth;
}

}  // namespace stasis
