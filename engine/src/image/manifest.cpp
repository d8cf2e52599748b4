#include "image/manifest.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

namespace {

constexpr char cpu_features_member[] = "features";

constexpr char kept_output_member[] = "kept_output";
constexpr char unnamed_files_member[] = "unnamed_files";
constexpr char unix_sockets_member[] = "unix_sockets";
constexpr char inet_sockets_member[] = "inet_sockets";
constexpr char job_member[] = "job";
constexpr char vdso_member[] = "vdso";

}  // namespace

void to_json(nlohmann::json& j, const CpuState& c)
{
    j = {{"xcr0", c.xcr0}, {"xsave_size", c.xsave_size}};
    if (c.features) {
        j[cpu_features_member] = *c.features;
    }
}

void from_json(const nlohmann::json& j, CpuState& c)
{
    j.at("xcr0").get_to(c.xcr0);
    j.at("xsave_size").get_to(c.xsave_size);
    if (auto features = j.find(cpu_features_member); features != j.end()) {
        c.features = features->get<std::vector<std::string>>();
    }
}

void to_json(nlohmann::json& j, const Checkpoint& c)
{
    j = {{"format", "stasis-image"}, {"version", image::format_version},
         {"host", c.host},           {"kernel", c.kernel},
         {"time", c.time},           {"cpu", c.cpu},
         {"root_pid", c.root_pid},   {"data_files", c.data_files},
         {"processes", c.processes}, {"pipes", c.pipes}};
    if (!c.job.empty()) {
        j[job_member] = c.job;
    }
    if (c.vdso) {
        j[vdso_member] = *c.vdso;
    }
    if (!c.kept_output.empty()) {
        j[kept_output_member] = c.kept_output;
    }
    if (!c.unnamed_files.empty()) {
        j[unnamed_files_member] = c.unnamed_files;
    }
    if (!c.unix_sockets.empty()) {
        j[unix_sockets_member] = c.unix_sockets;
    }
    if (!c.inet_sockets.empty()) {
        j[inet_sockets_member] = c.inet_sockets;
    }
}

void from_json(const nlohmann::json& j, Checkpoint& c)
{
    j.at("host").get_to(c.host);
    j.at("kernel").get_to(c.kernel);
    j.at("time").get_to(c.time);
    j.at("cpu").get_to(c.cpu);
    j.at("root_pid").get_to(c.root_pid);
    j.at("data_files").get_to(c.data_files);
    j.at("processes").get_to(c.processes);
    j.at("pipes").get_to(c.pipes);
    c.job = j.value(job_member, "");
    if (auto vdso = j.find(vdso_member); vdso != j.end()) {
        c.vdso = vdso->get<VdsoLayout>();
    }
    if (auto kept = j.find(kept_output_member); kept != j.end()) {
        kept->get_to(c.kept_output);
    }
    if (auto unnamed = j.find(unnamed_files_member); unnamed != j.end()) {
        unnamed->get_to(c.unnamed_files);
    }
    if (auto sockets = j.find(unix_sockets_member); sockets != j.end()) {
        sockets->get_to(c.unix_sockets);
    }
    if (auto sockets = j.find(inet_sockets_member); sockets != j.end()) {
        sockets->get_to(c.inet_sockets);
    }
}

}  // namespace stasis

namespace stasis::image {

void commit_checkpoint(GenerationWriter& generation, const Checkpoint& checkpoint)
{
    generation.commit(checkpoint);
}

Checkpoint read_checkpoint(const std::filesystem::path& dir)
{
    auto manifest = load_manifest(dir);
    try {
        return manifest.get<Checkpoint>();
    } catch (const nlohmann::json::exception& e) {
        throw ImageError(dir.string() + ": manifest.json is malformed: " + e.what());
    } catch (const ImageError& e) {
        throw ImageError(dir.string() + ": " + e.what());
    }
}

}  // namespace stasis::image
