#pragma once
// /proc/PID/pagemap: which pages of a range a process has, and what kind of
// page each is (Documentation/admin-guide/mm/pagemap.rst).
#include "core/kernel_abi.hpp"
#include <stasis/unique_fd.hpp>

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace stasis {

inline constexpr std::uint64_t pm_present = 1ULL << 63;
inline constexpr std::uint64_t pm_swapped = 1ULL << 62;
inline constexpr std::uint64_t pm_file = 1ULL << 61;  // file page or shared anonymous

// A page of a private file mapping that the process wrote: an anonymous
// copy, no longer the file's page.
inline bool is_private_copy(std::uint64_t entry)
{
    return (entry & (pm_present | pm_swapped)) != 0 && (entry & pm_file) == 0;
}

UniqueFd open_pagemap(pid_t pid);

// Runs PAGEMAP_SCAN (Linux 6.7) over [arg.start, arg.end) with the rest of
// arg as given, in batches of found's size, and calls on_range(start, end)
// for each range it reports, in address order. A full batch stops the walk
// at walk_end, where the next call goes on. Throws an Error beginning with
// `what` when a call fails.
void pagemap_scan(int pagemap, PmScanArg arg, std::span<PageRegion> found, const std::string& what,
                  const std::function<void(std::uint64_t, std::uint64_t)>& on_range);

// Whether this kernel has PAGEMAP_SCAN; asked once.
bool has_pagemap_scan();

// Calls emit(first_page_addr, length) for each run of pages in [start, end)
// that are present or swapped out and, with anonymous_only, not file pages:
// what holds(entry) tells of a page map entry with pm_present, pm_swapped
// and (is_private_copy) pm_file, the same runs, but asked of the kernel's
// PAGEMAP_SCAN, which reports runs instead of one entry per page: a tenth
// of the time over gigabytes, which counts while a job is frozen. Returns
// false, having emitted nothing, where the kernel has no PAGEMAP_SCAN.
bool scan_data_runs(int pagemap, std::uint64_t start, std::uint64_t end, bool anonymous_only,
                    const std::function<void(std::uint64_t, std::uint64_t)>& emit);

// Reads count entries from the first page at addr; throws an Error.
void read_pagemap(int pagemap, std::uint64_t addr, std::vector<std::uint64_t>& entries, std::uint64_t count);

// Calls emit(first_page_addr, length) for each run of pages in [start, end)
// for which holds(addr, pagemap_entry) is true. Reads the page map in
// batches, so a huge reservation costs no huge buffer.
template <typename Holds, typename Emit>
void for_each_run(int pagemap, std::uint64_t start, std::uint64_t end, Holds holds, Emit emit)
{
    constexpr std::uint64_t batch = 64 * 1024;
    std::vector<std::uint64_t> entries(batch);
    std::uint64_t run_start = 0, run_len = 0;
    for (std::uint64_t addr = start; addr < end;) {
        std::uint64_t pages = std::min(batch, (end - addr) / page_size);
        read_pagemap(pagemap, addr, entries, pages);
        for (std::uint64_t i = 0; i < pages; ++i, addr += page_size) {
            if (holds(addr, entries[i])) {
                if (run_len == 0) {
                    run_start = addr;
                }
                run_len += page_size;
            } else if (run_len != 0) {
                emit(run_start, run_len);
                run_len = 0;
            }
        }
    }
    if (run_len != 0) {
        emit(run_start, run_len);
    }
}

}  // namespace stasis
