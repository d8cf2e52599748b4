#include "store/generation_listing.hpp"

#include "core/error.hpp"
#include "core/human_size.hpp"
#include "image/checkpoint_chunks.hpp"
#include "image/manifest.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <cstdio>

#include <algorithm>
#include <ctime>
#include <map>

namespace stasis {

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

// A retired generation's files keep their size but are mostly holes.
std::uint64_t bytes_in(const fs::path& dir)
{
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
        struct stat st {};
        if (e.is_regular_file(ec) && ::stat(e.path().c_str(), &st) == 0) {
            total += std::min(static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_blocks) * 512);
        }
    }
    return total;
}

// Throws ImageError naming the first data file that is missing or shorter
// than the chunks stored in it (docs/image-format.md: a chunk table per
// region, one per kept output file and one per file without a name).
void check_data_files(const fs::path& dir, const Checkpoint& checkpoint)
{
    std::map<std::string, std::uint64_t> needed;
    image::for_each_chunk(checkpoint, [&needed](const image::Chunk& chunk) {
        image::check_data_file_name(chunk.file);
        auto& end = needed[chunk.file];
        end = std::max(end, chunk.offset + chunk.stored_size);
    });
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
        auto checkpoint = image::read_checkpoint(g.entry.dir);
        check_data_files(g.entry.dir, checkpoint);
        auto borrowing = image::borrowing_of(checkpoint);
        g.borrowed_bytes = borrowing.borrowed;
        g.borrows_from = std::move(borrowing.lenders);
        g.time = checkpoint.time;
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
    case GenerationStatus::retired:
        return "retired";
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
        g.status = entry.partial   ? GenerationStatus::partial
                   : entry.retired ? GenerationStatus::retired
                                   : GenerationStatus::committed;
        if (entry.committed()) {
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

namespace {

void print_table(const std::vector<GenerationListing>& listing, std::ostream& out)
{
    char line[256];
    std::snprintf(line, sizeof line, "%-12s %-10s %-21s %12s %12s\n", "GENERATION", "STATUS", "TIME", "SIZE",
                  "BORROWED");
    out << line;
    for (const auto& g : listing) {
        std::snprintf(line, sizeof line, "%-12s %-10s %-21s %12s %12s", g.entry.name.c_str(),
                      status_name(g.status).c_str(), g.time.c_str(), human_size(g.bytes).c_str(),
                      human_size(g.borrowed_bytes).c_str());
        out << line << (g.latest ? "  LATEST" : "") << (g.problem.empty() ? "" : "  (" + g.problem + ")") << '\n';
    }
}

nlohmann::json to_json(const std::filesystem::path& root, const std::vector<GenerationListing>& listing)
{
    nlohmann::json doc{{"root", root.string()}, {"latest", nullptr}, {"generations", nlohmann::json::array()}};
    for (const auto& g : listing) {
        nlohmann::json item{{"name", g.entry.name},
                            {"number", g.entry.number},
                            {"status", status_name(g.status)},
                            {"time", g.time},
                            {"bytes", g.bytes},
                            {"borrowed_bytes", g.borrowed_bytes},
                            {"borrows_from", g.borrows_from},
                            {"latest", g.latest}};
        if (!g.problem.empty()) {
            item["problem"] = g.problem;
        }
        if (g.latest) {
            doc["latest"] = g.entry.name;
        }
        doc["generations"].push_back(std::move(item));
    }
    return doc;
}

}  // namespace

void print_generations(const GenerationStore& store, bool json, std::ostream& out)
{
    auto listing = list_generations(store);
    if (json) {
        out << to_json(store.root(), listing).dump(2) << '\n';
    } else {
        print_table(listing, out);
    }
}

}  // namespace stasis
