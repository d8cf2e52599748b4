#include "memory/pagemap.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <unistd.h>

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

}  // namespace stasis
