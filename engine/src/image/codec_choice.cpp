#include "image/codec_choice.hpp"

#include <algorithm>

namespace stasis::image {

namespace {

// An encoding, what it would cost the sample (with a write speed, the
// seconds to compress and write it; without one, the bytes stored), and
// the trial it was judged from.
struct Candidate {
    Encoding encoding;
    double cost = 0;
    std::vector<PlaneCost> trial;
};

bool compresses_plane(const Encoding& e, std::size_t k)
{
    return e.codec != Codec::none && ((e.raw_planes >> k) & 1U) == 0;
}

// The planes of codec's trial, each stored compressed or as it is,
// whichever costs less; the trial's times scaled by time_scale.
Candidate cheapest_planes(Codec codec, std::span<const PlaneCost> planes, double write_speed, double time_scale)
{
    Candidate c{.encoding = {.codec = codec}, .trial = {planes.begin(), planes.end()}};
    for (std::size_t k = 0; k < planes.size(); ++k) {
        const PlaneCost& p = planes[k];
        const double as_is = write_speed > 0 ? static_cast<double>(p.size) / write_speed : static_cast<double>(p.size);
        const double compressed = write_speed > 0
                                      ? p.seconds * time_scale + static_cast<double>(p.stored) / write_speed
                                      : static_cast<double>(p.stored);
        if (as_is <= compressed) {
            c.encoding.raw_planes |= static_cast<std::uint8_t>(1U << k);
        }
        c.cost += std::min(as_is, compressed);
    }
    const auto all_raw = static_cast<std::uint8_t>((1U << planes.size()) - 1);
    if (c.encoding.raw_planes == all_raw) {
        c.encoding = {};
    }
    return c;
}

// On a sample plain zstd shrinks to almost nothing (zero pages, runs) or
// not at all (random bytes, compressed data), no shuffle does better enough
// to be worth its trial.
bool shuffle_worth_trying(const PlaneCost& plain)
{
    return plain.stored > plain.size / 32 && plain.stored < plain.size - plain.size / 64;
}

}  // namespace

CodecChoice::CodecChoice() : scratch_(ZSTD_compressBound(sample_size)) {}

Encoding CodecChoice::choose(ChunkEncoder& encoder, std::span<const std::byte> chunk, double write_speed)
{
    const std::span<const std::byte> sample = chunk.first(std::min(chunk.size(), sample_size));
    encoder.encode({.codec = Codec::zstd}, sample, scratch_);
    const PlaneCost plain = encoder.planes().front();
    Candidate best = cheapest_planes(Codec::zstd, encoder.planes(), write_speed, time_scale());
    if (shuffle_worth_trying(plain)) {
        for (const Codec codec : {Codec::zstd_shuffle4, Codec::zstd_shuffle8}) {
            encoder.encode({.codec = codec}, sample, scratch_);
            Candidate c = cheapest_planes(codec, encoder.planes(), write_speed, time_scale());
            if (c.cost < best.cost) {
                best = std::move(c);
            }
        }
    }
    // Without a speed, a chunk whose sample did not shrink is still tried
    // whole: its other bytes may.
    if (write_speed <= 0 && best.encoding.codec == Codec::none) {
        best.encoding = {.codec = Codec::zstd};
    }
    chosen_ = best.encoding;
    chosen_trial_ = std::move(best.trial);
    return chosen_;
}

void CodecChoice::learn(std::span<const PlaneCost> planes)
{
    if (planes.size() != chosen_trial_.size()) {
        return;
    }
    for (std::size_t k = 0; k < planes.size(); ++k) {
        const PlaneCost& sampled = chosen_trial_[k];
        if (compresses_plane(chosen_, k) && sampled.size > 0) {
            const double share = static_cast<double>(planes[k].size) / static_cast<double>(sampled.size);
            predicted_seconds_ += sampled.seconds * share;
            actual_seconds_ += planes[k].seconds;
        }
    }
}

double CodecChoice::time_scale() const
{
    return predicted_seconds_ > 0 ? actual_seconds_ / predicted_seconds_ : 1.0;
}

}  // namespace stasis::image
