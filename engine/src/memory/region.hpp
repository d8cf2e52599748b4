#pragma once
// What the image keeps of a process's address space: every mapping with its
// kind, protections, backing file identity and stored pages, and the mm
// fields (brk, code/data/stack bounds, auxv) that prctl(PR_SET_MM_MAP) sets.
#include "image/chunk.hpp"

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

// unnamed_file, shared_unnamed_file: a private or shared mapping of a file
// that no longer has a name (deleted, O_TMPFILE, memfd), mapped at restore
// from the file stasis recreated (unnamed_files/).
enum class RegionKind {
    anon, file, shared_file, shared_anon, vdso, vvar, vvar_vclock, vsyscall, sysv_shm, unnamed_file, shared_unnamed_file
};

// Memory shared through a kernel object rather than a named file: one copy
// of its data is saved, with its first mapping in the tree.
inline bool is_shared_object(RegionKind kind)
{
    return kind == RegionKind::shared_anon || kind == RegionKind::sysv_shm;
}

// The kernel's own mappings, which every process gets and a restore moves.
inline bool is_kernel_mapping(RegionKind kind)
{
    return kind == RegionKind::vdso || kind == RegionKind::vvar || kind == RegionKind::vvar_vclock ||
           kind == RegionKind::vsyscall;
}

// Shared memory whose restore maps an object stasis hands the process
// across its exec (shared_memory/restore_shared_memory.hpp).
inline bool is_handed_object(RegionKind kind)
{
    return kind == RegionKind::shared_anon || kind == RegionKind::unnamed_file ||
           kind == RegionKind::shared_unnamed_file;
}

// A file or shared memory object: the device and inode its mappings and fds show.
struct ObjectId {
    std::uint64_t dev = 0;
    std::uint64_t inode = 0;
    auto operator<=>(const ObjectId&) const = default;
};

struct Region {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string prot;  // "rw-p" as in /proc/PID/maps
    RegionKind kind = RegionKind::anon;
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t dev = 0;
    std::uint64_t inode = 0;
    std::uint64_t file_size = 0;  // file kinds: identity of the mapped file
    std::int64_t file_mtime_ns = 0;
    std::vector<std::string> vmflags;  // smaps VmFlags mnemonics
    std::vector<image::Chunk> chunks;

    [[nodiscard]] int prot_bits() const;
    [[nodiscard]] bool has_flag(const std::string& flag) const;
    [[nodiscard]] std::uint64_t size() const { return end - start; }
    [[nodiscard]] ObjectId object() const { return {dev, inode}; }
};

// The fields prctl(PR_SET_MM_MAP) takes, plus the auxiliary vector.
struct MmState {
    std::uint64_t start_code = 0, end_code = 0, start_data = 0, end_data = 0;
    std::uint64_t start_brk = 0, brk = 0, start_stack = 0;
    std::uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
    std::vector<std::uint64_t> auxv;
};

std::string region_kind_name(RegionKind kind);

// "process 42: mapping 0x7f00-0x7f10 (anonymous)", for errors.
std::string describe_mapping(pid_t pid, std::uint64_t start, std::uint64_t end, const std::string& path);
inline std::string describe_region(pid_t pid, const Region& r)
{
    return describe_mapping(pid, r.start, r.end, r.path);
}

void to_json(nlohmann::json& j, const Region& r);
void from_json(const nlohmann::json& j, Region& r);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MmState, start_code, end_code, start_data, end_data, start_brk, brk, start_stack,
                                   arg_start, arg_end, env_start, env_end, auxv)

}  // namespace stasis
