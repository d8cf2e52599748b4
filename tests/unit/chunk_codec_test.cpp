// The byte shuffle, the chunk codecs built on it, how a codec is chosen, and
// the chunk checksum.
#include "core/error.hpp"
#include "image/byte_shuffle.hpp"
#include "image/chunk.hpp"
#include "image/chunk_checksum.hpp"
#include "image/chunk_codec.hpp"
#include "image/chunk_reader.hpp"
#include "image/chunk_writer.hpp"
#include "image/codec_choice.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numbers>
#include <vector>

using namespace stasis;
using namespace stasis::image;

namespace {

using test::random_bytes;

// A smooth temperature field near 293 K, as a solver holds it: sign and
// exponent bytes nearly constant, every mantissa bit in use.
template <class Float>
std::vector<std::byte> temperatures(std::size_t bytes)
{
    std::vector<Float> field(bytes / sizeof(Float));
    for (std::size_t i = 0; i < field.size(); ++i) {
        const double x = 2 * std::numbers::pi * static_cast<double>(i) / 65536;
        field[i] = static_cast<Float>(293.15 + 10 * std::sin(x) + 2 * std::sin(17.31 * x + 0.3) +
                                      0.5 * std::sin(193.7 * x));
    }
    std::vector<std::byte> out(bytes);
    std::memcpy(out.data(), field.data(), field.size() * sizeof(Float));
    return out;
}

// Byte k of element e goes to plane k, as docs/image-format.md states it.
std::vector<std::byte> shuffled_by_definition(const std::vector<std::byte>& in, std::size_t width)
{
    std::vector<std::byte> out(in);
    const std::size_t elements = in.size() / width;
    for (std::size_t e = 0; e < elements; ++e) {
        for (std::size_t k = 0; k < width; ++k) {
            out[k * elements + e] = in[e * width + k];
        }
    }
    return out;
}

}  // namespace

TEST_CASE("the byte shuffle groups byte k of every element, and unshuffles back")
{
    // Whole blocks of 16 elements, a page, a chunk, and sizes with loose
    // elements and loose bytes at the end.
    for (const std::size_t size : {std::size_t{0}, std::size_t{7}, std::size_t{128}, std::size_t{4096},
                                   max_chunk_size, std::size_t{4096 + 40 + 3}, std::size_t{1000}}) {
        for (const std::size_t width : shuffle_widths) {
            CAPTURE(size);
            CAPTURE(width);
            const std::vector<std::byte> in = random_bytes(size, size + width);
            std::vector<std::byte> shuffled(size);
            shuffle_bytes(in, shuffled, width);
            CHECK(shuffled == shuffled_by_definition(in, width));
            std::vector<std::byte> back(size);
            unshuffle_bytes(shuffled, back, width);
            CHECK(back == in);
        }
    }
    std::vector<std::byte> in(64), out(64), shorter(60);
    CHECK_THROWS_AS(shuffle_bytes(in, out, 2), Error);
    CHECK_THROWS_AS(unshuffle_bytes(in, shorter, 4), Error);
}

TEST_CASE("each codec stores and decodes a chunk; shuffled floats take far less room")
{
    ChunkEncoder encoder(1);
    const std::vector<std::byte> floats = temperatures<float>(max_chunk_size);
    std::vector<std::byte> stored(ZSTD_compressBound(floats.size()));
    std::map<Codec, std::size_t> sizes;
    for (const Codec codec : {Codec::zstd, Codec::zstd_shuffle4, Codec::zstd_shuffle8}) {
        CAPTURE(codec_name(codec));
        const std::size_t n = encoder.encode({.codec = codec}, floats, stored);
        sizes[codec] = n;
        CHECK(encoder.planes().size() == std::max<std::size_t>(1, shuffle_width(codec)));
        std::vector<std::byte> back(floats.size());
        decode_chunk(codec, std::span(stored).first(n), back);
        CHECK(back == floats);
    }
    CHECK(sizes[Codec::zstd_shuffle4] < sizes[Codec::zstd] / 2);
}

