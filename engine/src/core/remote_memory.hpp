#pragma once
// Bulk copies between stasis and another process's address space.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace stasis {

// Reads exactly out.size() bytes at addr. Falls back to /proc/PID/mem for
// pages the process itself may not read (PROT_NONE, guard pages with data).
void read_remote(pid_t pid, std::uint64_t addr, std::span<std::byte> out);
// Writes all of data at addr, also into pages the process may not write.
void write_remote(pid_t pid, std::uint64_t addr, std::span<const std::byte> data);

template <typename T>
T read_remote_value(pid_t pid, std::uint64_t addr)
{
    T value{};
    read_remote(pid, addr, std::as_writable_bytes(std::span(&value, 1)));
    return value;
}

template <typename T>
void write_remote_value(pid_t pid, std::uint64_t addr, const T& value)
{
    write_remote(pid, addr, std::as_bytes(std::span(&value, 1)));
}

}  // namespace stasis
