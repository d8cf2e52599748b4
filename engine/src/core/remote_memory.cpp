#include "core/remote_memory.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sstream>
#include <string>

namespace stasis {

namespace {

std::string where(pid_t pid, std::uint64_t addr)
{
    std::ostringstream s;
    s << "memory of process " << pid << " at 0x" << std::hex << addr;
    return s.str();
}

void read_through_proc_mem(pid_t pid, std::uint64_t addr, std::span<std::byte> out)
{
    UniqueFd mem(::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC));
    if (!mem.valid()) {
        throw sys_error("cannot open " + where(pid, addr));
    }
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(mem.get(), out.data() + done, out.size() - done, static_cast<off_t>(addr + done));
        if (n <= 0) {
            throw sys_error("cannot read " + where(pid, addr + done), n == 0 ? EIO : errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

// /proc/PID/mem writes as a debugger does, also into pages the process may
// not write itself (its code).
void write_through_proc_mem(pid_t pid, std::uint64_t addr, std::span<const std::byte> data)
{
    UniqueFd mem(::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_WRONLY | O_CLOEXEC));
    if (!mem.valid()) {
        throw sys_error("cannot open " + where(pid, addr));
    }
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(mem.get(), data.data() + done, data.size() - done, static_cast<off_t>(addr + done));
        if (n <= 0) {
            throw sys_error("cannot write " + where(pid, addr + done), n == 0 ? EIO : errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

void read_remote(pid_t pid, std::uint64_t addr, std::span<std::byte> out)
{
    std::size_t done = 0;
    while (done < out.size()) {
        iovec local{out.data() + done, out.size() - done};
        iovec remote{reinterpret_cast<void*>(addr + done), out.size() - done};
        ssize_t n = ::process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n <= 0) {
            read_through_proc_mem(pid, addr + done, out.subspan(done));
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

void write_remote(pid_t pid, std::uint64_t addr, std::span<const std::byte> data)
{
    std::size_t done = 0;
    while (done < data.size()) {
        iovec local{const_cast<std::byte*>(data.data() + done), data.size() - done};
        iovec remote{reinterpret_cast<void*>(addr + done), data.size() - done};
        ssize_t n = ::process_vm_writev(pid, &local, 1, &remote, 1, 0);
        if (n <= 0) {
            write_through_proc_mem(pid, addr + done, data.subspan(done));
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace stasis
