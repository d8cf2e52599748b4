#include <stasis/generation_store.hpp>

#include "core/error.hpp"
#include "core/atomic_file.hpp"
#include "image/generation.hpp"
#include "store/lent_data.hpp"

#include <stasis/root_layout.hpp>
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

namespace stasis {

namespace fs = std::filesystem;

namespace {

void remove_tree(const fs::path& dir)
{
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
        throw Error("cannot remove " + dir.string() + ": " + ec.message());
    }
}

// In a retired generation, in place of its manifest: why the directory is
// still there.
constexpr const char* retired_marker = "RETIRED";

// The entry of a directory of ROOT, if it is named as a generation.
std::optional<GenerationEntry> entry_of(const fs::directory_entry& e)
{
    auto name = e.path().filename().string();
    auto parsed = contract::parse_generation_name(name);
    if (!parsed || !e.is_directory()) {
        return std::nullopt;
    }
    // A partial one is named as the generation it is to become.
    if (parsed->partial) {
        name = name.substr(1, name.size() - 1 - std::string_view(".partial").size());
    }
    std::error_code ec;
    bool retired = !parsed->partial && fs::exists(e.path() / retired_marker, ec);
    return GenerationEntry{parsed->number, name, e.path(), parsed->partial, retired};
}

// The marker goes in before the manifest goes out, each durable: a crash
// in between leaves a generation that is retired, not one that looks
// committed but is not whole.
void retire(const GenerationEntry& entry, const LentData& lent)
{
    if (!entry.retired) {
        write_file_atomically(entry.dir / retired_marker, "the data later generations borrow\n");
        fs::remove(entry.dir / "manifest.json");
        fsync_path(entry.dir, O_RDONLY | O_DIRECTORY);
    }
    keep_only_lent(entry.dir, lent, retired_marker);
}

}  // namespace

GenerationStore GenerationStore::open(fs::path root)
{
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        throw Error(root.string() + " is not a checkpoint directory: " +
                    (fs::exists(root, ec) ? "not a directory" : "no such directory"));
    }
    return GenerationStore(std::move(root));
}

GenerationStore GenerationStore::open_or_create(fs::path root)
{
    try {
        image::make_private_dirs(root);
    } catch (const Error& e) {
        throw Error("cannot create the checkpoint directory " + root.string() + ": " + e.what());
    }
    return open(std::move(root));
}

std::vector<GenerationEntry> GenerationStore::scan() const
{
    std::vector<GenerationEntry> entries;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root_, ec)) {
        if (auto entry = entry_of(e)) {
            entries.push_back(*entry);
        }
    }
    if (ec) {
        throw Error("cannot list " + root_.string() + ": " + ec.message());
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.number != b.number ? a.number < b.number : a.partial > b.partial;
    });
    return entries;
}

fs::path GenerationStore::next_dir() const
{
    auto entries = scan();
    unsigned next = entries.empty() ? 1 : entries.back().number + 1;
    return root_ / contract::generation_name(next);
}

std::optional<std::string> GenerationStore::latest() const
{
    return contract::read_latest(root_);
}

void GenerationStore::set_latest(const std::string& name) const
{
    replace_file(contract::latest_file, name + "\n");
}

void GenerationStore::mark_finished(const std::string& how) const
{
    replace_file(contract::finished_file, how + "\n");
}

bool GenerationStore::finished() const
{
    return std::filesystem::exists(root_ / contract::finished_file);
}

void GenerationStore::post_request(const char* name, const std::string& why) const
{
    replace_file(name, why + "\n");
}

std::optional<std::string> GenerationStore::request(const char* name) const
{
    std::ifstream in(root_ / name);
    std::string why;
    if (!in || !std::getline(in, why)) {
        return std::nullopt;
    }
    return why;
}

void GenerationStore::clear_request(const char* name) const
{
    std::filesystem::remove(root_ / name);
}

void GenerationStore::record_command(const std::vector<std::string>& command) const
{
    replace_file(contract::command_file, nlohmann::json(command).dump() + "\n");
}

std::optional<std::vector<std::string>> GenerationStore::recorded_command() const
{
    std::ifstream in(root_ / contract::command_file);
    if (!in) {
        return std::nullopt;
    }
    try {
        return nlohmann::json::parse(in).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // unreadable: as if the command never moved
    }
}

void GenerationStore::forget_generations() const
{
    for (const auto& entry : scan()) {
        if (!entry.partial) {
            remove(entry.name);
        }
    }
    std::filesystem::remove(root_ / contract::latest_file);
    std::filesystem::remove(root_ / contract::finished_file);
    fsync_path(root_, O_RDONLY | O_DIRECTORY);
}

void GenerationStore::replace_file(const char* name, const std::string& text) const
{
    write_file_atomically(root_ / name, text);
}

void GenerationStore::prune(unsigned keep, const std::vector<std::string>& unusable) const
{
    auto entries = scan();
    std::vector<unsigned> kept;
    std::optional<unsigned> newest_committed;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (!it->committed()) {
            continue;
        }
        newest_committed = std::max(newest_committed.value_or(0), it->number);
        bool usable = std::find(unusable.begin(), unusable.end(), it->name) == unusable.end();
        if (usable && kept.size() < keep) {
            kept.push_back(it->number);
        }
    }
    if (!newest_committed) {
        return;
    }
    // Too few committed generations yet: only a crash's leftovers go.
    unsigned below = kept.size() == keep ? kept.back() : 0;
    auto doomed = [&](const GenerationEntry& e) {
        bool stale_partial = e.partial && e.number < *newest_committed;
        return e.number < below || stale_partial;
    };
    std::vector<GenerationEntry> remaining;
    std::copy_if(entries.begin(), entries.end(), std::back_inserter(remaining),
                 [&](const GenerationEntry& e) { return e.committed() && !doomed(e); });
    auto lent = lent_data(remaining);
    for (const auto& e : entries) {
        if (!doomed(e)) {
            continue;
        }
        if (e.partial) {
            remove_tree(e.dir);
        } else if (auto borrowed = lent.find(e.name); borrowed != lent.end()) {
            retire(e, borrowed->second);
        } else {
            remove(e.name);
        }
    }
}

void GenerationStore::remove(const std::string& name) const
{
    auto dir = root_ / name;
    auto doomed = root_ / ("." + name + ".partial");
    if (::rename(dir.c_str(), doomed.c_str()) < 0) {
        throw sys_error("cannot remove generation " + dir.string());
    }
    remove_tree(doomed);
}

}  // namespace stasis
