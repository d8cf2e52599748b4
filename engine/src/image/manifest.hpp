#pragma once
// manifest.json, the one way in and out: the image model (image/checkpoint.hpp)
// is written by commit_checkpoint and read by read_checkpoint, and nothing
// else in stasis touches the manifest's JSON.
#include "image/checkpoint.hpp"
#include "image/generation.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>

namespace stasis::image {

// Writes checkpoint as the manifest of the generation being written and
// commits the generation (GenerationWriter::commit).
void commit_checkpoint(GenerationWriter& generation, const Checkpoint& checkpoint);

// The image in dir: its manifest checked (format, version, checksum) and read
// into the model. Throws ImageError naming dir when it is not a stasis
// image, is of another format version, is corrupt or malformed.
Checkpoint read_checkpoint(const std::filesystem::path& dir);

}  // namespace stasis::image

namespace stasis {

void to_json(nlohmann::json& j, const CpuState& c);
void from_json(const nlohmann::json& j, CpuState& c);
void to_json(nlohmann::json& j, const Checkpoint& c);
void from_json(const nlohmann::json& j, Checkpoint& c);

}  // namespace stasis
