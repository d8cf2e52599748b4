#pragma once
// The XXH3-64 of a chunk's bytes, which every byte of a dump and of a
// restore goes through. Debian's libxxhash is built for the x86-64
// baseline (SSE2); where the CPU has AVX2 (every x86 HPC node of the last
// decade) the same hash is computed with it, about twice as fast.
#include <cstddef>
#include <cstdint>
#include <span>

namespace stasis::image {

std::uint64_t chunk_checksum(std::span<const std::byte> bytes);

// The AVX2 build of XXH3-64 (image/chunk_checksum_avx2.cpp); only for a CPU
// that has AVX2.
std::uint64_t xxh3_avx2(const void* data, std::size_t size);

}  // namespace stasis::image
