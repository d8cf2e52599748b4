#include "inotify/inotify_kind.hpp"

#include "inotify/dump_inotify.hpp"
#include "inotify/restore_inotify.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

namespace {

constexpr char inotify_link[] = "anon_inode:inotify";
constexpr char fanotify_link[] = "anon_inode:[fanotify]";

// fanotify is claimed too, to be refused by its name: its marks may cover
// whole mounts and filesystems, and its events carry open fds.
bool recognizes(const FdProbe& probe)
{
    return probe.link == inotify_link || probe.link == fanotify_link;
}

void dump(const FdProbe& probe, FdState& fd)
{
    if (probe.link == fanotify_link) {
        refuse_fd(probe, "a fanotify group");
    }
    dump_inotify(probe, fd);
}

}  // namespace

const FdKindOps& inotify_kind()
{
    static const FdKindOps ops{.kind = FdKind::inotify,
                               .name = "inotify",
                               .recognizes = recognizes,
                               .dump = dump,
                               .open = open_inotify,
                               .read_detail = read_detail_as<InotifyState>};
    return ops;
}

}  // namespace stasis
