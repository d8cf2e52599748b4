#include "unnamed_files/dump_unnamed_files.hpp"

#include "core/error.hpp"
#include "image/file_content.hpp"
#include "memory/dump_memory.hpp"
#include "memory/pagemap.hpp"
#include "unnamed_files/unnamed_file_link.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <map>
#include <optional>

namespace stasis {

namespace {

struct Holder {
    pid_t pid;
    int fd;
};

struct Mapping {
    std::size_t process;  // index in the tree
    const Region* region;
};

// Everything in the tree that holds one file.
struct Holders {
    std::string link;
    std::optional<Holder> fd;
    std::vector<Mapping> mappings;
};

std::map<ObjectId, Holders> find_unnamed_files(const std::vector<ProcessState>& tree)
{
    std::map<ObjectId, Holders> files;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        for (const auto& fd : tree[i].fds) {
            if (fd.kind == FdKind::unnamed_file) {
                const auto& ref = fd.detail_as<UnnamedFileRef>();
                auto& holders = files[{ref.dev, ref.inode}];
                holders.link = fd.path;
                holders.fd = holders.fd ? holders.fd : Holder{tree[i].pid, fd.fd};
            }
        }
        for (const auto& r : tree[i].regions) {
            if (r.kind == RegionKind::unnamed_file || r.kind == RegionKind::shared_unnamed_file) {
                auto& holders = files[r.object()];
                holders.link = r.path;
                holders.mappings.push_back({i, &r});
            }
        }
    }
    return files;
}

UnnamedFile describe(const ObjectId& id, const std::string& link)
{
    UnnamedFile file;
    file.dev = id.dev;
    file.inode = id.inode;
    file.path = unnamed_file_path(link);
    file.memfd = is_memfd_link(link);
    return file;
}

void save_through_fd(const Holder& holder, UnnamedFile& file, image::ChunkWriter& writer)
{
    std::string what = "the deleted file " + file.path + " (fd " + std::to_string(holder.fd) + " of process " +
                       std::to_string(holder.pid) + ")";
    auto link = "/proc/" + std::to_string(holder.pid) + "/fd/" + std::to_string(holder.fd);
    UniqueFd in(::open(link.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    struct stat st {};
    if (!in.valid() || ::fstat(in.get(), &st) < 0) {
        throw sys_error("cannot read " + what);
    }
    file.size = static_cast<std::uint64_t>(st.st_size);
    file.mode = st.st_mode & 07777;
    if (file.memfd) {
        int seals = ::fcntl(in.get(), F_GET_SEALS);
        if (seals < 0) {
            throw sys_error("cannot read the seals of " + what);
        }
        file.seals = static_cast<std::uint32_t>(seals);
    }
    file.chunks = image::save_file_content(in.get(), file.size, writer, what);
}

// Pages a shared mapping shows that are not resident in a tmpfs file are
// holes, and reading them would fill the live file; on other file systems
// they are on disk.
bool on_tmpfs(const UnnamedFile& file)
{
    if (file.memfd) {
        return true;
    }
    auto dir = std::filesystem::path(file.path).parent_path();
    struct stat st {};
    struct statfs fs {};
    return ::stat(dir.c_str(), &st) == 0 && st.st_dev == file.dev && ::statfs(dir.c_str(), &fs) == 0 &&
           fs.f_type == TMPFS_MAGIC;
}

void save_through_mappings(const Holders& holders, const std::vector<ProcessState>& tree,
                           const std::vector<SharedResidency>& residency, UnnamedFile& file,
                           image::ChunkWriter& writer)
{
    file.whole = false;
    for (const auto& m : holders.mappings) {
        file.size = std::max(file.size, m.region->offset + m.region->size());
    }
    bool tmpfs = on_tmpfs(file);
    std::vector<bool> saved(file.size / page_size);
    for (const auto& m : holders.mappings) {
        const Region& r = *m.region;
        pid_t pid = tree[m.process].pid;
        bool shared = r.kind == RegionKind::shared_unnamed_file;
        const auto* resident = shared ? &residency[m.process].at(r.start) : nullptr;
        auto pagemap = open_pagemap(pid);
        auto holds = [&](std::uint64_t addr, std::uint64_t entry) {
            std::uint64_t page = (r.offset + addr - r.start) / page_size;
            bool files_page = shared ? !tmpfs || (*resident)[(addr - r.start) / page_size] : !is_private_copy(entry);
            if (saved[page] || !files_page) {
                return false;
            }
            saved[page] = true;
            return true;
        };
        auto save = [&](std::uint64_t start, std::uint64_t len) {
            save_remote_run(pid, start, len, r.offset - r.start, writer);
        };
        for_each_run(pagemap.get(), r.start, r.end, holds, save);
    }
    file.chunks = writer.finish();
}

}  // namespace

void save_unnamed_files(const std::vector<SharedResidency>& residency, const std::filesystem::path& staging,
                        const image::WriterSettings& settings, Checkpoint& checkpoint)
{
    for (const auto& [id, holders] : find_unnamed_files(checkpoint.processes)) {
        auto file = describe(id, holders.link);
        image::ChunkWriter writer(staging, settings, "file-" + std::to_string(checkpoint.unnamed_files.size()));
        if (holders.fd) {
            save_through_fd(*holders.fd, file, writer);
        } else {
            save_through_mappings(holders, checkpoint.processes, residency, file, writer);
        }
        for (const auto& name : writer.files()) {
            checkpoint.data_files.push_back(name);
        }
        checkpoint.unnamed_files.push_back(std::move(file));
    }
}

}  // namespace stasis
