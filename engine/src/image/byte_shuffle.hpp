#pragma once
// The byte shuffle of codecs zstd-shuffle4 and zstd-shuffle8: the bytes of a
// run of width-byte elements regrouped into width planes, plane k holding
// byte k of every element in order. Arrays of floats (width 4) or doubles
// (width 8) then put their sign and exponent bytes, nearly constant in a
// smooth field, side by side, and zstd shrinks them to a few bits each
// where, interleaved with the mantissas' noise, it cannot.
#include <cstddef>
#include <span>

namespace stasis::image {

// Widths the shuffle takes (and the codecs name).
inline constexpr std::size_t shuffle_widths[] = {4, 8};

// out.size() must equal in.size(); width is one of shuffle_widths. Bytes
// past the last whole element are copied as they are.
void shuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out, std::size_t width);

// The inverse of shuffle_bytes with the same width.
void unshuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out, std::size_t width);

}  // namespace stasis::image
