#include "restore/tree_rebuild.hpp"

#include "core/restore_context.hpp"
#include "event_fds/epoll_watches.hpp"
#include "files/forked_fds.hpp"
#include "files/restore_fds.hpp"
#include "memory/inherit_memory.hpp"
#include "memory/restore_memory.hpp"
#include "process/dynamic_xstate.hpp"
#include "process/fork_from_parent.hpp"
#include "process/process_attributes.hpp"
#include "process/signals.hpp"
#include "process/spawn_plan.hpp"
#include "threads/restore_threads.hpp"
#include "timers/restore_timers.hpp"

#include <spdlog/spdlog.h>

#include <sys/syscall.h>

namespace stasis {

namespace {

// What is left once a process's address space and fds are its own, the
// same for an exec'd process and a forked one. Returns its threads.
std::vector<pid_t> finish_process(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index)
{
    const auto& p = tree[index];
    restore_sigactions(ctx, p);
    finish_fds(ctx, tree, index);
    close_epoll_watch_fds(ctx);
    // Every process but the root has its saved parent back.
    auto tids = restore_threads(ctx, p, index != 0);
    restore_timers(ctx, p, tids);
    restore_process_attributes(ctx, p.attributes);
    make_room_for_dynamic_state(ctx, p.threads, tids);
    unmap_injection_area(ctx);
    return tids;
}

void hand_objects(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index)
{
    auto handed = handed_fds(tree, index);
    ctx.set_shared_memory_fds(std::move(handed.shared_memory));
    ctx.set_epoll_watch_fds(std::move(handed.epoll_watches));
}

class TreeRebuild {
public:
    TreeRebuild(const std::vector<ProcessState>& tree, const image::ChunkReader& reader, SpawnedTree& spawned)
        : tree_(tree), reader_(reader), spawned_(spawned), threads_(tree.size())
    {
    }

    // Returns the threads of every process.
    std::vector<std::vector<pid_t>> run()
    {
        for (std::size_t i = 0; i < tree_.size(); ++i) {
            if (spawned_.pids[i] > 0 && !tree_[i].relaunch && !spawned_.forks.by_fork[i]) {
                rebuild_spawned(i);
            }
        }
        spawned_.forks.next_pid.done();
        spawned_.forks.channel.reset();
        return std::move(threads_);
    }

private:
    std::vector<std::size_t> forked_children_of(std::size_t parent) const
    {
        std::vector<std::size_t> children;
        for (std::size_t i = 0; i < tree_.size(); ++i) {
            if (spawned_.forks.by_fork[i] && tree_[i].ppid == tree_[parent].pid) {
                children.push_back(i);
            }
        }
        return children;
    }

    // All the processes forked from index, and from those in turn: they
    // keep the injection area index gets.
    std::vector<const ProcessState*> forked_descendants(std::size_t index) const
    {
        std::vector<const ProcessState*> found;
        for (std::size_t c : forked_children_of(index)) {
            found.push_back(&tree_[c]);
            auto below = forked_descendants(c);
            found.insert(found.end(), below.begin(), below.end());
        }
        return found;
    }

    // A freshly exec'd process into its checkpointed self, up to the point
    // where only its registers remain to be set.
    void rebuild_spawned(std::size_t index)
    {
        RestoreContext ctx(spawned_.pids[index], 0);
        hand_objects(ctx, tree_, index);
        rebuild_address_space(ctx, tree_[index], reader_, forked_descendants(index));
        fork_and_finish(ctx, index);
    }

    void rebuild_forked(std::size_t index, std::size_t parent, const RestoreContext& parent_ctx)
    {
        RestoreContext ctx(spawned_.pids[index], 0);
        ctx.set_area(parent_ctx.area_base(), parent_ctx.area_size());
        const auto& forks = spawned_.forks;
        take_own_fds(ctx, forks.placements[index], {forks.channel_at[parent], forks.channel.get()},
                     forks.channel_at[index]);
        hand_objects(ctx, tree_, index);
        set_place_and_limits(ctx, tree_[index]);
        inherit_address_space(ctx, tree_[parent], tree_[index], reader_);
        fork_and_finish(ctx, index);
    }

    // With index's memory rebuilt: forks its children that are restored as
    // forks, finishes it, then rebuilds them.
    void fork_and_finish(RestoreContext& ctx, std::size_t index)
    {
        auto children = forked_children_of(index);
        for (std::size_t c : children) {
            spawned_.pids[c] = fork_from_parent(ctx, tree_[c], spawned_.forks.next_pid);
            spdlog::debug("process {} forked from its parent {}, sharing its pages", tree_[c].pid, tree_[index].pid);
        }
        if (!children.empty()) {
            ctx.main().checked("close", SYS_close, {static_cast<std::uint64_t>(spawned_.forks.channel_at[index])});
        }
        threads_[index] = finish_process(ctx, tree_, index);
        for (std::size_t c : children) {
            rebuild_forked(c, index, ctx);
        }
    }

    const std::vector<ProcessState>& tree_;
    const image::ChunkReader& reader_;
    SpawnedTree& spawned_;
    std::vector<std::vector<pid_t>> threads_;
};

}  // namespace

std::vector<std::vector<pid_t>> rebuild_tree(const std::vector<ProcessState>& tree, const image::ChunkReader& reader,
                                             SpawnedTree& spawned)
{
    return TreeRebuild(tree, reader, spawned).run();
}

}  // namespace stasis
