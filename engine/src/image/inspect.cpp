#include "image/inspect.hpp"

#include "error.hpp"
#include "image/chunk.hpp"
#include "image/chunk_reader.hpp"
#include "image/generation.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace stasis::image {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Runs a step that follows load_manifest: every failure becomes one
// ImageError line naming dir, including a manifest that parses but lacks a
// member or has a wrong type (a nlohmann exception otherwise).
template <class F>
auto guarded(const fs::path& dir, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const json::exception& e) {
        throw ImageError(dir.string() + ": manifest.json is malformed: " + e.what());
    } catch (const ImageError& e) {
        throw ImageError(dir.string() + ": " + e.what());
    }
}

// Regions of shared mappings may carry no "chunks" member at all.
const json& member_or_empty(const json& obj, const char* key)
{
    static const json empty = json::array();
    const auto it = obj.find(key);
    return it == obj.end() ? empty : *it;
}

std::string hex(std::uint64_t v, bool prefix)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, prefix ? "0x%llx" : "%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string chunk_label(const Chunk& c)
{
    return "chunk at " + hex(c.vaddr, true) + " (" + c.file + " offset " +
           std::to_string(c.offset) + ")";
}

std::string format_bytes(std::uint64_t n)
{
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (n < 1024) {
        return std::to_string(n) + " B";
    }
    double v = static_cast<double>(n) / 1024;
    std::size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(units)) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v,
                  units[u]);
    return buf;
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
    std::uint64_t output_bytes = 0;  // kept output files (kept_output.hpp)
};

void add_region_chunks(const json& region, VerifyPlan& plan)
{
    const auto start = region.at("start").get<std::uint64_t>();
    const auto end = region.at("end").get<std::uint64_t>();
    for (const json& j : member_or_empty(region, "chunks")) {
        Chunk c = j.get<Chunk>();
        if (c.size > max_chunk_size) {
            throw ImageError(chunk_label(c) + ": size " + std::to_string(c.size) +
                             " exceeds the 1 MiB limit");
        }
        if (c.vaddr < start || c.vaddr > end || c.size > end - c.vaddr) {
            throw ImageError(chunk_label(c) + ": lies outside its region " + hex(start, true) +
                             "-" + hex(end, true));
        }
        plan.bytes += c.size;
        plan.files.insert(c.file);
        plan.chunks.push_back(std::move(c));
    }
}

// Kept output: each chunk's vaddr is its offset in the file.
void add_kept_output_chunks(const json& kept, VerifyPlan& plan)
{
    const auto size = kept.at("size").get<std::uint64_t>();
    for (const json& j : kept.at("chunks")) {
        Chunk c = j.get<Chunk>();
        if (c.size > max_chunk_size || c.vaddr > size || c.size > size - c.vaddr) {
            throw ImageError(chunk_label(c) + ": lies outside the kept output file " +
                             kept.at("path").get<std::string>() + " of " + std::to_string(size) + " bytes");
        }
        plan.output_bytes += c.size;
        plan.files.insert(c.file);
        plan.chunks.push_back(std::move(c));
    }
}

