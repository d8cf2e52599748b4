#include "agent/replayed_signal.hpp"

#include "agent/guarded_signals.hpp"
#include "image/manifest.hpp"

#include <algorithm>
#include <cstring>

namespace stasis::agent {

namespace {

bool from_outside(const siginfo_t& info, const Checkpoint& checkpoint)
{
    if (info.si_code > 0) {
        return true;  // the kernel's
    }
    return std::none_of(checkpoint.processes.begin(), checkpoint.processes.end(),
                        [&](const ProcessState& p) { return p.pid == info.si_pid; });
}

std::optional<int> first_replayed(const std::vector<SigInfoBytes>& pending, const Checkpoint& checkpoint)
{
    for (const auto& bytes : pending) {
        siginfo_t info{};
        static_assert(sizeof info == sizeof bytes.bytes);
        std::memcpy(&info, bytes.bytes.data(), sizeof info);
        if (is_guarded(info.si_signo) && from_outside(info, checkpoint)) {
            return info.si_signo;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<int> replayed_signal(const std::filesystem::path& dir)
{
    auto checkpoint = image::read_checkpoint(dir);
    for (const auto& process : checkpoint.processes) {
        if (auto signo = first_replayed(process.shared_pending, checkpoint)) {
            return signo;
        }
        for (const auto& thread : process.threads) {
            if (auto signo = first_replayed(thread.pending, checkpoint)) {
                return signo;
            }
        }
    }
    return std::nullopt;
}

}  // namespace stasis::agent
