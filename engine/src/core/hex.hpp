#pragma once
// Raw kernel bytes (registers' XSAVE area, siginfo, pipe data) as they are
// kept in the manifest: lowercase hex text.
#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

std::string to_hex(const std::uint8_t* data, std::size_t size);

inline std::string to_hex(const std::vector<std::uint8_t>& bytes)
{
    return to_hex(bytes.data(), bytes.size());
}

// An address as messages show it: "0x7f12a0000000".
std::string hex_address(std::uint64_t address);

// Throws ImageError when hex is not an even number of hex digits.
std::vector<std::uint8_t> from_hex(const std::string& hex);

}  // namespace stasis
