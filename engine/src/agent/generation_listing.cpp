#include "agent/generation_listing.hpp"

#include "error.hpp"
#include "image/generation.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <ctime>
#include <map>

namespace stasis::agent {

namespace fs = std::filesystem;

namespace {

std::string utc_mtime(const fs::path& dir)
{
    struct stat st {};
    if (::stat(dir.c_str(), &st) < 0) {
        return "";
    }
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&st.st_mtime));
    return buf;
}

std::uint64_t bytes_in(const fs::path& dir)
{
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
        if (e.is_regular_file(ec)) {
            total += e.file_size(ec);
        }
    }
    return total;
}

void need_chunks(const nlohmann::json& chunks, std::map<std::string, std::uint64_t>& needed)
{
    for (const auto& chunk : chunks) {
        auto& end = needed[chunk.at("file").get<std::string>()];
        end = std::max(end, chunk.at("offset").get<std::uint64_t>() + chunk.at("stored_size").get<std::uint64_t>());
    }
}

// Throws ImageError naming the first data file that is missing or shorter
// than the chunks stored in it (docs/image-format.md: a chunk table per
// region, which shared mappings may lack, and one per kept output file).
void check_data_files(const fs::path& dir, const nlohmann::json& manifest)
{
    std::map<std::string, std::uint64_t> needed;
    for (const auto& process : manifest.at("processes")) {
        for (const auto& region : process.at("regions")) {
            need_chunks(region.value("chunks", nlohmann::json::array()), needed);
        }
    }
    for (const auto& kept : manifest.value("kept_output", nlohmann::json::array())) {
        need_chunks(kept.at("chunks"), needed);
    }
    for (const auto& [file, end] : needed) {
        std::error_code ec;
        auto size = fs::file_size(dir / file, ec);
        if (ec) {
            throw ImageError("data file " + file + " is missing");
        }
        if (size < end) {
            throw ImageError("data file " + file + " is truncated (" + std::to_string(size) + " bytes, its chunks need " +
                             std::to_string(end) + ")");
        }
    }
}

void inspect_committed(GenerationListing& g)
{
    try {
        auto manifest = image::load_manifest(g.entry.dir);
        check_data_files(g.entry.dir, manifest);
        g.time = manifest.at("time").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        g.status = GenerationStatus::corrupt;
        g.problem = std::string("manifest.json is malformed: ") + e.what();
    } catch (const Error& e) {
        g.status = GenerationStatus::corrupt;
        g.problem = e.what();
    }
}

}  // namespace

std::string status_name(GenerationStatus status)
{
    switch (status) {
    case GenerationStatus::committed:
        return "committed";
    case GenerationStatus::partial:
        return "partial";
    case GenerationStatus::corrupt:
        return "corrupt";
    }
    return "?";
}

std::vector<GenerationListing> list_generations(const GenerationStore& store)
{
    auto latest = store.latest();
    std::vector<GenerationListing> listing;
    for (const auto& entry : store.scan()) {
        GenerationListing g;
        g.entry = entry;
        g.status = entry.partial ? GenerationStatus::partial : GenerationStatus::committed;
        if (!entry.partial) {
            inspect_committed(g);
            g.latest = latest == entry.name;
        }
        if (g.time.empty()) {
            g.time = utc_mtime(entry.dir);
        }
        g.bytes = bytes_in(entry.dir);
        listing.push_back(std::move(g));
    }
    return listing;
}

}  // namespace stasis::agent
