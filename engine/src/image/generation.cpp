#include "image/generation.hpp"

#include "core/error.hpp"
#include "core/io.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <string_view>
#include <vector>
#include <system_error>

namespace stasis::image {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view checksum_key = "manifest_xxh3";

[[noreturn]] void throw_errno(const std::string& what)
{
    const int err = errno;
    throw sys_error(what, err);
}

void fsync_dir(const fs::path& dir)
{
    const UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0) {
        throw_errno("syncing directory " + dir.string());
    }
}

void write_durably(const fs::path& path, std::string_view text)
{
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) {
        throw_errno("creating " + path.string());
    }
    write_all(fd.get(), std::as_bytes(std::span(text.data(), text.size())), path.string());
    if (::fsync(fd.get()) != 0) {
        throw_errno("syncing " + path.string());
    }
}

// Every failure is an ImageError: the CLI prints it as "not an image".
std::string read_manifest_text(const fs::path& dir)
{
    const fs::path path = dir / "manifest.json";
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        const int err = errno;
        if (err == ENOENT && !fs::is_directory(dir)) {
            throw ImageError(dir.string() + " does not exist or is not a directory");
        }
        if (err == ENOENT) {
            throw ImageError(dir.string() + " is not a stasis image (no manifest.json)");
        }
        throw ImageError(std::string(sys_error("cannot read " + path.string(), err).what()));
    }
    try {
        return read_to_end(fd.get(), path.string());
    } catch (const Error& e) {
        throw ImageError(e.what());
    }
}

void check_header(const fs::path& dir, const json& m)
{
    const auto format = m.find("format");
    if (format == m.end() || *format != "stasis-image") {
        throw ImageError(dir.string() + " is not a stasis image");
    }
    const auto version = m.find("version");
    if (version == m.end() || !version->is_number_integer() || *version != format_version) {
        const std::string shown = version == m.end() ? "(none)" : version->dump();
        throw ImageError(dir.string() + " has format version " + shown + ", this stasis reads " +
                         std::to_string(format_version));
    }
}

void check_checksum(const fs::path& dir, const json& m)
{
    const auto sum = m.find(checksum_key);
    const std::string where = (dir / "manifest.json").string();
    if (sum == m.end() || !sum->is_string()) {
        throw ImageError(where + " is corrupt (no checksum)");
    }
    if (sum->get_ref<const std::string&>() != manifest_checksum(m)) {
        throw ImageError(where + " is corrupt (checksum mismatch)");
    }
}

}  // namespace

void make_private_dirs(const fs::path& dir)
{
    if (dir.empty()) {
        return;
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            throw Error(dir.string() + " exists and is not a directory");
        }
        return;
    }
    make_private_dirs(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw_errno("creating " + dir.string());
    }
}

std::string manifest_checksum(const json& manifest)
{
    std::string text;
    if (manifest.is_object() && manifest.contains(checksum_key)) {
        json copy = manifest;
        copy.erase(std::string(checksum_key));
        text = copy.dump();
    } else {
        text = manifest.dump();
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(text.data(), text.size())));
    return hex;
}

GenerationWriter::GenerationWriter(fs::path final_dir) : final_(std::move(final_dir))
{
    if (final_.filename().empty()) {  // "dir/" names dir
        final_ = final_.parent_path();
    }
    const fs::path name = final_.filename();
    if (name.empty() || name == "." || name == "..") {
        throw Error("\"" + final_.string() + "\" cannot be used as an image directory name");
    }
    std::error_code ec;
    if (fs::exists(fs::symlink_status(final_, ec)) &&
        (!fs::is_directory(final_, ec) || !fs::is_empty(final_, ec))) {
        throw Error(final_.string() + " already exists and is not empty");
    }
    const fs::path parent = final_.parent_path();
    make_private_dirs(parent);
    staging_ = parent / ("." + name.string() + ".partial");
    fs::remove_all(staging_, ec);
    if (ec) {
        throw Error("removing stale " + staging_.string() + ": " + ec.message());
    }
    if (::mkdir(staging_.c_str(), 0700) != 0) {
        throw_errno("creating " + staging_.string());
    }
}

GenerationWriter::~GenerationWriter()
{
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);  // best effort: a destructor must not throw
    }
}

void GenerationWriter::sync(const std::vector<std::string>& files) const
{
    // Every file's writeback is started before the first fsync waits: one
    // fsync after another would keep the disk's queue one file deep (a tree
    // of many processes has many small files). Each file is opened twice
    // rather than all held open: a large tree's files outnumber a job's fd
    // limit.
    auto open_file = [this](const std::string& name) {
        const auto path = staging_ / name;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd.valid()) {
            throw_errno("syncing " + path.string());
        }
        return fd;
    };
    for (const auto& name : files) {
        ::sync_file_range(open_file(name).get(), 0, 0, SYNC_FILE_RANGE_WRITE);  // a hint: the fsync is what counts
    }
    for (const auto& name : files) {
        if (::fsync(open_file(name).get()) != 0) {
            throw_errno("syncing " + (staging_ / name).string());
        }
    }
}

void GenerationWriter::commit(json manifest)
{
    if (committed_) {
        throw Error(final_.string() + " is already committed");
    }
    if (!manifest.is_object()) {
        throw Error("the manifest must be a JSON object");
    }
    std::string text;
    try {
        manifest.erase(std::string(checksum_key));
        manifest[std::string(checksum_key)] = manifest_checksum(manifest);
        text = manifest.dump() + "\n";
    } catch (const json::exception& e) {
        throw Error(std::string("cannot serialize the manifest: ") + e.what());
    }
    write_durably(staging_ / "manifest.json", text);
    fsync_dir(staging_);
    // rename(2) atomically replaces an empty directory left at final_, and
    // fails if someone filled it since the constructor checked.
    if (::rename(staging_.c_str(), final_.c_str()) != 0) {
        throw_errno("renaming " + staging_.string() + " to " + final_.string());
    }
    committed_ = true;
    const fs::path parent = final_.parent_path();
    fsync_dir(parent.empty() ? fs::path(".") : parent);
}

json load_manifest(const fs::path& dir)
{
    const std::string text = read_manifest_text(dir);
    json m;
    try {
        m = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ImageError((dir / "manifest.json").string() + " is not valid JSON (at byte " +
                         std::to_string(e.byte) + ")");
    }
    if (!m.is_object()) {
        throw ImageError(dir.string() + " is not a stasis image");
    }
    check_header(dir, m);
    check_checksum(dir, m);
    return m;
}

}  // namespace stasis::image