VerifyPlan plan_verify(const json& m)
{
    VerifyPlan plan;
    for (const json& name : member_or_empty(m, "data_files")) {
        plan.files.insert(name.get<std::string>());
    }
    for (const json& p : m.at("processes")) {
        ++plan.processes;
        plan.threads += member_or_empty(p, "threads").size();
        for (const json& r : p.at("regions")) {
            add_region_chunks(r, plan);
        }
    }
    for (const json& kept : member_or_empty(m, "kept_output")) {
        add_kept_output_chunks(kept, plan);
    }
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

// Reads chunks on two threads. Indices are handed out in order, so the lowest
// failing index is the first bad chunk no matter which thread saw it.
void read_all_chunks(const fs::path& dir, const std::vector<Chunk>& chunks)
{
    const ChunkReader reader(dir);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::size_t bad = std::numeric_limits<std::size_t>::max();
    std::string message;

    auto work = [&]() noexcept {
        std::vector<std::byte> buf;
        while (!stop.load()) {
            const std::size_t i = next++;
            if (i >= chunks.size()) {
                return;
            }
            try {
                buf.resize(chunks[i].size);
                reader.read(chunks[i], buf);
            } catch (const std::exception& e) {
                const std::lock_guard lock(mu);
                if (i < bad) {
                    bad = i;
                    message = e.what();
                }
                stop = true;
            }
        }
    };
    std::thread helper(work);
    work();
    helper.join();
    if (bad != std::numeric_limits<std::size_t>::max()) {
        throw ImageError(message);
    }
}

// ---- info ----

json summarize_region(const json& r, std::uint64_t& chunks)
{
    std::uint64_t bytes = 0;
    std::uint64_t stored = 0;
    for (const json& c : member_or_empty(r, "chunks")) {
        bytes += c.at("size").get<std::uint64_t>();
        stored += c.at("stored_size").get<std::uint64_t>();
        ++chunks;
    }
    return {{"start", r.at("start").get<std::uint64_t>()},
            {"end", r.at("end").get<std::uint64_t>()},
            {"prot", r.value("prot", "")},
            {"kind", r.value("kind", "")},
            {"path", r.value("path", "")},
            {"bytes", bytes},
            {"stored_bytes", stored}};
}

json summarize_process(const json& p, std::uint64_t& chunks)
{
    json regions = json::array();
    std::uint64_t bytes = 0;
    std::uint64_t stored = 0;
    for (const json& r : p.at("regions")) {
        json s = summarize_region(r, chunks);
        bytes += s["bytes"].get<std::uint64_t>();
        stored += s["stored_bytes"].get<std::uint64_t>();
        regions.push_back(std::move(s));
    }
    return {{"pid", p.at("pid").get<std::int64_t>()},
            {"ppid", p.value("ppid", std::int64_t{0})},
            {"exe", p.value("exe", "")},
            {"threads", member_or_empty(p, "threads").size()},
            {"regions", std::move(regions)},
            {"bytes", bytes},
            {"stored_bytes", stored}};
}

json summarize(const fs::path& dir, const json& m)
{
    json processes = json::array();
    std::uint64_t bytes = 0;
    std::uint64_t stored = 0;
    std::uint64_t chunks = 0;
    for (const json& p : m.at("processes")) {
        json s = summarize_process(p, chunks);
        bytes += s["bytes"].get<std::uint64_t>();
        stored += s["stored_bytes"].get<std::uint64_t>();
        processes.push_back(std::move(s));
    }
    return {{"dir", dir.string()},
            {"host", m.value("host", "")},
            {"kernel", m.value("kernel", "")},
            {"time", m.value("time", "")},
            {"version", m.at("version").get<int>()},
            {"processes", std::move(processes)},
            {"bytes", bytes},
            {"stored_bytes", stored},
            {"chunks", chunks}};
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
            << std::right << std::setw(10) << format_bytes(r["bytes"].get<std::uint64_t>())
            << std::setw(11) << format_bytes(r["stored_bytes"].get<std::uint64_t>());
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
        << "format   stasis-image version " << info["version"].get<int>() << "\n\n";
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
    out << "\ntotal: " << format_bytes(bytes) << " of memory dumped, " << format_bytes(stored)
        << " stored on disk (compression ratio " << ratio << "), "
        << plural(info["chunks"].get<std::uint64_t>(), "chunk") << '\n';
}

}  // namespace

void verify_image(const fs::path& dir, std::ostream& out)
{
    const json m = load_manifest(dir);
    const VerifyPlan plan = guarded(dir, [&] {
        VerifyPlan p = plan_verify(m);
        check_files_exist(dir, p.files);
        read_all_chunks(dir, p.chunks);
        return p;
    });
    out << dir.string() << ": OK, " << plural(plan.processes, "process") << ", "
        << plural(plan.threads, "thread") << ", " << plural(plan.chunks.size(), "chunk") << ", "
        << format_bytes(plan.bytes) << " of memory"
        << (plan.output_bytes != 0 ? " and " + format_bytes(plan.output_bytes) + " of kept output" : "")
        << " verified\n";
}

void print_info(const fs::path& dir, bool json_output, std::ostream& out)
{
    const json m = load_manifest(dir);
    const json info = guarded(dir, [&] { return summarize(dir, m); });
    if (json_output) {
        out << info.dump(2) << '\n';
    } else {
        print_human(info, out);
    }
}

}  // namespace stasis::image
