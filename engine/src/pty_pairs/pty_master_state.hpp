#pragma once
// A pty master the tree holds (a pair inside the tree: mpirun's output
// forwarding, script), as the detail of each fd on it (kind `pty_master`):
// its slave as a terminal of the tree (the id it shares with the tree's fds
// on the slave, settings, whose controlling terminal), the master's own
// modes, and what was queued in the pair, each way, unread.
#include "terminals/terminal_state.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace stasis {

struct PtyMasterState {
    TerminalState slave;  // type "pty", device: the slave's at checkpoint time
    int index = -1;       // the slave's number at checkpoint time (/dev/pts/N); a restore gets another
    bool packet = false;  // TIOCPKT
    bool locked = false;  // TIOCSPTLCK: the slave cannot be opened
    // Written on the slave, not read by the master yet (after the slave's
    // output processing), and written on the master, not read on the slave
    // yet (after its input processing; a canonical slave's complete lines,
    // each one ended by end-of-file followed by its VEOF character).
    std::vector<std::uint8_t> to_master, to_slave;
};

void to_json(nlohmann::json& j, const PtyMasterState& m);
void from_json(const nlohmann::json& j, PtyMasterState& m);

}  // namespace stasis
