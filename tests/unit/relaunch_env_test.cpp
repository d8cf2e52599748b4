// A process started anew at restore learns from its environment which
// image it comes from and its pid there, so that the step it launches
// again restores the parts it launched. The values of an earlier relaunch
// must be replaced, not kept beside the new ones: getenv would find the
// first, the stale one.
#include "process/relaunch_env.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <stasis/step_parts.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using stasis::Checkpoint;
using stasis::ProcessState;
using stasis::Relaunch;
using stasis::tell_relaunched_processes;
using stasis::test::TempDir;

namespace {

ProcessState process(pid_t pid, std::optional<std::vector<std::string>> relaunch_env)
{
    ProcessState p;
    p.pid = pid;
    if (relaunch_env) {
        p.relaunch = Relaunch{.argv = {"srun", "./step"}, .env = *relaunch_env};
    }
    return p;
}

// Every value of name in env, in order: one when set once.
std::vector<std::string> values_of(const std::vector<std::string>& env, const std::string& name)
{
    std::vector<std::string> values;
    for (const auto& entry : env) {
        if (entry.starts_with(name + "=")) {
            values.push_back(entry.substr(name.size() + 1));
        }
    }
    return values;
}

const std::string image_env = stasis::contract::relaunch_image_env;
const std::string pid_env = stasis::contract::relaunch_pid_env;

}  // namespace

TEST_CASE("relaunch env: a relaunched process is told its image, absolute and normal, and its pid there")
{
    TempDir dir;
    Checkpoint checkpoint;
    checkpoint.processes = {process(100, std::vector<std::string>{"PATH=/bin", "HOME=/home/u"})};

    tell_relaunched_processes(checkpoint, dir.path() / "sub" / ".." / "gen-000003");

    const auto& env = checkpoint.processes[0].relaunch->env;
    CHECK(values_of(env, image_env) == std::vector<std::string>{(dir.path() / "gen-000003").string()});
    CHECK(values_of(env, pid_env) == std::vector<std::string>{"100"});
    // Its own environment is kept.
    CHECK(values_of(env, "PATH") == std::vector<std::string>{"/bin"});
    CHECK(values_of(env, "HOME") == std::vector<std::string>{"/home/u"});
    CHECK(env.size() == 4);
}

TEST_CASE("relaunch env: a relative image directory is made absolute from the current directory")
{
    // The relaunched process runs in its own working directory, where a
    // relative path would name something else.
    Checkpoint checkpoint;
    checkpoint.processes = {process(7, std::vector<std::string>{})};

    tell_relaunched_processes(checkpoint, "job/./gen-000001");

    auto expected = (fs::current_path() / "job" / "gen-000001").string();
    CHECK(fs::path(expected).is_absolute());
    CHECK(values_of(checkpoint.processes[0].relaunch->env, image_env) == std::vector<std::string>{expected});
}

TEST_CASE("relaunch env: the values of an earlier relaunch are replaced, never doubled")
{
    Checkpoint checkpoint;
    checkpoint.processes = {process(100, std::vector<std::string>{image_env + "=/old/gen-000001", "PATH=/bin",
                                                                  pid_env + "=55", pid_env + "=56",
                                                                  // Only the same name is replaced.
                                                                  pid_env + "_X=keep"})};

    tell_relaunched_processes(checkpoint, "/spool/job/gen-000002");
    // Restored once more from the same image: still one value of each.
    tell_relaunched_processes(checkpoint, "/spool/job/gen-000002");

    const auto& env = checkpoint.processes[0].relaunch->env;
    CHECK(values_of(env, image_env) == std::vector<std::string>{"/spool/job/gen-000002"});
    CHECK(values_of(env, pid_env) == std::vector<std::string>{"100"});
    CHECK(values_of(env, pid_env + "_X") == std::vector<std::string>{"keep"});
    CHECK(values_of(env, "PATH") == std::vector<std::string>{"/bin"});
    CHECK(env.size() == 4);
}

TEST_CASE("relaunch env: each relaunched process gets its own pid; the others are left alone")
{
    Checkpoint checkpoint;
    checkpoint.processes = {process(100, std::nullopt), process(200, std::vector<std::string>{"A=1"}),
                            process(300, std::nullopt), process(400, std::vector<std::string>{})};

    tell_relaunched_processes(checkpoint, "/spool/job/gen-000002");

    CHECK_FALSE(checkpoint.processes[0].relaunch);
    CHECK_FALSE(checkpoint.processes[2].relaunch);
    REQUIRE(checkpoint.processes[1].relaunch);
    REQUIRE(checkpoint.processes[3].relaunch);
    CHECK(values_of(checkpoint.processes[1].relaunch->env, pid_env) == std::vector<std::string>{"200"});
    CHECK(values_of(checkpoint.processes[3].relaunch->env, pid_env) == std::vector<std::string>{"400"});
    CHECK(values_of(checkpoint.processes[1].relaunch->env, "A") == std::vector<std::string>{"1"});
    // The argv is not the environment's business.
    CHECK(checkpoint.processes[1].relaunch->argv == std::vector<std::string>{"srun", "./step"});
}
