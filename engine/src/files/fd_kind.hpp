#pragma once
// The registry of fd kinds: what each kind of open fd does at dump and at
// restore. The drivers (files/dump_fds.hpp, files/restore_fds.hpp) walk the
// registry and know no kind themselves; a new kind is a folder holding its
// FdKindOps, its state (in FdDetail, files/fd_state.hpp) and one line in
// files/fd_kinds.cpp.
#include "files/fd_state.hpp"
#include <stasis/unique_fd.hpp>

#include <nlohmann/json_fwd.hpp>
#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeindex>
#include <vector>

namespace stasis {

struct Checkpoint;
struct ProcessState;
namespace image {
class ChunkReader;
}
class RestoreContext;
class RestoredTerminals;

// One fd of a frozen process as the dump driver found it.
struct FdProbe {
    pid_t pid = 0;
    int fd = -1;
    std::string link;    // readlink of /proc/PID/fd/N
    struct stat st {};   // stat of /proc/PID/fd/N: the object itself
    std::string fdinfo;  // text of /proc/PID/fdinfo/N

    [[nodiscard]] std::string proc_path() const;  // /proc/PID/fd/N
};

// Throws the Error that refuses to checkpoint an fd: "process P: fd N is
// <what> (<link>), which stasis cannot checkpoint yet".
[[noreturn]] void refuse_fd(const FdProbe& probe, const std::string& what);

// What a restore opens descriptions from: the image (its model and its
// data), the tree's new terminals, and state a kind builds once for the
// whole tree.
class RestoreSources {
public:
    RestoreSources(const Checkpoint& checkpoint, const image::ChunkReader& reader, const RestoredTerminals& terminals,
                   const std::map<std::string, std::string>& moved)
        : checkpoint_(checkpoint), reader_(reader), terminals_(terminals), moved_(moved)
    {
    }

    [[nodiscard]] const Checkpoint& checkpoint() const { return checkpoint_; }
    [[nodiscard]] const RestoredTerminals& terminals() const { return terminals_; }
    // Where the file saved at path is now (stasis/restore.hpp, MovedFiles).
    [[nodiscard]] const std::string& path_now(const std::string& path) const
    {
        auto it = moved_.find(path);
        return it != moved_.end() ? it->second : path;
    }

    // The one T of this restore (a kind's recreated pipes, ...), made on
    // first use from the checkpoint, T(const Checkpoint&), or from the
    // checkpoint and its data, T(const Checkpoint&, const image::ChunkReader&).
    template <typename T>
    T& tree_state()
    {
        auto& slot = tree_state_[std::type_index(typeid(T))];
        if (!slot) {
            if constexpr (std::is_constructible_v<T, const Checkpoint&, const image::ChunkReader&>) {
                slot = std::make_shared<T>(checkpoint_, reader_);
            } else {
                slot = std::make_shared<T>(checkpoint_);
            }
        }
        return *static_cast<T*>(slot.get());
    }

private:
    const Checkpoint& checkpoint_;
    const image::ChunkReader& reader_;
    const RestoredTerminals& terminals_;
    const std::map<std::string, std::string>& moved_;
    std::map<std::type_index, std::shared_ptr<void>> tree_state_;
};

struct FdKindOps {
    FdKind kind;
    const char* name;  // in the manifest

    // Dump: whether the probed fd is of this kind (the first kind in the
    // registry that says so gets it).
    bool (*recognizes)(const FdProbe& probe);
    // Dump: records what restore needs beyond path, flags and offset in
    // fd.detail, or refuses the fd (refuse_fd) when it cannot be restored.
    void (*dump)(const FdProbe& probe, FdState& fd);
    // Restore: a new open file description of stasis's own for the saved
    // one, opened once and shared by every fd of the tree that had it.
    UniqueFd (*open)(const FdState& saved, RestoreSources& sources);

    // Optional. Manifest: the kind's detail (none: it has no detail).
    FdDetail (*read_detail)(const nlohmann::json& detail) = nullptr;
    // Optional. Dump, once every fd of the frozen tree is read: what only
    // the whole tree tells (who else holds a pipe, which session a terminal
    // belongs to); may change an fd's kind or refuse it.
    void (*link_tree)(std::vector<ProcessState>& tree) = nullptr;
    // Optional. Dump, while the tree is frozen: state of the tree's objects
    // of this kind that goes into the checkpoint itself (a pipe's bytes).
    void (*capture)(const std::vector<ProcessState>& tree, Checkpoint& checkpoint) = nullptr;
    // Optional. Restore, inside restored process `index` of the tree once
    // all its fds are in place, for each fd of the kind it holds: what only
    // a process can set up (an epoll's watches name fds of its own); the
    // kind picks the holder that does it.
    void (*rebuild)(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index,
                    const FdState& saved) = nullptr;
};

// Every kind, in the order dump asks them.
const std::vector<const FdKindOps*>& fd_kinds();
// Throws ImageError for a kind the registry lacks.
const FdKindOps& fd_kind(FdKind kind);
const FdKindOps& fd_kind_named(const std::string& name);

// read_detail for a kind whose detail is T (in a file that includes
// <nlohmann/json.hpp>).
template <typename T, typename Json>
FdDetail read_detail_as(const Json& detail)
{
    return detail.template get<T>();
}

}  // namespace stasis
