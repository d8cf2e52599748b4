#pragma once
// Text cut at a separator, for the small line formats stasis reads
// (durations, /proc files).
#include <string_view>
#include <vector>

namespace stasis {

// The pieces of text between separators, as views into text; an empty text
// is one empty piece.
inline std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> pieces;
    for (;;) {
        auto at = text.find(separator);
        pieces.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return pieces;
        }
        text.remove_prefix(at + 1);
    }
}

}  // namespace stasis
