#pragma once
// One image directory (a generation): how its pages are compressed, and the
// read-only views `stasis verify` and `stasis info` give of it.
#include <filesystem>
#include <ostream>
#include <string>

namespace stasis::image {

// How a chunk's bytes are stored: as they are, one zstd frame of them, or
// one zstd frame of them byte-shuffled in elements of 4 or 8 bytes.
enum class Codec { none, zstd, zstd_shuffle4, zstd_shuffle8 };

// "none" | "zstd" | "zstd-shuffle4" | "zstd-shuffle8"; throws Error otherwise.
Codec codec_from_name(const std::string& name);
std::string codec_name(Codec codec);

// Reads back every chunk and checks its checksum, and that every data file
// exists; prints one summary line. Throws ImageError (prefixed with dir) at
// the first problem.
void verify_image(const std::filesystem::path& dir, std::ostream& out);

// What a resume checks before it restores dir, without reading dir's chunks
// (the restore checks each one as it reads it): the manifest, that every
// data file it names is there and long enough for its chunks, and every
// step part whole, as verify_image. Throws ImageError (prefixed with dir).
void check_resumable(const std::filesystem::path& dir);

// The header, process tree, region tables and totals; with json the stable
// document of docs/image-format.md. Throws ImageError if unusable.
void print_info(const std::filesystem::path& dir, bool json, std::ostream& out);

}  // namespace stasis::image
