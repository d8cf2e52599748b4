#include "memory/pagemap.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
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

void pagemap_scan(int pagemap, PmScanArg arg, std::span<PageRegion> found, const std::string& what,
                  const std::function<void(std::uint64_t, std::uint64_t)>& on_range)
{
    arg.vec = reinterpret_cast<std::uint64_t>(found.data());
    arg.vec_len = found.size();
    while (arg.start < arg.end) {
        long n = ::ioctl(pagemap, pagemap_scan_ioctl, &arg);
        if (n < 0) {
            throw sys_error(what);
        }
        for (const auto& r : found.first(static_cast<std::size_t>(n))) {
            on_range(r.start, r.end);
        }
        arg.start = arg.walk_end;
    }
}

bool has_pagemap_scan()
{
    static const bool known = [] {
        UniqueFd self = open_pagemap(::getpid());
        PmScanArg probe;  // an empty range: only asks whether the kernel knows the call
        return ::ioctl(self.get(), pagemap_scan_ioctl, &probe) == 0;
    }();
    return known;
}

bool scan_data_runs(int pagemap, std::uint64_t start, std::uint64_t end, bool anonymous_only,
                    const std::function<void(std::uint64_t, std::uint64_t)>& emit)
{
    if (!has_pagemap_scan()) {
        return false;
    }
    PmScanArg arg;
    arg.start = start;
    arg.end = end;
    arg.category_anyof_mask = page_is_present | page_is_swapped;
    if (anonymous_only) {
        arg.category_inverted = page_is_file;
        arg.category_mask = page_is_file;
    }
    // A run that goes on past a batch's end comes back split, and is joined
    // again here.
    std::array<PageRegion, 256> found{};
    std::uint64_t run_start = 0, run_end = 0;
    pagemap_scan(pagemap, arg, found, "cannot scan the page map", [&](std::uint64_t s, std::uint64_t e) {
        if (s != run_end && run_end != run_start) {
            emit(run_start, run_end - run_start);
        }
        if (s != run_end || run_end == run_start) {
            run_start = s;
        }
        run_end = e;
    });
    if (run_end != run_start) {
        emit(run_start, run_end - run_start);
    }
    return true;
}

}  // namespace stasis
