#include <stasis/image.hpp>

#include "core/human_size.hpp"
#include "core/error.hpp"
#include "core/parallel_for.hpp"
#include "core/hex.hpp"
#include "image/checkpoint_chunks.hpp"
#include "image/chunk_reader.hpp"
#include "image/manifest.hpp"

#include <stasis/step_parts.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

namespace stasis::image {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string hex(std::uint64_t v, bool prefix)
{
    return prefix ? hex_address(v) : hex_address(v).substr(2);
}

std::string chunk_label(const Chunk& c)
{
    return "chunk at " + hex_address(c.vaddr) + " (" + c.file + " offset " + std::to_string(c.offset) + ")";
}

std::string plural(std::uint64_t n, const std::string& noun)
{
    const char* suffix = n == 1 ? "" : noun.back() == 's' ? "es" : "s";
    return std::to_string(n) + " " + noun + suffix;
}

// ---- verify ----

struct VerifyPlan {
    std::vector<Chunk> chunks;
    std::set<std::string> files;
    std::uint64_t processes = 0;
    std::uint64_t threads = 0;
    std::uint64_t bytes = 0;
    std::uint64_t output_bytes = 0;  // kept output files (files/kept_output.hpp)
    std::uint64_t file_bytes = 0;    // files without a name (unnamed_files/)
    std::uint64_t borrowed = 0;      // chunks stored by older generations
};

void add_region_chunks(const Region& region, VerifyPlan& plan)
{
    for (const Chunk& c : region.chunks) {
        if (c.size > max_chunk_size) {
            throw ImageError(chunk_label(c) + ": size " + std::to_string(c.size) + " exceeds the 1 MiB limit");
        }
        if (c.vaddr < region.start || c.vaddr > region.end || c.size > region.end - c.vaddr) {
            throw ImageError(chunk_label(c) + ": lies outside its region " + hex_address(region.start) + "-" +
                             hex_address(region.end));
        }
        plan.bytes += c.size;
        plan.files.insert(c.file);
        plan.chunks.push_back(c);
    }
}

// A file's content (image/file_content.hpp): each chunk's vaddr is its
// offset in the file; bytes counts them.
void add_file_chunks(const std::string& what, std::uint64_t size, const std::vector<Chunk>& chunks,
                     std::uint64_t& bytes, VerifyPlan& plan)
{
    for (const Chunk& c : chunks) {
        if (c.size > max_chunk_size || c.vaddr > size || c.size > size - c.vaddr) {
            throw ImageError(chunk_label(c) + ": lies outside " + what + " of " + std::to_string(size) + " bytes");
        }
        bytes += c.size;
        plan.files.insert(c.file);
        plan.chunks.push_back(c);
    }
}

VerifyPlan plan_verify(const Checkpoint& checkpoint)
{
    VerifyPlan plan;
    plan.files.insert(checkpoint.data_files.begin(), checkpoint.data_files.end());
    for (const auto& p : checkpoint.processes) {
        ++plan.processes;
        plan.threads += p.threads.size();
        for (const auto& r : p.regions) {
            add_region_chunks(r, plan);
        }
    }
    for (const auto& kept : checkpoint.kept_output) {
        add_file_chunks("the kept output file " + kept.path, kept.size, kept.chunks, plan.output_bytes, plan);
    }
    for (const auto& file : checkpoint.unnamed_files) {
        add_file_chunks("the unnamed file " + file.path, file.size, file.chunks, plan.file_bytes, plan);
    }
    plan.borrowed = static_cast<std::uint64_t>(std::count_if(plan.chunks.begin(), plan.chunks.end(), is_borrowed));
    return plan;
}
void check_files_exist(const fs::path& dir, const std::set<std::string>& files)
{
    for (const std::string& name : files) {
        std::error_code ec;
        if (!fs::is_regular_file(dir / name, ec)) {
            throw ImageError("data file " + name + " is missing");
        }
    }
}

// A data file cut short (a full disk, a copy that stopped) shows without
// reading a byte of it.
void check_file_lengths(const fs::path& dir, const std::vector<Chunk>& chunks)
{
    std::map<std::string, std::uint64_t> needed;
    for (const Chunk& c : chunks) {
        auto& end = needed[c.file];
        end = std::max(end, c.offset + c.stored_size);
    }
    for (const auto& [name, end] : needed) {
        std::error_code ec;
        auto size = fs::file_size(dir / name, ec);
        if (ec || size < end) {
            throw ImageError("data file " + name + " is " + (ec ? ec.message() : std::to_string(size) + " bytes long") +
                             "; its chunks need " + std::to_string(end));
        }
    }
}

// Reads chunks on two threads; the first bad chunk is named whichever
// thread read it.
void read_all_chunks(const fs::path& dir, const std::vector<Chunk>& chunks)
{
    const ChunkReader reader(dir);
    try {
        parallel_for(chunks.size(), 2, [&](std::size_t i) {
            auto buffer = std::make_unique_for_overwrite<std::byte[]>(chunks[i].size);
            reader.read(chunks[i], std::span<std::byte>(buffer.get(), chunks[i].size));
        });
    } catch (const std::exception& e) {
        throw ImageError(e.what());
    }
}

// ---- info ----

json summarize_region(const Region& r, std::uint64_t& chunks)
{
    std::uint64_t bytes = 0;
    std::uint64_t stored = 0;
    for (const Chunk& c : r.chunks) {
        bytes += c.size;
        stored += c.stored_size;
        ++chunks;
    }
    return {{"start", r.start}, {"end", r.end},     {"prot", r.prot},          {"kind", region_kind_name(r.kind)},
            {"path", r.path},   {"bytes", bytes},   {"stored_bytes", stored}};
}

json summarize_process(const ProcessState& p, std::uint64_t& chunks)
{
    json regions = json::array();
    std::uint64_t bytes = 0;
    std::uint64_t stored = 0;
    for (const auto& r : p.regions) {
        json s = summarize_region(r, chunks);
        bytes += s["bytes"].get<std::uint64_t>();
        stored += s["stored_bytes"].get<std::uint64_t>();
        regions.push_back(std::move(s));
    }
    return {{"pid", p.pid},
            {"ppid", p.ppid},
            {"exe", p.exe},
            {"threads", p.threads.size()},
            {"regions", std::move(regions)},
            {"bytes", bytes},
            {"stored_bytes", stored}};
}

// A chunk several processes refer to (a forked child's pages stored with
// its parent's) counts once.
std::uint64_t memory_stored_once(const Checkpoint& checkpoint)
{
    FirstReference first;
    std::uint64_t stored = 0;
    for (const auto& process : checkpoint.processes) {
        for (const auto& region : process.regions) {
            for (const Chunk& c : region.chunks) {
                stored += first(c) ? c.stored_size : 0;
            }
        }
    }
    return stored;
}

// What the image needs of the host it is restored on.
void summarize_host_needs(const Checkpoint& checkpoint, json& info)
{
    if (checkpoint.cpu.features) {
        info["cpu_features"] = *checkpoint.cpu.features;
    }
    if (checkpoint.vdso) {
        info["vdso"] = {{"size", checkpoint.vdso->size}, {"xxh3", checkpoint.vdso->xxh3}};
    }
}

json summarize(const fs::path& dir, const Checkpoint& checkpoint)
{
    json processes = json::array();
    std::uint64_t bytes = 0;
    std::uint64_t chunks = 0;
    for (const auto& p : checkpoint.processes) {
        json s = summarize_process(p, chunks);
        bytes += s["bytes"].get<std::uint64_t>();
        processes.push_back(std::move(s));
    }
    // How much of the stored data the image owns, and how much it borrows
    // from which older generations (docs/image-format.md, Incremental generations).
    auto borrowing = borrowing_of(checkpoint);
    json info = {{"dir", dir.string()},
                 {"host", checkpoint.host},
                 {"kernel", checkpoint.kernel},
                 {"time", checkpoint.time},
                 {"version", format_version},
                 {"processes", std::move(processes)},
                 {"bytes", bytes},
                 {"stored_bytes", memory_stored_once(checkpoint)},
                 {"chunks", chunks}};
    if (!checkpoint.job.empty()) {
        info["job"] = checkpoint.job;
    }
    info["owned_bytes"] = borrowing.owned;
    info["borrowed_bytes"] = borrowing.borrowed;
    info["borrows_from"] = borrowing.lenders;
    summarize_host_needs(checkpoint, info);
    return info;
}

void print_tree(const json& procs, std::ostream& out)
{
    std::map<std::int64_t, std::vector<const json*>> children;
    std::set<std::int64_t> pids;
    for (const json& p : procs) {
        pids.insert(p["pid"].get<std::int64_t>());
    }
    for (const json& p : procs) {
        const auto ppid = p["ppid"].get<std::int64_t>();
        // Processes whose parent was not checkpointed are the roots.
        children[pids.count(ppid) != 0 ? ppid : -1].push_back(&p);
    }
    out << "processes:\n"
        << "  " << std::setw(8) << "PID" << std::setw(9) << "PPID" << std::setw(9) << "THREADS"
        << "  EXE\n";
    std::set<std::int64_t> shown;  // a corrupt ppid cycle must not loop forever
    auto walk = [&](auto& self, std::int64_t parent, int depth) -> void {
        for (const json* p : children[parent]) {
            const auto pid = (*p)["pid"].get<std::int64_t>();
            if (!shown.insert(pid).second) {
                continue;
            }
            out << "  " << std::setw(8) << pid << std::setw(9) << (*p)["ppid"].get<std::int64_t>()
                << std::setw(9) << (*p)["threads"].get<std::uint64_t>() << "  "
                << std::string(static_cast<std::size_t>(depth) * 2, ' ')
                << (*p)["exe"].get<std::string>() << '\n';
            self(self, pid, depth + 1);
        }
    };
    walk(walk, -1, 0);
}

void print_regions(const json& p, std::ostream& out)
{
    int width = 12;
    for (const json& r : p["regions"]) {
        width = std::max(width, static_cast<int>(hex(r["end"].get<std::uint64_t>(), false).size()));
    }
    out << "\nprocess " << p["pid"].get<std::int64_t>() << " (" << p["exe"].get<std::string>()
        << "), " << plural(p["threads"].get<std::uint64_t>(), "thread") << ":\n"
        << std::left << "  " << std::setw(width + 2) << "START" << std::setw(width + 2) << "END"
        << std::setw(6) << "PROT" << std::setw(13) << "KIND" << std::right << std::setw(10)
        << "DUMPED" << std::setw(11) << "STORED" << "  PATH\n";
    for (const json& r : p["regions"]) {
        out << std::left << "  " << std::setw(width + 2) << hex(r["start"].get<std::uint64_t>(), false)
            << std::setw(width + 2) << hex(r["end"].get<std::uint64_t>(), false) << std::setw(6)
            << r["prot"].get<std::string>() << std::setw(13) << r["kind"].get<std::string>()
            << std::right << std::setw(10) << human_size(r["bytes"].get<std::uint64_t>())
            << std::setw(11) << human_size(r["stored_bytes"].get<std::uint64_t>());
        const auto& path = r["path"].get_ref<const std::string&>();
        out << (path.empty() ? "" : "  ") << path << '\n';
    }
}

void print_human(const json& info, std::ostream& out)
{
    out << "image    " << info["dir"].get<std::string>() << '\n'
        << "host     " << info["host"].get<std::string>() << '\n'
        << "kernel   " << info["kernel"].get<std::string>() << '\n'
        << "time     " << info["time"].get<std::string>() << '\n'
        << "format   stasis-image version " << info["version"].get<int>() << '\n';
    if (info.contains("cpu_features")) {
        out << "cpu      " << info["cpu_features"].size() << " features:";
        for (const json& name : info["cpu_features"]) {
            out << ' ' << name.get<std::string>();
        }
        out << '\n';
    }
    if (info.contains("vdso")) {
        out << "vdso     " << info["vdso"]["size"].get<std::uint64_t>() << " bytes, xxh3 "
            << hex(info["vdso"]["xxh3"].get<std::uint64_t>(), false) << '\n';
    }
    out << '\n';
    print_tree(info["processes"], out);
    for (const json& p : info["processes"]) {
        print_regions(p, out);
    }
    const auto bytes = info["bytes"].get<std::uint64_t>();
    const auto stored = info["stored_bytes"].get<std::uint64_t>();
    char ratio[32] = "n/a";
    if (stored != 0) {
        std::snprintf(ratio, sizeof ratio, "%.2fx",
                      static_cast<double>(bytes) / static_cast<double>(stored));
    }
    out << "\ntotal: " << human_size(bytes) << " of memory dumped, " << human_size(stored)
        << " stored on disk (compression ratio " << ratio << "), "
        << plural(info["chunks"].get<std::uint64_t>(), "chunk") << '\n';
    if (!info["borrows_from"].empty()) {
        out << "stored: " << human_size(info["owned_bytes"].get<std::uint64_t>()) << " in this generation, "
            << human_size(info["borrowed_bytes"].get<std::uint64_t>()) << " borrowed from";
        for (const json& lender : info["borrows_from"]) {
            out << ' ' << lender.get<std::string>();
        }
        out << '\n';
    }
}

// The parts of a generation (docs/image-format.md, "Step parts"): every one
// parts.json lists, each an image that verifies on its own.
void verify_parts(const fs::path& dir, std::ostream& out)
{
    auto list_file = dir / contract::parts_list_file;
    if (!fs::exists(list_file)) {
        if (fs::exists(dir / contract::parts_dir)) {
            throw ImageError(dir.string() + ": " + contract::parts_dir + "/ without " + contract::parts_list_file);
        }
        return;
    }
    json list;
    try {
        std::ifstream in(list_file);
        list = json::parse(in).at("parts");
        for (const auto& part : list) {
            auto name = part.at("part").get<std::string>();
            if (name.empty() || name.find('/') != std::string::npos || name.starts_with(".")) {
                throw ImageError("a part named \"" + name + "\"");
            }
        }
    } catch (const json::exception& e) {
        throw ImageError(list_file.string() + " is malformed: " + e.what());
    } catch (const ImageError& e) {
        throw ImageError(list_file.string() + " lists " + e.what());
    }
    for (const auto& part : list) {
        verify_image(dir / contract::parts_dir / part.at("part").get<std::string>(), out);
    }
}

}  // namespace

