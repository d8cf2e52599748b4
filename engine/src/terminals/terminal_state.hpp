#pragma once
// A terminal the tree held, as the detail of each of its fds (kind
// `terminal`): which one of the tree's terminals it is, whose controlling
// terminal it was, and its settings.
#include <nlohmann/json_fwd.hpp>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct TerminalState {
    int id = -1;               // the same for every fd of the tree on this terminal
    std::string type;          // "pty" (a pty slave), "tty" (a console or serial line), "console"
    std::uint64_t device = 0;  // its device number at checkpoint time
    pid_t session = 0;         // the session it was the controlling terminal of; 0: none in the tree
    pid_t foreground = 0;      // that session's foreground process group; 0: none in the tree
    // termios
    std::uint32_t iflag = 0, oflag = 0, cflag = 0, lflag = 0;
    std::uint8_t line = 0;
    std::vector<std::uint8_t> cc;
    std::uint32_t ispeed = 0, ospeed = 0;
    // window size
    std::uint16_t rows = 0, cols = 0, xpixel = 0, ypixel = 0;
};

struct FdState;

// The terminal an fd of the tree is on: a terminal fd's, or a pty master's
// slave (pty_pairs/); nullptr for any other fd.
TerminalState* terminal_of(FdState& fd);
const TerminalState* terminal_of(const FdState& fd);

void to_json(nlohmann::json& j, const TerminalState& t);
void from_json(const nlohmann::json& j, TerminalState& t);

}  // namespace stasis
