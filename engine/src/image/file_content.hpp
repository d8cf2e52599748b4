#pragma once
// A file's bytes in the chunk store: chunks whose vaddr is the offset in
// the file, so a file of any size goes through 1 MiB at a time, compressed
// and checksummed like memory. Holes are not stored.
#include "image/chunk.hpp"
#include "image/chunk_reader.hpp"
#include "image/chunk_writer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace stasis::image {

// Saves the first size bytes of the open file in that hold data (holes,
// as SEEK_DATA/SEEK_HOLE tell them, are skipped) and returns the chunks
// (writer.finish()). what names the file in errors.
std::vector<Chunk> save_file_content(int in, std::uint64_t size, ChunkWriter& writer, const std::string& what);

// Writes every chunk back into out at its offset; a file of size bytes has
// none beyond it (ImageError otherwise). what names the file in errors.
void put_back_file_content(int out, std::uint64_t size, const std::vector<Chunk>& chunks, const ChunkReader& reader,
                           const std::string& what);

}  // namespace stasis::image
