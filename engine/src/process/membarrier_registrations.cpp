#include "process/membarrier_registrations.hpp"

#include "core/error.hpp"
#include "core/syscall_injector.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>

#include <algorithm>
#include <array>

namespace stasis {

namespace {

struct Command {
    const char* name;
    int issue;
    int register_for;
};

constexpr std::array commands{
    Command{"private_expedited", MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED},
    Command{"private_expedited_sync_core", MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
            MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE},
    Command{"private_expedited_rseq", MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ,
            MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ},
};

}  // namespace

std::vector<std::string> read_membarrier_registrations(SyscallInjector& inj)
{
    std::vector<std::string> registered;
    for (const auto& c : commands) {
        // 0: registered; EPERM: not; EINVAL: this kernel lacks the command.
        if (inj.call(SYS_membarrier, {static_cast<std::uint64_t>(c.issue), 0, 0}) == 0) {
            registered.emplace_back(c.name);
        }
    }
    return registered;
}

void restore_membarrier_registrations(SyscallInjector& inj, const std::vector<std::string>& names)
{
    for (const auto& name : names) {
        auto c = std::find_if(commands.begin(), commands.end(), [&name](const Command& k) { return name == k.name; });
        if (c == commands.end()) {
            throw ImageError("unknown membarrier registration \"" + name + "\"");
        }
        auto what = "membarrier registration " + name;
        inj.checked(what.c_str(), SYS_membarrier, {static_cast<std::uint64_t>(c->register_for), 0, 0});
    }
}

}  // namespace stasis
