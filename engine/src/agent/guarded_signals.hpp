#pragma once
// The signals a scheduler ends a job with. Aimed at the job, they are held
// until a checkpoint is committed; aimed at the agent, they ask it to
// checkpoint and end the job (docs/run.md).
#include <signal.h>

#include <string.h>

#include <algorithm>
#include <array>
#include <string>

namespace stasis::agent {

inline constexpr std::array<int, 6> guarded_signals{SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGXCPU};

inline bool is_guarded(int signo)
{
    return std::find(guarded_signals.begin(), guarded_signals.end(), signo) != guarded_signals.end();
}

// "SIGTERM".
inline std::string signal_name(int signo)
{
    const char* abbrev = ::sigabbrev_np(signo);
    return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signo);
}

}  // namespace stasis::agent