TEST_CASE("a shuffled chunk stores each plane compressed or as it is, and says which by its size")
{
    ChunkEncoder encoder(1);
    // Loose elements and bytes after the last whole block.
    const std::vector<std::byte> floats = temperatures<float>(max_chunk_size + 40 + 3);
    const std::size_t elements = floats.size() / 4;
    std::vector<std::byte> stored(ZSTD_compressBound(floats.size()));
    for (const std::uint8_t raw : {0x0, 0x1, 0x6, 0xf}) {
        CAPTURE(int{raw});
        const std::size_t n = encoder.encode({.codec = Codec::zstd_shuffle4, .raw_planes = raw}, floats, stored);
        std::size_t sum = 16 + 3;
        for (std::size_t k = 0; k < 4; ++k) {
            const PlaneCost& p = encoder.planes()[k];
            CHECK(p.size == elements);
            std::uint32_t header = 0;
            std::memcpy(&header, stored.data() + 4 * k, 4);
            CHECK(header == p.stored);
            // Every plane but the lowest mantissa bytes shrinks when asked to.
            CHECK((p.stored == elements) == (((raw >> k) & 1) != 0 || k == 0));
            sum += p.stored;
        }
        CHECK(n == sum);
        std::vector<std::byte> back(floats.size());
        decode_chunk(Codec::zstd_shuffle4, std::span(stored).first(n), back);
        CHECK(back == floats);
        // Decoded with the other width, the bytes come back different, or
        // not at all: the manifest's codec is part of what a chunk means.
        try {
            decode_chunk(Codec::zstd_shuffle8, std::span(stored).first(n), back);
            CHECK(back != floats);
        } catch (const ImageError&) {
        }
    }

    const std::size_t n = encoder.encode({.codec = Codec::zstd_shuffle4}, floats, stored);
    std::vector<std::byte> out(floats.size());
    const auto error_of = [&](std::span<const std::byte> bytes, std::span<std::byte> into) {
        try {
            decode_chunk(Codec::zstd_shuffle4, bytes, into);
        } catch (const ImageError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error_of(std::span(stored).first(10), out) == "stored size 10 is too short for its plane sizes");
    CHECK(error_of(std::span(stored).first(n / 2), out).find("runs past the stored size") != std::string::npos);
    CHECK(error_of(std::span(stored).first(n - 1), out) ==
          "stored size " + std::to_string(n - 1) + " does not match its planes");
    std::vector<std::byte> larger(floats.size() + 4096);
    CHECK(!error_of(std::span(stored).first(n), larger).empty());
}

TEST_CASE("the codec choice: shuffles for floats and doubles, none where compressing costs more than it saves")
{
    ChunkEncoder encoder(1);
    CodecChoice choice;
    const std::vector<std::byte> zeros(max_chunk_size);
    const std::vector<std::byte> noise = random_bytes(max_chunk_size, 7);
    const std::vector<std::byte> floats = temperatures<float>(max_chunk_size);
    const std::vector<std::byte> doubles = temperatures<double>(max_chunk_size);
    const auto codec = [&](const std::vector<std::byte>& chunk, double speed) {
        return choice.choose(encoder, chunk, speed).codec;
    };
    // Without a write speed (compression zstd, or auto before any write is
    // timed) everything is compressed, with the codec that suits it.
    CHECK(codec(zeros, 0) == Codec::zstd);
    CHECK(codec(noise, 0) == Codec::zstd);
    CHECK(shuffle_width(codec(floats, 0)) != 0);
    CHECK(codec(doubles, 0) == Codec::zstd_shuffle8);
    // 1 MB/s: zeros and floats are worth compressing, noise never is.
    CHECK(codec(zeros, 1e6) == Codec::zstd);
    CHECK(shuffle_width(codec(floats, 1e6)) != 0);
    CHECK(codec(noise, 1e6) == Codec::none);
    // A disk faster than any compressor takes even zeros as they are.
    CHECK(codec(zeros, 1e18) == Codec::none);
    CHECK(codec(floats, 1e18) == Codec::none);
}

TEST_CASE("the codec choice learns how long whole chunks take to compress against their samples")
{
    ChunkEncoder encoder(1);
    CodecChoice choice;
    const std::vector<std::byte> floats = temperatures<float>(max_chunk_size);
    // At 1 TB/s no compression saves time, judged by the samples' speed.
    const double fast_disk = 1e12;
    CHECK(choice.choose(encoder, floats, fast_disk).codec == Codec::none);

    const Encoding e = choice.choose(encoder, floats, 0);
    REQUIRE(shuffle_width(e.codec) != 0);
    std::vector<std::byte> stored(ZSTD_compressBound(floats.size()));
    encoder.encode(e, floats, stored);
    // The whole chunk took a millionth of what its sample foretold.
    std::vector<PlaneCost> quick(encoder.planes().begin(), encoder.planes().end());
    for (PlaneCost& p : quick) {
        p.seconds /= 1e6;
    }
    choice.learn(quick);
    CHECK(shuffle_width(choice.choose(encoder, floats, fast_disk).codec) != 0);
}

TEST_CASE("float and double arrays are stored shuffled, read back whole, and a flipped byte is named")
{
    test::TempDir tmp;
    const std::vector<std::byte> floats = temperatures<float>(max_chunk_size);
    const std::vector<std::byte> doubles = temperatures<double>(max_chunk_size);
    std::vector<Chunk> chunks;
    {
        ChunkWriter w(tmp.path(), {Compression::zstd, 1, 1});
        w.add(0x10000000, floats);
        w.add(0x20000000, doubles);
        chunks = w.finish();
    }
    REQUIRE(chunks.size() == 2);
    CHECK(shuffle_width(chunks[0].codec) != 0);
    CHECK(chunks[1].codec == Codec::zstd_shuffle8);
    const ChunkReader reader(tmp.path());
    std::vector<std::byte> out(max_chunk_size);
    reader.read(chunks[0], out);
    CHECK(out == floats);
    reader.read(chunks[1], out);
    CHECK(out == doubles);

    const Chunk& bad = chunks[1];
    {
        std::fstream f(tmp.path() / bad.file, std::ios::in | std::ios::out | std::ios::binary);
        const auto at = static_cast<std::streamoff>(bad.offset + bad.stored_size / 2);
        f.seekg(at);
        const char was = static_cast<char>(f.get());
        f.seekp(at);
        f.put(static_cast<char>(was ^ 0x5a));
    }
    try {
        reader.read(bad, out);
        FAIL("a damaged chunk was read");
    } catch (const ImageError& e) {
        CHECK(std::string(e.what()).starts_with("chunk at 0x20000000 (" + bad.file + " offset "));
    }
}

TEST_CASE("a chunk's checksum is XXH3-64, whichever code computes it")
{
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{240},
                                   std::size_t{4096}, std::size_t{4096 + 31}, max_chunk_size}) {
        CAPTURE(size);
        const std::vector<std::byte> bytes = random_bytes(size, size);
        CHECK(chunk_checksum(bytes) == XXH3_64bits(bytes.data(), bytes.size()));
    }
}
