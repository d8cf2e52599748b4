#include "image/compression_payoff.hpp"

#include <chrono>

namespace stasis::image {

CompressionPayoff::CompressionPayoff(int level) : level_(level), scratch_(ZSTD_compressBound(sample_size)) {}

bool CompressionPayoff::pays(ZSTD_CCtx* cctx, std::span<const std::byte> chunk, double write_speed)
{
    // A chunk no larger than the sample costs no more to compress whole.
    if (write_speed <= 0 || chunk.size() <= sample_size) {
        return true;
    }
    const auto start = std::chrono::steady_clock::now();
    const std::size_t z = ZSTD_compressCCtx(cctx, scratch_.data(), scratch_.size(), chunk.data(), sample_size, level_);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (ZSTD_isError(z) || z >= sample_size) {
        return false;
    }
    const double write_time_saved = static_cast<double>(sample_size - z) / write_speed;
    return write_time_saved > took.count();
}

}  // namespace stasis::image
