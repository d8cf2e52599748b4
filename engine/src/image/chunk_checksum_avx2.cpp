// Compiled with -mavx2 (engine/CMakeLists.txt): xxhash.h, inlined here,
// then takes its AVX2 code path. Called only where the CPU has AVX2.
#include "image/chunk_checksum.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace stasis::image {

std::uint64_t xxh3_avx2(const void* data, std::size_t size)
{
    return XXH3_64bits(data, size);
}

}  // namespace stasis::image
