#include "process/process_attributes.hpp"

#include "core/proc.hpp"
#include "core/remote_memory.hpp"
#include "core/restore_context.hpp"
#include "core/syscall_injector.hpp"
#include "process/dynamic_xstate.hpp"
#include "process/membarrier_registrations.hpp"

#include <fcntl.h>
#include <linux/prctl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <stasis/unique_fd.hpp>

#include <cerrno>
#include <cstring>
#include <string>

namespace stasis {

namespace {

std::string oom_score_adj_path(pid_t pid)
{
    return "/proc/" + std::to_string(pid) + "/oom_score_adj";
}

int read_oom_score_adj(pid_t pid)
{
    return std::stoi(proc::read_text(oom_score_adj_path(pid)));
}

void write_oom_score_adj(pid_t pid, int value)
{
    std::string text = std::to_string(value);
    UniqueFd fd(::open(oom_score_adj_path(pid).c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.valid() && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size())) {
        return;
    }
    int error = errno;
    spdlog::warn("process {}: cannot set its oom_score_adj back to {} ({}); it keeps {}", pid, value,
                 std::strerror(error), read_oom_score_adj(pid));
}

}  // namespace

void to_json(nlohmann::json& j, const ProcessAttributes& a)
{
    j = {{"dumpable", a.dumpable},
         {"no_new_privs", a.no_new_privs},
         {"thp_disabled", a.thp_disabled},
         {"child_subreaper", a.child_subreaper},
         {"oom_score_adj", a.oom_score_adj},
         {"membarrier", a.membarrier},
         {"dynamic_xfeatures", a.dynamic_xfeatures}};
}

void from_json(const nlohmann::json& j, ProcessAttributes& a)
{
    j.at("dumpable").get_to(a.dumpable);
    j.at("no_new_privs").get_to(a.no_new_privs);
    j.at("thp_disabled").get_to(a.thp_disabled);
    j.at("child_subreaper").get_to(a.child_subreaper);
    j.at("oom_score_adj").get_to(a.oom_score_adj);
    a.membarrier = j.value("membarrier", std::vector<std::string>{});  // images before it had none
    a.dynamic_xfeatures = j.value("dynamic_xfeatures", std::uint64_t{0});  // nor these
}

ProcessAttributes read_process_attributes(pid_t pid, SyscallInjector& inj, std::uint64_t scratch)
{
    ProcessAttributes a;
    a.dumpable = static_cast<int>(inj.checked("prctl(PR_GET_DUMPABLE)", SYS_prctl, {PR_GET_DUMPABLE}));
    a.no_new_privs = inj.checked("prctl(PR_GET_NO_NEW_PRIVS)", SYS_prctl, {PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0}) != 0;
    a.thp_disabled = inj.checked("prctl(PR_GET_THP_DISABLE)", SYS_prctl, {PR_GET_THP_DISABLE, 0, 0, 0, 0}) != 0;
    inj.checked("prctl(PR_GET_CHILD_SUBREAPER)", SYS_prctl, {PR_GET_CHILD_SUBREAPER, scratch});
    a.child_subreaper = read_remote_value<int>(pid, scratch) != 0;
    a.oom_score_adj = read_oom_score_adj(pid);
    a.membarrier = read_membarrier_registrations(inj);
    a.dynamic_xfeatures = read_dynamic_permission(pid, inj, scratch);
    return a;
}

void restore_process_attributes(RestoreContext& ctx, const ProcessAttributes& a)
{
    auto& inj = ctx.main();
    if (a.no_new_privs) {
        inj.checked("prctl(PR_SET_NO_NEW_PRIVS)", SYS_prctl, {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0});
    }
    // Pages the restore has filled in already stay as they are; only the
    // process's later faults see the setting, as they would have.
    if (a.thp_disabled) {
        inj.checked("prctl(PR_SET_THP_DISABLE)", SYS_prctl, {PR_SET_THP_DISABLE, 1, 0, 0, 0});
    }
    if (a.child_subreaper) {
        inj.checked("prctl(PR_SET_CHILD_SUBREAPER)", SYS_prctl, {PR_SET_CHILD_SUBREAPER, 1});
    }
    restore_membarrier_registrations(inj, a.membarrier);
    restore_dynamic_permission(ctx, a.dynamic_xfeatures);
    if (a.oom_score_adj != read_oom_score_adj(ctx.pid())) {
        write_oom_score_adj(ctx.pid(), a.oom_score_adj);
    }
    // Last: a process that is not dumpable has its /proc files owned by
    // root, out of an unprivileged restorer's reach. 2 (suid_dumpable) is
    // the kernel's to set, after an exec that changed credentials.
    if (a.dumpable == 0) {
        inj.checked("prctl(PR_SET_DUMPABLE)", SYS_prctl, {PR_SET_DUMPABLE, 0});
    }
}

}  // namespace stasis
