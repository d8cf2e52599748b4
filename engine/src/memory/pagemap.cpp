#include "memory/pagemap.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <span>
#include <string>

namespace stasis {

UniqueFd open_pagemap(pid_t pid)
{
    UniqueFd pagemap(::open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY | O_CLOEXEC));
    if (!pagemap.valid()) {
        throw sys_error("cannot open the page map of process " + std::to_string(pid));
    }
    return pagemap;
}

void read_pagemap(int pagemap, std::uint64_t addr, std::vector<std::uint64_t>& entries, std::uint64_t count)
{
    auto bytes = static_cast<ssize_t>(count * sizeof(std::uint64_t));
    if (::pread(pagemap, entries.data(), static_cast<std::size_t>(bytes),
                static_cast<off_t>(addr / page_size * sizeof(std::uint64_t))) != bytes) {
        throw sys_error("cannot read the page map");
    }
}

bool scan_data_runs(int pagemap, std::uint64_t start, std::uint64_t end, bool anonymous_only,
                    const std::function<void(std::uint64_t, std::uint64_t)>& emit)
{
    constexpr std::size_t batch = 1024;
    std::vector<PageRegion> found(batch);
    PmScanArg arg;
    arg.start = start;
    arg.end = end;
    arg.vec = reinterpret_cast<std::uint64_t>(found.data());
    arg.vec_len = found.size();
    arg.category_anyof_mask = page_is_present | page_is_swapped;
    if (anonymous_only) {
        arg.category_inverted = page_is_file;
        arg.category_mask = page_is_file;
    }
    // A full batch stops the walk at walk_end; a run that goes on past it
    // comes back split, and is joined again here.
    std::uint64_t run_start = 0, run_end = 0;
    for (bool first = true; arg.start < arg.end; first = false) {
        long n = ::ioctl(pagemap, pagemap_scan_ioctl, &arg);
        if (n < 0) {
            if (first && (errno == ENOTTY || errno == EINVAL)) {
                return false;
            }
            throw sys_error("cannot scan the page map");
        }
        for (const auto& r : std::span(found.data(), static_cast<std::size_t>(n))) {
            if (r.start != run_end || run_end == run_start) {
                if (run_end != run_start) {
                    emit(run_start, run_end - run_start);
                }
                run_start = r.start;
            }
            run_end = r.end;
        }
        arg.start = arg.walk_end;
    }
    if (run_end != run_start) {
        emit(run_start, run_end - run_start);
    }
    return true;
}

}  // namespace stasis
