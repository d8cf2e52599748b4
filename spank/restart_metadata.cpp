#include "restart_metadata.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

namespace stasis::spank {

namespace {

constexpr std::string_view tag = "stasis:";

// Where the stasis entry sits in an AdminComment: [begin, end).
struct EntrySpan {
    std::size_t begin = 0, end = 0;
    nlohmann::json value;
};

// The JSON object after the tag ends wherever the parser stops, so other
// text may follow it; a tag followed by anything else is not ours.
std::optional<EntrySpan> find_entry(std::string_view text)
{
    for (auto at = text.find(tag); at != std::string_view::npos; at = text.find(tag, at + 1)) {
        if (at > 0 && text[at - 1] != ' ') {
            continue;
        }
        std::istringstream in(std::string(text.substr(at + tag.size())));
        EntrySpan span;
        try {
            in >> span.value;
        } catch (const nlohmann::json::exception&) {
            continue;
        }
        if (!span.value.is_object()) {
            continue;
        }
        auto consumed = in.eof() ? text.size() - at - tag.size() : static_cast<std::size_t>(in.tellg());
        span.begin = at;
        span.end = at + tag.size() + consumed;
        return span;
    }
    return std::nullopt;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<RestartMetadata> find_restart_metadata(std::string_view admin_comment)
{
    auto span = find_entry(admin_comment);
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
        return m;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

std::string merge_restart_metadata(std::string_view admin_comment, const RestartMetadata& metadata)
{
    nlohmann::json j = {{"gen", metadata.generation}, {"path", metadata.path}, {"time", metadata.time},
                        {"bytes", metadata.bytes},    {"nodes", metadata.nodes}};
    std::string entry = std::string(tag) + j.dump();
    std::string rest;
    if (auto span = find_entry(admin_comment)) {
        rest = std::string(trim(admin_comment.substr(0, span->begin)));
        auto after = trim(admin_comment.substr(span->end));
        if (!after.empty()) {
            rest += (rest.empty() ? "" : " ") + std::string(after);
        }
    } else {
        rest = std::string(trim(admin_comment));
    }
    return rest.empty() ? entry : rest + " " + entry;
}

}  // namespace stasis::spank
