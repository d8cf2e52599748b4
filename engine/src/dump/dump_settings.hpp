#pragma once
// What a dump's options mean for the parts that write it: the chunk
// writer's settings, and the names generations are known by.
#include "image/chunk_writer.hpp"
#include <stasis/dump.hpp>

#include <filesystem>
#include <string>

namespace stasis {

// parent: the generation followed, whose unchanged chunks are borrowed (or nullptr).
image::WriterSettings writer_settings(const DumpOptions& options, const image::ChunkIndex* parent);

// The name a generation directory is known by to its siblings ("gen-000003"),
// however dir was spelled.
std::string generation_name(const std::filesystem::path& dir);

}  // namespace stasis
