#pragma once
// The signals a scheduler ends a job with. Aimed at the job, they are held
// until a checkpoint is committed; aimed at the agent, they ask it to
// checkpoint and end the job (docs/run.md).
#include <signal.h>

#include <algorithm>
#include <array>

namespace stasis::agent {

inline constexpr std::array<int, 6> guarded_signals{SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGXCPU};

inline bool is_guarded(int signo)
{
    return std::find(guarded_signals.begin(), guarded_signals.end(), signo) != guarded_signals.end();
}

}  // namespace stasis::agent
