#include "agent/run_log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

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

}  // namespace stasis::agent
