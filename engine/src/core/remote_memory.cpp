#include "core/remote_memory.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace stasis {

namespace {

std::string where(pid_t pid, std::uint64_t addr)
{
    std::ostringstream s;
    s << "memory of process " << pid << " at 0x" << std::hex << addr;
    return s.str();
}

// /proc/PID/mem reads and writes as a debugger does, also pages the process
// may not read or write itself (PROT_NONE, its code). transfer is pread or
// pwrite on the span's bytes.
template <typename Byte, typename Transfer>
void through_proc_mem(pid_t pid, std::uint64_t addr, std::span<Byte> bytes, const char* verb, Transfer transfer)
{
    constexpr int mode = std::is_const_v<Byte> ? O_WRONLY : O_RDONLY;
    UniqueFd mem(::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), mode | O_CLOEXEC));
    if (!mem.valid()) {
        throw sys_error("cannot open " + where(pid, addr));
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = transfer(mem.get(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(addr + done));
        if (n <= 0) {
            throw sys_error(std::string("cannot ") + verb + " " + where(pid, addr + done), n == 0 ? EIO : errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

void read_through_proc_mem(pid_t pid, std::uint64_t addr, std::span<std::byte> out)
{
    through_proc_mem(pid, addr, out, "read", ::pread);
}

void write_through_proc_mem(pid_t pid, std::uint64_t addr, std::span<const std::byte> data)
{
    through_proc_mem(pid, addr, data, "write", ::pwrite);
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
