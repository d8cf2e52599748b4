#include "process/process_state.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

void to_json(nlohmann::json& j, const ProcessState& p)
{
    j = {{"pid", p.pid},
         {"ppid", p.ppid},
         {"pgid", p.pgid},
         {"sid", p.sid},
         {"zombie", p.zombie},
         {"wait_status", p.wait_status},
         {"stopped_by", p.stopped_by},
         {"exe", p.exe},
         {"comm", p.comm},
         {"cwd", p.cwd},
         {"umask", p.umask},
         {"rlimits", p.rlimits},
         {"attributes", p.attributes},
         {"mm", p.mm},
         {"sigactions", p.sigactions},
         {"shared_pending", p.shared_pending},
         {"threads", p.threads},
         {"regions", p.regions},
         {"fds", p.fds},
         {"sysv_segments", p.sysv_segments},
         {"timers", p.timers}};
    if (p.relaunch) {
        j["relaunch"] = {{"argv", p.relaunch->argv}, {"env", p.relaunch->env}};
    }
}

void from_json(const nlohmann::json& j, ProcessState& p)
{
    j.at("pid").get_to(p.pid);
    j.at("ppid").get_to(p.ppid);
    j.at("pgid").get_to(p.pgid);
    j.at("sid").get_to(p.sid);
    j.at("zombie").get_to(p.zombie);
    j.at("wait_status").get_to(p.wait_status);
    j.at("exe").get_to(p.exe);
    j.at("comm").get_to(p.comm);
    j.at("cwd").get_to(p.cwd);
    j.at("umask").get_to(p.umask);
    j.at("rlimits").get_to(p.rlimits);
    // Members added within format version 1 are optional: an image written
    // before them restores with their defaults, as it would have then.
    if (j.contains("attributes")) {
        j.at("attributes").get_to(p.attributes);
    }
    if (j.contains("stopped_by")) {
        j.at("stopped_by").get_to(p.stopped_by);
    }
    if (j.contains("timers")) {
        j.at("timers").get_to(p.timers);
    }
    if (j.contains("relaunch")) {
        const auto& r = j.at("relaunch");
        p.relaunch = Relaunch{r.at("argv").get<std::vector<std::string>>(), r.at("env").get<std::vector<std::string>>()};
        if (p.relaunch->argv.empty()) {
            throw ImageError("process " + std::to_string(p.pid) + " is relaunched with an empty argv");
        }
    }
    j.at("mm").get_to(p.mm);
    j.at("sigactions").get_to(p.sigactions);
    j.at("shared_pending").get_to(p.shared_pending);
    j.at("threads").get_to(p.threads);
    j.at("regions").get_to(p.regions);
    j.at("fds").get_to(p.fds);
    j.at("sysv_segments").get_to(p.sysv_segments);
}

}  // namespace stasis
