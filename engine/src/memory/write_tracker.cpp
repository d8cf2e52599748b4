#include "memory/write_tracker.hpp"

#include "core/error.hpp"
#include "core/remote_fd.hpp"
#include "memory/pagemap.hpp"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stasis {

namespace {

constexpr int uffd_flags = O_CLOEXEC | O_NONBLOCK | uffd_user_mode_only;
constexpr std::size_t scan_batch = 1024;  // written ranges per PAGEMAP_SCAN call

// Async write-protect only: no fault is ever queued for anyone to read.
void enable_async_write_protect(int uffd)
{
    uffdio_api api{.api = UFFD_API, .features = uffd_feature_wp_async, .ioctls = 0};
    if (::ioctl(uffd, UFFDIO_API, &api) < 0) {
        throw sys_error("this kernel has no asynchronous userfaultfd write-protect (6.7 or later)");
    }
}

// Where writes are tracked: memory only the process writes, through its
// page tables. Shared memory is written by others, and a private file
// mapping would have page tables built for every page of the file.
bool trackable(const Region& r)
{
    return r.kind == RegionKind::anon && r.prot.size() >= 4 && r.prot[1] == 'w' && r.prot[3] == 'p';
}

}  // namespace

WriteTracker::WriteTracker(pid_t pid, SyscallInjector& inj) : pid_(pid), pagemap_(open_pagemap(pid))
{
    long fd = inj.call(SYS_userfaultfd, {static_cast<std::uint64_t>(uffd_flags)});
    if (is_syscall_error(fd)) {
        throw sys_error("process " + std::to_string(pid) + " cannot create a userfaultfd", static_cast<int>(-fd));
    }
    try {
        uffd_ = copy_remote_fd(pid, static_cast<int>(fd));
    } catch (...) {
        inj.call(SYS_close, {static_cast<std::uint64_t>(fd)});
        throw;
    }
    inj.checked("close", SYS_close, {static_cast<std::uint64_t>(fd)});
    enable_async_write_protect(uffd_.get());
    found_.resize(scan_batch);
}

WriteTracker::Scan WriteTracker::scan(const std::vector<Region>& regions)
{
    Scan s;
    for (const auto& region : regions) {
        // Registered since the last scan ("uw"), or not: a region mapped,
        // moved (mremap) or replaced meanwhile is not, and its pages may
        // carry the protection bits of whatever they were before, so all
        // of them count as written.
        const bool registered_all_along = region.has_flag("uw");
        if (trackable(region) && track(region)) {
            s.tracked.add(region.start, region.end);
            collect_written(region, s.written);
            if (!registered_all_along) {
                s.written.add(region.start, region.end);
            }
        }
    }
    return s;
}

bool WriteTracker::track(const Region& region)
{
    uffdio_register reg{.range = {.start = region.start, .len = region.size()}, .mode = UFFDIO_REGISTER_MODE_WP,
                        .ioctls = 0};
    if (::ioctl(uffd_.get(), UFFDIO_REGISTER, &reg) == 0) {
        return true;  // or it was registered already, by this tracker
    }
    // EBUSY: the process's own userfaultfd holds it; EINVAL: a region
    // userfaultfd cannot hold. Either way its chunks are compared by checksum.
    if (errno == EBUSY || errno == EINVAL) {
        return false;
    }
    throw sys_error("cannot track writes to " + describe_region(pid_, region));
}

void WriteTracker::collect_written(const Region& region, PageRanges& written)
{
    PmScanArg arg;
    arg.flags = pm_scan_wp_matching | pm_scan_check_wpasync;
    arg.start = region.start;
    arg.end = region.end;
    arg.category_mask = page_is_written;
    arg.return_mask = page_is_written;
    // Pages past a full batch's walk_end are neither reported nor protected
    // yet: the next batch does both.
    pagemap_scan(pagemap_.get(), arg, found_, "cannot scan the written pages of " + describe_region(pid_, region),
                 [&written](std::uint64_t start, std::uint64_t end) { written.add(start, end); });
}

std::string WriteTracker::unavailable_reason()
{
    UniqueFd uffd(static_cast<int>(::syscall(SYS_userfaultfd, uffd_flags)));
    if (!uffd.valid()) {
        return std::string("userfaultfd: ") + std::strerror(errno);
    }
    try {
        enable_async_write_protect(uffd.get());
    } catch (const Error& e) {
        return e.what();
    }
    if (!has_pagemap_scan()) {
        return "this kernel has no PAGEMAP_SCAN (6.7 or later)";
    }
    return "";
}

}  // namespace stasis
