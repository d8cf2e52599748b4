#include "unnamed_files/unnamed_file_kind.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "image/checkpoint.hpp"
#include "unnamed_files/restore_unnamed_files.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <map>

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

int seals_of(pid_t pid, int fd)
{
    UniqueFd file(::open(("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd)).c_str(),
                         O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    return file.valid() ? std::max(0, ::fcntl(file.get(), F_GET_SEALS)) : 0;
}

// A restore seals a memfd before the tree maps it again, and a memfd sealed
// against future writes can no longer be mapped writable and shared.
void refuse_writable_sealed_mappings(std::vector<ProcessState>& tree)
{
    std::map<ObjectId, std::string> sealed;  // memfds sealed against future writes
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            if (fd.kind == FdKind::unnamed_file && is_memfd_link(fd.path) &&
                (seals_of(p.pid, fd.fd) & F_SEAL_FUTURE_WRITE) != 0) {
                const auto& ref = fd.detail_as<UnnamedFileRef>();
                sealed.emplace(ObjectId{ref.dev, ref.inode}, fd.path);
            }
        }
    }
    for (const auto& p : tree) {
        for (const auto& r : p.regions) {
            if (r.kind == RegionKind::shared_unnamed_file && (r.prot_bits() & PROT_WRITE) != 0 &&
                sealed.contains(r.object())) {
                throw Error("process " + std::to_string(p.pid) + ": mapping " + hex_address(r.start) + "-" +
                            hex_address(r.end) + " (" + r.path +
                            ") is a writable shared mapping of a memfd sealed against future writes, which stasis "
                            "cannot checkpoint yet");
            }
        }
    }
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
                               .read_detail = read_detail_as<UnnamedFileRef>,
                               .link_tree = refuse_writable_sealed_mappings};
    return ops;
}

}  // namespace stasis
