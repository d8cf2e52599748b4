// stasis.yaml as YAML: one document, a map of settings, each key once.
#include "config_message.hpp"
#include "settings.hpp"
#include "stasis/site_config.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace stasis {

namespace {

int line_of(const YAML::Mark& mark)
{
    return mark.is_null() ? 0 : mark.line + 1;
}

// How a value reads after "got".
std::string describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Scalar: return in_quotes(node.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "nothing";
    }
}

// The file's only document; a null node for an empty file. A second document
// is refused rather than ignored, as its settings would silently not apply.
YAML::Node only_document(std::string_view text, std::string_view source)
{
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(std::string(text));
    } catch (const YAML::Exception& e) {
        throw config_error({source, line_of(e.mark)}, "invalid YAML: " + e.msg);
    }
    if (documents.size() > 1) {
        throw config_error({source, line_of(documents[1].Mark())}, "expected one YAML document, found a second");
    }
    return documents.empty() ? YAML::Node() : documents.front();
}

// Lines where each key was first set. yaml-cpp keeps both entries of a key
// given twice; the later one would win unseen.
using FirstLines = std::map<std::string, int, std::less<>>;

void take_entry(SiteConfig& config, const YAML::Node& key, const YAML::Node& value, const ConfigLocation& where,
                FirstLines& first_lines)
{
    if (!key.IsScalar()) {
        throw config_error(where, "expected a key name, got " + describe(key));
    }
    const auto& setting = find_setting(key.Scalar(), where);
    auto [first, inserted] = first_lines.emplace(setting.key, where.line);
    if (!inserted) {
        throw config_error(where, std::string(setting.key) + ": set twice, first on line " +
                                      std::to_string(first->second));
    }
    if (!value.IsScalar()) {
        throw bad_value(setting, describe(value), where);
    }
    assign_setting(config, setting, value.Scalar(), where);
}

}  // namespace

SiteConfig parse_site_config(std::string_view yaml_text, std::string_view source_name)
{
    SiteConfig config;
    auto root = only_document(yaml_text, source_name);
    if (root.IsNull()) {
        return config;
    }
    if (!root.IsMap()) {
        throw config_error({source_name, line_of(root.Mark())}, "expected a map of settings, got " + describe(root));
    }
    FirstLines first_lines;
    for (const auto& entry : root) {
        take_entry(config, entry.first, entry.second, {source_name, line_of(entry.first.Mark())}, first_lines);
    }
    return config;
}

}  // namespace stasis
