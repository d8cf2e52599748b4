#pragma once
// The restart metadata stasis keeps in a job's AdminComment, as
// `stasis:{...}` beside whatever else an admin put there. Users cannot
// change AdminComment, so this is the one record a requeued job trusts.
#include <nlohmann/json.hpp>

#include <algorithm>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace stasis::contract {

// The parts of one step in a generation (contract/step_parts.hpp).
struct StepRecord {
    std::string step;                // the scheduler's name for it
    std::uint32_t tasks = 0;
    std::vector<std::string> nodes;  // where its parts were written, by rank, each once

    bool operator==(const StepRecord&) const = default;
};

struct RestartMetadata {
    std::string generation;  // gen-NNNNNN
    std::string path;        // the job's checkpoint directory (ROOT)
    std::string time;        // UTC, ISO 8601, when it was committed
    std::uint64_t bytes = 0;  // what the generation takes on disk
    std::uint32_t nodes = 1;  // the batch step's and every part's, each once
    std::vector<StepRecord> steps;
    // The job's name, which its generations record (`stasis run --job`):
    // set at its first start, kept across requeues, so that a job id used
    // again never resumes another job's generations.
    std::string job;
};

// The steps of a generation's parts.json ({"parts": [{"launcher", "rank",
// "step", "host"}, ...]}), in the order they first appear; throws
// nlohmann::json::exception when it is not such a list.
inline std::vector<StepRecord> steps_of_parts(const nlohmann::json& parts_list)
{
    std::vector<std::pair<std::int64_t, StepRecord>> steps;  // by launcher
    auto parts = parts_list.at("parts");
    std::sort(parts.begin(), parts.end(),
              [](const auto& a, const auto& b) { return a.at("rank").template get<std::uint32_t>() < b.at("rank").template get<std::uint32_t>(); });
    for (const auto& part : parts) {
        auto launcher = part.at("launcher").get<std::int64_t>();
        auto it = std::find_if(steps.begin(), steps.end(), [launcher](const auto& s) { return s.first == launcher; });
        if (it == steps.end()) {
            it = steps.insert(steps.end(), {launcher, StepRecord{part.value("step", ""), 0, {}}});
        }
        auto& record = it->second;
        ++record.tasks;
        auto host = part.at("host").get<std::string>();
        if (std::find(record.nodes.begin(), record.nodes.end(), host) == record.nodes.end()) {
            record.nodes.push_back(host);
        }
    }
    std::vector<StepRecord> records;
    for (auto& [launcher, record] : steps) {
        records.push_back(std::move(record));
    }
    return records;
}

namespace detail {

inline constexpr std::string_view metadata_tag = "stasis:";

// Where the stasis entry sits in an AdminComment: [begin, end).
struct MetadataSpan {
    std::size_t begin = 0, end = 0;
    nlohmann::json value;
};

// The JSON object after the tag ends wherever the parser stops, so other
// text may follow it; a tag followed by anything else is not ours.
inline std::optional<MetadataSpan> find_metadata_span(std::string_view text)
{
    for (auto at = text.find(metadata_tag); at != std::string_view::npos; at = text.find(metadata_tag, at + 1)) {
        if (at > 0 && text[at - 1] != ' ') {
            continue;
        }
        std::istringstream in(std::string(text.substr(at + metadata_tag.size())));
        MetadataSpan span;
        try {
            in >> span.value;
        } catch (const nlohmann::json::exception&) {
            continue;
        }
        if (!span.value.is_object()) {
            continue;
        }
        auto consumed = in.eof() ? text.size() - at - metadata_tag.size() : static_cast<std::size_t>(in.tellg());
        span.begin = at;
        span.end = at + metadata_tag.size() + consumed;
        return span;
    }
    return std::nullopt;
}

inline std::string_view trim_spaces(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace detail

// The stasis entry of an AdminComment, if it has a well-formed one.
inline std::optional<RestartMetadata> find_restart_metadata(std::string_view admin_comment)
{
    auto span = detail::find_metadata_span(admin_comment);
    if (!span) {
        return std::nullopt;
    }
    try {
        const auto& j = span->value;
        RestartMetadata m;
        m.generation = j.at("gen").get<std::string>();
        m.path = j.at("path").get<std::string>();
        m.time = j.value("time", "");
        m.bytes = j.value("bytes", std::uint64_t{0});
        m.nodes = j.value("nodes", std::uint32_t{1});
        m.job = j.value("job", "");
        for (const auto& s : j.value("steps", nlohmann::json::array())) {
            m.steps.push_back({s.at("step").get<std::string>(), s.at("tasks").get<std::uint32_t>(),
                               s.at("nodes").get<std::vector<std::string>>()});
        }
        return m;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// admin_comment with its stasis entry replaced by (or extended with) metadata;
// everything else in it is kept as it was.
inline std::string merge_restart_metadata(std::string_view admin_comment, const RestartMetadata& metadata)
{
    nlohmann::json j = {{"gen", metadata.generation}, {"path", metadata.path}, {"time", metadata.time},
                        {"bytes", metadata.bytes},    {"nodes", metadata.nodes}};
    if (!metadata.job.empty()) {
        j["job"] = metadata.job;
    }
    for (const auto& s : metadata.steps) {
        j["steps"].push_back({{"step", s.step}, {"tasks", s.tasks}, {"nodes", s.nodes}});
    }
    std::string entry = std::string(detail::metadata_tag) + j.dump();
    std::string rest;
    if (auto span = detail::find_metadata_span(admin_comment)) {
        rest = std::string(detail::trim_spaces(admin_comment.substr(0, span->begin)));
        auto after = detail::trim_spaces(admin_comment.substr(span->end));
        if (!after.empty()) {
            rest += (rest.empty() ? "" : " ") + std::string(after);
        }
    } else {
        rest = std::string(detail::trim_spaces(admin_comment));
    }
    return rest.empty() ? entry : rest + " " + entry;
}

}  // namespace stasis::contract
