#include <stasis/generation_store.hpp>

#include "core/error.hpp"
#include "image/generation.hpp"
#include "core/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace stasis {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view gen_prefix = "gen-";
constexpr std::string_view partial_prefix = ".gen-";
constexpr std::string_view partial_suffix = ".partial";
constexpr std::size_t min_digits = 6;
constexpr char latest_file[] = "LATEST";
constexpr char finished_file[] = "FINISHED";

std::optional<unsigned> parse_number(std::string_view digits)
{
    if (digits.size() < min_digits || digits.size() > 9) {
        return std::nullopt;
    }
    unsigned n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return n;
}

void fsync_path(const fs::path& path, int flags)
{
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) < 0) {
        throw sys_error("cannot sync " + path.string());
    }
}

void remove_tree(const fs::path& dir)
{
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
        throw Error("cannot remove " + dir.string() + ": " + ec.message());
    }
}

}  // namespace

std::string generation_name(unsigned number)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "gen-%06u", number);
    return buf;
}

std::optional<GenerationEntry> parse_generation_name(const std::string& filename)
{
    std::string_view name = filename;
    bool partial = name.starts_with(partial_prefix) && name.ends_with(partial_suffix);
    if (partial) {
        name = name.substr(1, name.size() - 1 - partial_suffix.size());
    }
    if (!name.starts_with(gen_prefix)) {
        return std::nullopt;
    }
    auto number = parse_number(name.substr(gen_prefix.size()));
    if (!number) {
        return std::nullopt;
    }
    return GenerationEntry{*number, std::string(name), {}, partial};
}

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
        auto entry = parse_generation_name(e.path().filename().string());
        if (entry && e.is_directory()) {
            entry->dir = e.path();
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
    return root_ / generation_name(next);
}

std::optional<std::string> GenerationStore::latest() const
{
    std::ifstream in(root_ / latest_file);
    std::string name;
    if (!(in >> name)) {
        return std::nullopt;
    }
    auto entry = parse_generation_name(name);
    if (!entry || entry->partial) {
        return std::nullopt;
    }
    return name;
}

void GenerationStore::set_latest(const std::string& name) const
{
    replace_file(latest_file, name + "\n");
}

void GenerationStore::mark_finished(const std::string& how) const
{
    replace_file(finished_file, how + "\n");
}

bool GenerationStore::finished() const
{
    return std::filesystem::exists(root_ / finished_file);
}

void GenerationStore::forget_generations() const
{
    for (const auto& entry : scan()) {
        if (!entry.partial) {
            remove(entry.name);
        }
    }
    std::filesystem::remove(root_ / latest_file);
    std::filesystem::remove(root_ / finished_file);
    fsync_path(root_, O_RDONLY | O_DIRECTORY);
}

void GenerationStore::replace_file(const char* name, const std::string& text) const
{
    auto tmp = root_ / ("." + std::string(name) + ".tmp");
    auto target = root_ / name;
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd.valid() || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
            ::fsync(fd.get()) < 0) {
            int err = errno;
            ::unlink(tmp.c_str());
            throw sys_error("cannot write " + tmp.string(), err);
        }
    }
    if (::rename(tmp.c_str(), target.c_str()) < 0) {
        throw sys_error("cannot replace " + target.string());
    }
    fsync_path(root_, O_RDONLY | O_DIRECTORY);
}

void GenerationStore::prune(unsigned keep, const std::vector<std::string>& unusable) const
{
    auto entries = scan();
    std::vector<unsigned> kept;
    std::optional<unsigned> newest_committed;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (it->partial) {
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
    for (const auto& e : entries) {
        bool stale_partial = e.partial && e.number < *newest_committed;
        if (e.number >= below && !stale_partial) {
            continue;
        }
        if (e.partial) {
            remove_tree(e.dir);
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