void verify_image(const fs::path& dir, std::ostream& out)
{
    const Checkpoint checkpoint = read_checkpoint(dir);
    VerifyPlan plan;
    try {
        plan = plan_verify(checkpoint);
        check_files_exist(dir, plan.files);
        read_all_chunks(dir, plan.chunks);
    } catch (const ImageError& e) {
        throw ImageError(dir.string() + ": " + e.what());
    }
    out << dir.string() << ": OK, " << plural(plan.processes, "process") << ", "
        << plural(plan.threads, "thread") << ", " << plural(plan.chunks.size(), "chunk")
        << (plan.borrowed != 0 ? " (" + std::to_string(plan.borrowed) + " borrowed from older generations)" : "")
        << ", "
        << human_size(plan.bytes) << " of memory"
        << (plan.output_bytes != 0 ? " and " + human_size(plan.output_bytes) + " of kept output" : "")
        << (plan.file_bytes != 0 ? " and " + human_size(plan.file_bytes) + " of unnamed files" : "")
        << " verified\n";
    verify_parts(dir, out);
}

void check_resumable(const fs::path& dir)
{
    const Checkpoint checkpoint = read_checkpoint(dir);
    try {
        auto plan = plan_verify(checkpoint);
        check_files_exist(dir, plan.files);
        check_file_lengths(dir, plan.chunks);
    } catch (const ImageError& e) {
        throw ImageError(dir.string() + ": " + e.what());
    }
    std::ostringstream summaries;
    verify_parts(dir, summaries);
}

void print_info(const fs::path& dir, bool json_output, std::ostream& out)
{
    const json info = summarize(dir, read_checkpoint(dir));
    if (json_output) {
        out << info.dump(2) << '\n';
    } else {
        print_human(info, out);
    }
}

}  // namespace stasis::image
