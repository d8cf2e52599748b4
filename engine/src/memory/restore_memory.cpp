#include "memory/restore_memory.hpp"

#include "core/error.hpp"
#include "core/parallel_for.hpp"
#include "core/hex.hpp"
#include "core/kernel_abi.hpp"
#include "shared_memory/restore_shared_memory.hpp"
#include "core/proc.hpp"
#include "core/ptrace_ops.hpp"
#include "core/remote_memory.hpp"

#include <fcntl.h>
#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <sstream>
#include <thread>

namespace stasis {

namespace {

constexpr std::uint64_t search_start = 1ULL << 32;
constexpr std::uint64_t search_step = 1ULL << 30;
constexpr std::uint64_t search_end = 0x7f0000000000ULL;
constexpr std::uint64_t vdso_parking = injection_area_size / 2;

bool is_kernel_special(const std::string& path)
{
    return path == "[vdso]" || path == "[vvar]" || path == "[vvar_vclock]" || path == "[vsyscall]";
}

bool overlaps(std::uint64_t a_start, std::uint64_t a_end, std::uint64_t b_start, std::uint64_t b_end)
{
    return a_start < b_end && b_start < a_end;
}

// The processes forked from this one keep its injection area: it must be
// free in their saved address spaces too.
std::uint64_t choose_area(const std::vector<const ProcessState*>& sharing, const std::vector<proc::MapEntry>& current)
{
    auto taken = [](std::uint64_t base, std::uint64_t end, const ProcessState* p) {
        return std::any_of(p->regions.begin(), p->regions.end(),
                           [&](const Region& r) { return overlaps(base, end, r.start, r.end); });
    };
    for (std::uint64_t base = search_start; base < search_end; base += search_step) {
        std::uint64_t end = base + injection_area_size;
        bool free = std::none_of(sharing.begin(), sharing.end(),
                                 [&](const ProcessState* p) { return taken(base, end, p); }) &&
                    std::none_of(current.begin(), current.end(),
                                 [&](const proc::MapEntry& e) { return overlaps(base, end, e.start, e.end); });
        if (free) {
            return base;
        }
    }
    throw Error("no free address range for the restorer in the saved address space");
}

// Right after exec nothing but the kernel's syscall path is guaranteed to be
// ours to use, so the first call runs from two bytes written over the
// dynamic loader's entry point; it maps the real injection area.
void place_injection_area(RestoreContext& ctx, const std::vector<const ProcessState*>& sharing)
{
    pid_t pid = ctx.pid();
    auto regs = ptrace::get_regs(pid);
    errno = 0;
    long word = ::ptrace(PTRACE_PEEKTEXT, pid, regs.rip, nullptr);
    if (errno != 0) {
        throw sys_error("reading the new process's entry point");
    }
    static_assert(syscall_insn_size == 2, "one 16-bit word of the entry point is replaced");
    long patched = (word & ~0xffffL) | (syscall_insn[1] << 8) | syscall_insn[0];
    if (::ptrace(PTRACE_POKETEXT, pid, regs.rip, patched) < 0) {
        throw sys_error("writing the new process's entry point");
    }
    ctx.main().set_syscall_ip(regs.rip);
    std::uint64_t base = choose_area(sharing, proc::smaps(pid));
    ctx.main().checked("mmap of the injection area", SYS_mmap,
                       {base, injection_area_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, static_cast<std::uint64_t>(-1), 0});
    write_remote(pid, base, std::as_bytes(std::span(syscall_insn)));
    ctx.main().checked("mprotect of the injection area", SYS_mprotect, {base, page_size, PROT_READ | PROT_EXEC});
    ctx.set_area(base, injection_area_size);
}

void unmap_exec_leftovers(RestoreContext& ctx)
{
    for (const auto& e : proc::smaps(ctx.pid())) {
        if (is_kernel_special(e.path) || (e.start >= ctx.area_base() && e.end <= ctx.area_base() + ctx.area_size())) {
            continue;
        }
        ctx.main().checked("munmap", SYS_munmap, {e.start, e.end - e.start});
    }
}

void move_mapping(RestoreContext& ctx, std::uint64_t from, std::uint64_t size, std::uint64_t to)
{
    ctx.main().checked("mremap of the vDSO", SYS_mremap, {from, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, to});
}

// glibc keeps pointers into the vDSO it started with, so the fresh one must
// sit exactly where the old one was. Parking first avoids moving one part
// onto another part that is still to be moved.
void move_vdso(RestoreContext& ctx, const ProcessState& process)
{
    struct Move {
        std::uint64_t from, size, to;
    };
    std::vector<Move> moves;
    auto current = proc::smaps(ctx.pid());
    for (const auto& r : process.regions) {
        if (r.kind != RegionKind::vdso && r.kind != RegionKind::vvar && r.kind != RegionKind::vvar_vclock) {
            continue;
        }
        std::string name = "[" + region_kind_name(r.kind) + "]";
        auto it = std::find_if(current.begin(), current.end(), [&](const auto& e) { return e.path == name; });
        if (it == current.end() || it->end - it->start != r.size()) {
            throw Error("the vDSO of this kernel differs from the checkpointed one (" + name +
                        "); restore on a node running the same kernel");
        }
        moves.push_back({it->start, r.size(), r.start});
    }
    std::uint64_t parking = ctx.area_base() + vdso_parking;
    for (auto& m : moves) {
        move_mapping(ctx, m.from, m.size, parking);
        m.from = parking;
        parking += m.size;
    }
    for (const auto& m : moves) {
        move_mapping(ctx, m.from, m.size, m.to);
    }
}

struct MadviseFlag {
    const char* mnemonic;
    int advice;
};
constexpr MadviseFlag advice_flags[] = {
    {"dc", MADV_DONTFORK}, {"wf", MADV_WIPEONFORK}, {"hg", MADV_HUGEPAGE}, {"nh", MADV_NOHUGEPAGE}, {"dd", MADV_DONTDUMP}};

int open_mapped_file(RestoreContext& ctx, const Region& r)
{
    struct stat st {};
    if (::stat(r.path.c_str(), &st) < 0) {
        throw sys_error("cannot restore the mapping of " + r.path + " at " + hex_address(r.start));
    }
    // A shared mapping's file changes by design; a private one (program,
    // library, input) must be the very same file.
    bool same = st.st_ino == r.inode &&
                (r.kind == RegionKind::shared_file ||
                 (static_cast<std::uint64_t>(st.st_size) == r.file_size &&
                  st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == r.file_mtime_ns));
    if (!same) {
        throw Error("cannot restore the mapping of " + r.path + " at " + hex_address(r.start) +
                    ": the file was replaced or modified since the checkpoint");
    }
    bool writable_shared = r.kind == RegionKind::shared_file && r.has_flag("mw");
    return static_cast<int>(ctx.main().checked(("open " + r.path).c_str(), SYS_openat,
                                               {static_cast<std::uint64_t>(AT_FDCWD), ctx.stage_string(r.path),
                                                static_cast<std::uint64_t>(writable_shared ? O_RDWR : O_RDONLY), 0}));
}

}  // namespace

bool needs_fill(const Region& r)
{
    return r.kind != RegionKind::shared_anon && (r.kind == RegionKind::anon || !r.chunks.empty());
}

void map_region(RestoreContext& ctx, const Region& r)
{
    std::uint64_t prot = needs_fill(r) ? static_cast<std::uint64_t>(r.prot_bits() | PROT_READ | PROT_WRITE)
                                       : static_cast<std::uint64_t>(r.prot_bits());
    auto& inj = ctx.main();
    switch (r.kind) {
    case RegionKind::anon: {
        std::uint64_t flags = MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE | (r.has_flag("gd") ? MAP_GROWSDOWN : 0);
        inj.checked("mmap", SYS_mmap, {r.start, r.size(), prot, flags, static_cast<std::uint64_t>(-1), 0});
        break;
    }
    case RegionKind::shared_anon:
    case RegionKind::shared_unnamed_file:
    case RegionKind::unnamed_file: {
        auto fd = static_cast<std::uint64_t>(ctx.shared_memory_fds().at(r.object()));
        std::uint64_t flags = MAP_FIXED | (r.kind == RegionKind::unnamed_file ? MAP_PRIVATE : MAP_SHARED);
        inj.checked("mmap of a shared object", SYS_mmap, {r.start, r.size(), prot, flags, fd, r.offset});
        break;
    }
    case RegionKind::sysv_shm:
        attach_sysv_segment(ctx, r, prot);
        break;
    case RegionKind::file:
    case RegionKind::shared_file: {
        int fd = open_mapped_file(ctx, r);
        std::uint64_t flags = MAP_FIXED | (r.kind == RegionKind::file ? MAP_PRIVATE : MAP_SHARED);
        long rc = inj.call(SYS_mmap, {r.start, r.size(), prot, flags, static_cast<std::uint64_t>(fd), r.offset});
        inj.call(SYS_close, {static_cast<std::uint64_t>(fd)});
        if (is_syscall_error(rc)) {
            throw sys_error("cannot map " + r.path + " at " + hex_address(r.start), static_cast<int>(-rc));
        }
        break;
    }
    default:
        return;
    }
    apply_advice(ctx, r);
}

void apply_advice(RestoreContext& ctx, const Region& r)
{
    for (const auto& a : advice_flags) {
        if (r.has_flag(a.mnemonic)) {
            ctx.main().call(SYS_madvise, {r.start, r.size(), static_cast<std::uint64_t>(a.advice)});
        }
    }
}

void add_chunks_to_fill(const Region& r, std::vector<const image::Chunk*>& chunks)
{
    if (r.kind == RegionKind::shared_anon) {
        return;
    }
    for (const auto& c : r.chunks) {
        chunks.push_back(&c);
    }
}

namespace {

void fill_chunks(pid_t pid, const std::vector<const image::Chunk*>& chunks, const image::ChunkReader& reader)
{
    const unsigned workers = std::max(1U, std::min(4U, std::thread::hardware_concurrency()));
    parallel_for(chunks.size(), workers, [&](std::size_t i) {
        // Not cleared first: the chunk overwrites all of it.
        auto buffer = std::make_unique_for_overwrite<std::byte[]>(chunks[i]->size);
        const std::span<std::byte> data(buffer.get(), chunks[i]->size);
        reader.read(*chunks[i], data);
        write_remote(pid, chunks[i]->vaddr, data);
    });
}

void set_mm_fields(RestoreContext& ctx, const MmState& mm)
{
    prctl_mm_map map{};
    map.start_code = mm.start_code;
    map.end_code = mm.end_code;
    map.start_data = mm.start_data;
    map.end_data = mm.end_data;
    map.start_brk = mm.start_brk;
    map.brk = mm.brk;
    map.start_stack = mm.start_stack;
    map.arg_start = mm.arg_start;
    map.arg_end = mm.arg_end;
    map.env_start = mm.env_start;
    map.env_end = mm.env_end;
    map.auxv_size = static_cast<__u32>(mm.auxv.size() * sizeof(std::uint64_t));
    map.exe_fd = static_cast<__u32>(-1);  // the exec already set the right one
    std::vector<std::byte> block(sizeof(map) + map.auxv_size);
    map.auxv = reinterpret_cast<__u64*>(ctx.scratch_address() + sizeof(map));
    std::memcpy(block.data(), &map, sizeof(map));
    std::memcpy(block.data() + sizeof(map), mm.auxv.data(), map.auxv_size);
    std::uint64_t staged = ctx.stage(block);
    ctx.main().checked("prctl(PR_SET_MM_MAP)", SYS_prctl, {PR_SET_MM, PR_SET_MM_MAP, staged, sizeof(map), 0});
}

}  // namespace

void complete_address_space(RestoreContext& ctx, const ProcessState& process,
                            const std::vector<const image::Chunk*>& chunks, const image::ChunkReader& reader,
                            const std::vector<bool>& opened)
{
    for (const auto& [object, fd] : ctx.shared_memory_fds()) {
        ctx.main().checked("close", SYS_close, {static_cast<std::uint64_t>(fd)});
    }
    fill_chunks(ctx.pid(), chunks, reader);
    for (std::size_t i = 0; i < process.regions.size(); ++i) {
        const auto& r = process.regions[i];
        if (opened[i]) {
            ctx.main().checked("mprotect", SYS_mprotect,
                               {r.start, r.size(), static_cast<std::uint64_t>(r.prot_bits())});
        }
    }
    set_mm_fields(ctx, process.mm);
}

void rebuild_address_space(RestoreContext& ctx, const ProcessState& process, const image::ChunkReader& reader,
                           const std::vector<const ProcessState*>& forked_children)
{
    std::vector<const ProcessState*> sharing{&process};
    sharing.insert(sharing.end(), forked_children.begin(), forked_children.end());
    place_injection_area(ctx, sharing);
    unmap_exec_leftovers(ctx);
    move_vdso(ctx, process);
    std::vector<const image::Chunk*> chunks;
    std::vector<bool> opened;
    for (const auto& r : process.regions) {
        map_region(ctx, r);
        add_chunks_to_fill(r, chunks);
        opened.push_back(needs_fill(r) || r.kind == RegionKind::sysv_shm);
    }
    complete_address_space(ctx, process, chunks, reader, opened);
}

void unmap_injection_area(RestoreContext& ctx)
{
    ctx.main().checked("munmap of the injection area", SYS_munmap, {ctx.area_base(), ctx.area_size()});
}

}  // namespace stasis
