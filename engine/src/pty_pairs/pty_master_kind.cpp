#include "pty_pairs/pty_master_kind.hpp"

#include "pty_pairs/dump_pty_master.hpp"
#include "terminals/dump_terminal.hpp"
#include "terminals/restore_terminal.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

namespace {

bool is_pty_master(const FdProbe& probe)
{
    return S_ISCHR(probe.st.st_mode) && terminal_device(probe.st.st_rdev) == TerminalDevice::master;
}

UniqueFd open_pty_master(const FdState& saved, RestoreSources& sources)
{
    return sources.terminals().open_master(saved);
}

}  // namespace

const FdKindOps& pty_master_kind()
{
    static const FdKindOps ops{.kind = FdKind::pty_master,
                               .name = "pty_master",
                               .recognizes = is_pty_master,
                               .dump = read_pty_master,
                               .open = open_pty_master,
                               .read_detail = read_detail_as<PtyMasterState>,
                               .link_tree = capture_pty_queues};
    return ops;
}

}  // namespace stasis
