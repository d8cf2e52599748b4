#include "unnamed_files/unnamed_file_kind.hpp"

#include "unnamed_files/restore_unnamed_files.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace stasis {

namespace {

bool recognizes_unnamed_file(const FdProbe& probe)
{
    return S_ISREG(probe.st.st_mode) && is_unnamed_file_link(probe.link);
}

void dump_unnamed_file(const FdProbe& probe, FdState& fd)
{
    struct statfs fs {};
    bool hugetlb = ::statfs(probe.proc_path().c_str(), &fs) == 0 && fs.f_type == HUGETLBFS_MAGIC;
    if (auto why = unsupported_unnamed_file(probe.link, hugetlb); !why.empty()) {
        refuse_fd(probe, why);
    }
    // Saved apart from its other names, it would no longer be the file they name.
    if (!is_memfd_link(probe.link) && probe.st.st_nlink > 0) {
        refuse_fd(probe, "a file whose name was removed while it kept another one");
    }
    UniqueFd readable(::open(probe.proc_path().c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!readable.valid()) {
        refuse_fd(probe, "a deleted file its owner may not read");
    }
    fd.detail = UnnamedFileRef{probe.st.st_dev, probe.st.st_ino};
}

UniqueFd open_unnamed_file(const FdState& saved, RestoreSources& sources)
{
    return sources.tree_state<RecreatedUnnamedFiles>().reopen(saved);
}

}  // namespace

std::string unsupported_unnamed_file(const std::string& link, bool hugetlb)
{
    if (link.rfind("/secretmem", 0) == 0) {
        return "secret memory (memfd_secret)";
    }
    if (hugetlb) {
        return "a file on hugetlbfs (a huge page memfd)";
    }
    return "";
}

const FdKindOps& unnamed_file_kind()
{
    static const FdKindOps ops{.kind = FdKind::unnamed_file,
                               .name = "unnamed_file",
                               .recognizes = recognizes_unnamed_file,
                               .dump = dump_unnamed_file,
                               .open = open_unnamed_file,
                               .read_detail = read_detail_as<UnnamedFileRef>};
    return ops;
}

}  // namespace stasis
