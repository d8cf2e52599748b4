#pragma once
// A job's write tracking across its checkpoints (stasis run): for each
// process the agent guards, the pages it wrote since the job's last committed
// generation. A checkpoint then borrows that generation's chunks whose pages
// nobody wrote without reading or checksumming them, so that the time the
// job is frozen follows what it wrote, not its size. Where writes cannot be
// tracked (a region new since, a process that cannot hold a userfaultfd),
// chunks are compared by checksum as before.
//
// A process is tracked only while the caller vouches that it is the same
// address space: the guard says (forget) when one execs or ends, before its
// pid can name another.
#include "image/chunk.hpp"
#include "core/syscall_injector.hpp"
#include "memory/page_ranges.hpp"
#include "memory/region.hpp"
#include "memory/write_tracker.hpp"

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stasis {

// A process's chunks by address and size, as a sibling generation names them.
using ChunksByPlace = std::map<std::pair<std::uint64_t, std::uint64_t>, image::Chunk>;

// What of a process's memory is known to be stored already, unchanged: the
// last committed generation's chunks whose pages were tracked since and not
// written, and the chunks a pre-copy of this checkpoint read whose pages
// were not written since.
class UnchangedChunks {
public:
    UnchangedChunks(const ChunksByPlace& base, const ChunksByPlace& pre_copied, const PageRanges& tracked,
                    const PageRanges& written)
        : base_(&base), pre_copied_(&pre_copied), tracked_(&tracked), written_(&written)
    {
    }

    // The stored chunk of [vaddr, vaddr + size), if it is unchanged.
    [[nodiscard]] const image::Chunk* find(std::uint64_t vaddr, std::uint64_t size) const;
    // Whether writes to all of [vaddr, vaddr + size) are tracked.
    [[nodiscard]] bool tracked(std::uint64_t vaddr, std::uint64_t size) const
    {
        return tracked_->covers(vaddr, vaddr + size);
    }

private:
    const ChunksByPlace* base_;
    const ChunksByPlace* pre_copied_;
    const PageRanges* tracked_;
    const PageRanges* written_;
};

class WriteTracking {
public:
    // A checkpoint begins that follows parent (a generation name, "" for a
    // full one). What an earlier one captured or pre-copied but did not
    // commit is dropped; the pages it saw written stay counted.
    void begin(const std::string& parent);
    // The processes tracked since the parent, if the parent is the
    // generation the tracking's base is: those a pre-copy may read.
    [[nodiscard]] std::vector<pid_t> pre_copyable() const;
    // With pid running (a pre-copy pass): what of it is stored already,
    // with every tracked page protected again; none when pid is not
    // tracked, or no longer (as capture).
    std::optional<UnchangedChunks> rescan(pid_t pid, const std::vector<Region>& regions);
    // Chunks a pre-copy pass read of pid, into this checkpoint's staging.
    void pre_copied(pid_t pid, const std::vector<image::Chunk>& chunks);
    // With pid stopped, through its injector: starts tracking it if it is
    // not yet. A process that cannot be tracked is named in one warning and
    // not tried again.
    void adopt(pid_t pid, SyscallInjector& inj);
    // With pid stopped, before its memory is read: what of it is unchanged
    // since the parent (none unless pid was tracked since the parent was
    // captured), and every tracked page protected again, for the next one.
    // A process that fails here is warned about and tracked afresh.
    std::optional<UnchangedChunks> capture(pid_t pid, const std::vector<Region>& regions);
    // The chunks this checkpoint holds of pid, borrowed or stored.
    void captured_chunks(pid_t pid, const std::vector<Region>& regions);
    // The checkpoint was committed as generation (a sibling of the next),
    // and is kept: LATEST names it.
    void committed(const std::string& generation);
    // pid execs or ends: its tracking ends with its address space.
    void forget(pid_t pid);

private:
    struct Process {
        std::optional<WriteTracker> tracker;  // none: it cannot be tracked
        // Since the base (the last committed capture), if this process was
        // in it: the pages written since, from every scan (a region that was
        // not tracked all along counts as written whole), and its chunks.
        bool in_base = false;
        PageRanges written;
        ChunksByPlace base_chunks;
        // This checkpoint's capture, the base once it commits:
        bool captured = false;
        PageRanges tracked;  // the regions tracked from this capture on
        ChunksByPlace captured_chunks;
        // This checkpoint's pre-copy: chunks read while the process ran,
        // each dropped once a scan finds a page of it written.
        ChunksByPlace pre_copied;
    };

    // Scans p (registering what it may track), counts what was written and
    // drops the pre-copied chunks that were.
    void scan(Process& p, const std::vector<Region>& regions);
    // pid's process once scanned; nullptr when it is not tracked or the
    // scan failed (warned about, and it is then tracked no more).
    Process* scanned(pid_t pid, const std::vector<Region>& regions);
    [[nodiscard]] UnchangedChunks unchanged(const Process& p) const;

    std::map<pid_t, Process> processes_;
    ChunksByPlace no_chunks_;
    std::string base_;    // the generation the bases are of
    std::string parent_;  // the generation the current checkpoint follows
};

}  // namespace stasis
