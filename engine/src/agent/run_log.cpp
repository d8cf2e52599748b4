#include "agent/run_log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace stasis::agent {

spdlog::logger& run_log()
{
    static auto logger = [] {
        auto l = std::make_shared<spdlog::logger>("stasis run", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        l->set_pattern("stasis run: %v");
        l->set_level(spdlog::level::info);
        l->flush_on(spdlog::level::info);
        return l;
    }();
    return *logger;
}

void set_log_level(LogLevel level)
{
    auto to_spdlog = [](LogLevel l) {
        switch (l) {
        case LogLevel::trace:
            return spdlog::level::trace;
        case LogLevel::debug:
            return spdlog::level::debug;
        case LogLevel::info:
            return spdlog::level::info;
        case LogLevel::warn:
            return spdlog::level::warn;
        case LogLevel::error:
            return spdlog::level::err;
        }
        return spdlog::level::info;
    };
    run_log().set_level(to_spdlog(level));
    spdlog::set_level(to_spdlog(level));
}

}  // namespace stasis::agent
