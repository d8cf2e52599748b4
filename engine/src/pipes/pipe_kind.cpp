#include "pipes/pipe_kind.hpp"

#include "pipes/dump_pipes.hpp"
#include "pipes/restore_pipes.hpp"

namespace stasis {

namespace {

bool is_pipe(const FdProbe& probe)
{
    return S_ISFIFO(probe.st.st_mode);
}

// Inside the tree or leading out of it: only the whole tree tells
// (classify_pipes).
void dump_pipe(const FdProbe&, FdState&) {}

UniqueFd open_pipe(const FdState& saved, RestoreSources& sources)
{
    return sources.tree_state<RecreatedPipes>().end_for(saved);
}

}  // namespace

const FdKindOps& pipe_kind()
{
    static const FdKindOps ops{.kind = FdKind::pipe,
                               .name = "pipe",
                               .recognizes = is_pipe,
                               .dump = dump_pipe,
                               .open = open_pipe,
                               .link_tree = classify_pipes,
                               .capture = capture_pipes};
    return ops;
}

}  // namespace stasis
