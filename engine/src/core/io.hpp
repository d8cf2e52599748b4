#pragma once
// Whole reads and writes: each goes on after a signal interrupts it (EINTR)
// and after a short transfer, so callers see all of it or an Error.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace stasis {

// Reads out.size() bytes at offset, fewer only where the file ends; returns
// how many. Throws sys_error("cannot read <what>").
std::size_t pread_full(int fd, std::span<std::byte> out, std::uint64_t offset, const std::string& what);

// Throw sys_error("cannot write <what>").
void pwrite_all(int fd, std::span<const std::byte> data, std::uint64_t offset, const std::string& what);
void write_all(int fd, std::span<const std::byte> data, const std::string& what);

// Everything up to end of file. Throws sys_error("cannot read <what>").
std::string read_to_end(int fd, const std::string& what);

}  // namespace stasis
