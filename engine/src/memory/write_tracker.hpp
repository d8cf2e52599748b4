#pragma once
// Which pages of one process were written since stasis last looked: a
// userfaultfd created inside the process (the only way to get one for its
// address space), taken over by stasis and closed there, with the process's
// private anonymous writable regions registered for write-protect in async
// mode. The kernel then resolves every first write to a protected page by
// itself, only clearing the page's protection bit; PAGEMAP_SCAN reads the
// cleared bits back and sets them again in the same walk. The process sees
// no fd, no signal and no fault it did not have before.
#include "core/kernel_abi.hpp"
#include "core/syscall_injector.hpp"
#include "memory/page_ranges.hpp"
#include "memory/region.hpp"
#include <stasis/unique_fd.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace stasis {

class WriteTracker {
public:
    // Creates the userfaultfd in pid (stopped, through its injector) and
    // takes it over. Throws an Error saying why it cannot (a kernel older
    // than 6.7, a seccomp filter, no fd left).
    WriteTracker(pid_t pid, SyscallInjector& inj);

    struct Scan {
        PageRanges tracked;  // the regions whose writes are tracked from now on
        // The pages of those written since the last scan: all of a region
        // that was not registered all along.
        PageRanges written;
    };

    // With the process stopped: registers every region it may track (one
    // a userfaultfd of the process's own holds stays untracked), reads which
    // pages were written and write-protects them again. Throws an Error.
    Scan scan(const std::vector<Region>& regions);

    // "" when this kernel offers write tracking to this user, else why not.
    static std::string unavailable_reason();

private:
    bool track(const Region& region);
    void collect_written(const Region& region, PageRanges& written);

    pid_t pid_;
    UniqueFd uffd_;
    UniqueFd pagemap_;
    std::vector<PageRegion> found_;
};

}  // namespace stasis
