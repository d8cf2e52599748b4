#pragma once
// The commit protocol of one image directory: everything is written into a
// hidden ".NAME.partial" sibling, the manifest last, fsync'd, then renamed.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace stasis::image {

class GenerationWriter {
public:
    // Refuses (Error) when final_dir exists and is not empty. A stale
    // .NAME.partial left by a crash is removed first.
    explicit GenerationWriter(std::filesystem::path final_dir);
    ~GenerationWriter();  // removes the partial directory unless committed
    GenerationWriter(const GenerationWriter&) = delete;
    GenerationWriter& operator=(const GenerationWriter&) = delete;

    [[nodiscard]] const std::filesystem::path& staging_dir() const { return staging_; }

    // Fsyncs files (names in the staging directory: the data files, which
    // ChunkWriter leaves unsynced), so that they are durable before the
    // manifest that names them.
    void sync(const std::vector<std::string>& files) const;

    // Adds "manifest_xxh3", writes manifest.json, fsyncs it and the directory,
    // renames staging to final and fsyncs the parent.
    void commit(nlohmann::json manifest);

private:
    std::filesystem::path final_;
    std::filesystem::path staging_;
    bool committed_ = false;
};

// Like mkdir -p, but new directories are private (0700): images hold
// process memory. Throws Error when dir or a parent is not a directory.
void make_private_dirs(const std::filesystem::path& dir);

// Reads DIR/manifest.json; throws ImageError when DIR is not a stasis image,
// the manifest is unreadable, of an unknown format version, or its checksum
// does not match.
nlohmann::json load_manifest(const std::filesystem::path& dir);

// The "manifest_xxh3" value for manifest: 16 lowercase hex digits of the
// XXH3-64 of its compact dump without that member.
std::string manifest_checksum(const nlohmann::json& manifest);

inline constexpr int format_version = 1;

}  // namespace stasis::image
