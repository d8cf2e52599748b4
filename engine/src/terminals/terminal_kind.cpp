#include "terminals/terminal_kind.hpp"

#include "files/file_kinds.hpp"
#include "image/checkpoint.hpp"
#include "terminals/dump_terminal.hpp"
#include "terminals/restore_terminal.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace stasis {

namespace {

bool is_terminal(const FdProbe& probe)
{
    return S_ISCHR(probe.st.st_mode) && terminal_device(probe.st.st_rdev) != TerminalDevice::none;
}

void dump_terminal(const FdProbe& probe, FdState& fd)
{
    if (terminal_device(probe.st.st_rdev) == TerminalDevice::bsd_master) {
        refuse_fd(probe, "a BSD pty master");
    }
    read_terminal(probe.pid, fd, probe.st.st_rdev);
}

// Terminal id -> the lowest of fds 0-2 at which the tree held it: the
// restorer's fd handed over for that terminal when there are no ptys.
struct TerminalStdio {
    explicit TerminalStdio(const Checkpoint& checkpoint)
    {
        for (const auto& process : checkpoint.processes) {
            for (const auto& fd : process.fds) {
                if (fd.kind == FdKind::terminal && fd.fd <= last_stdio_fd) {
                    auto [it, added] = lowest.emplace(fd.detail_as<TerminalState>().id, fd.fd);
                    it->second = std::min(it->second, fd.fd);
                }
            }
        }
    }
    std::map<int, int> lowest;
};

// Without ptys (a restore nobody relays for), a terminal fd gets the
// restorer's own fd of that number if it is 0-2, else its fd 0-2 where the
// tree had the same terminal, else /dev/null.
UniqueFd open_terminal(const FdState& saved, RestoreSources& sources)
{
    if (sources.terminals().slave(saved.detail_as<TerminalState>().id) >= 0) {
        return sources.terminals().open_slave(saved);
    }
    if (saved.fd <= last_stdio_fd) {
        return inherited_stdio(saved.fd);
    }
    const auto& stdio = sources.tree_state<TerminalStdio>().lowest;
    auto it = stdio.find(saved.detail_as<TerminalState>().id);
    return inherited_stdio(it != stdio.end() ? it->second : -1);
}

}  // namespace

const FdKindOps& terminal_kind()
{
    static const FdKindOps ops{.kind = FdKind::terminal,
                               .name = "terminal",
                               .recognizes = is_terminal,
                               .dump = dump_terminal,
                               .open = open_terminal,
                               .read_detail = read_detail_as<TerminalState>,
                               .link_tree = link_terminals};
    return ops;
}

}  // namespace stasis
