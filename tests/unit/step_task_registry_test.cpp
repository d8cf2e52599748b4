// ROOT/tasks/: the tasks of the job's other steps register there while they
// run, and the job's agent asks only those launched by its own processes.
// An entry it cannot trust (unreadable, or named for another task) is
// skipped rather than asked for a part it would write under the wrong name.
#include "agent/step_task_registry.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <stasis/step_parts.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using stasis::agent::clear_registered_tasks;
using stasis::agent::registered_tasks;
using stasis::agent::StepTask;
using stasis::agent::StepTaskRegistration;
using stasis::contract::part_name;
using stasis::test::TempDir;

namespace {

StepTask task_of(pid_t launcher, unsigned rank)
{
    return {.part = part_name(launcher, rank),
            .launcher = launcher,
            .rank = rank,
            .host = "node7",
            .agent = 4321,
            .step = "17.0"};
}

std::vector<std::string> parts(const std::vector<StepTask>& tasks)
{
    std::vector<std::string> out;
    for (const auto& task : tasks) {
        out.push_back(task.part);
    }
    return out;
}

}  // namespace

TEST_CASE("step tasks: a task is registered in ROOT/tasks/PART for as long as its registration lives")
{
    TempDir root;
    const auto file = root.path() / "tasks" / "launcher-1234.task-3";
    {
        StepTaskRegistration registration(root.path(), task_of(1234, 3));
        CHECK(registration.task().part == "launcher-1234.task-3");
        CHECK(fs::is_regular_file(file));

        // What it wrote is what the job's agent reads back.
        auto tasks = registered_tasks(root.path(), {1234});
        REQUIRE(tasks.size() == 1);
        CHECK(tasks[0].part == "launcher-1234.task-3");
        CHECK(tasks[0].launcher == 1234);
        CHECK(tasks[0].rank == 3);
        CHECK(tasks[0].host == "node7");
        CHECK(tasks[0].agent == 4321);
        CHECK(tasks[0].step == "17.0");
    }
    // The task ended: the agent must not ask it for a part.
    CHECK_FALSE(fs::exists(file));
    CHECK(registered_tasks(root.path(), {1234}).empty());
}

TEST_CASE("step tasks: only tasks launched by one of the given launchers are asked, sorted by part")
{
    TempDir root;
    // Registered out of order, so that the order read back is the sort's.
    StepTaskRegistration b(root.path(), task_of(1234, 1));
    StepTaskRegistration a(root.path(), task_of(1234, 0));
    StepTaskRegistration other_job(root.path(), task_of(99, 0));
    StepTaskRegistration second_launcher(root.path(), task_of(2000, 2));

    CHECK(parts(registered_tasks(root.path(), {1234})) ==
          std::vector<std::string>{"launcher-1234.task-0", "launcher-1234.task-1"});
    CHECK(parts(registered_tasks(root.path(), {1234, 2000})) ==
          std::vector<std::string>{"launcher-1234.task-0", "launcher-1234.task-1", "launcher-2000.task-2"});
    CHECK(registered_tasks(root.path(), {}).empty());
    CHECK(registered_tasks(root.path(), {5}).empty());
}

TEST_CASE("step tasks: a garbage entry, and one not named for its launcher and rank, are skipped")
{
    TempDir root;
    StepTaskRegistration good(root.path(), task_of(1234, 0));
    // Half written, or not a registration at all.
    root.write("tasks/launcher-1234.task-1", "not json\n");
    // Missing a field.
    root.write("tasks/launcher-1234.task-2", R"({"launcher": 1234, "rank": 2, "host": "node7"})"
                                             "\n");
    // Well formed, but its name says rank 7 while it holds rank 5: a part
    // written under that name would be restored into the wrong task.
    root.write("tasks/launcher-1234.task-7", R"({"launcher": 1234, "rank": 5, "host": "node7", "agent": 1})"
                                             "\n");
    REQUIRE(fs::exists(root.path() / "tasks" / "launcher-1234.task-7"));

    CHECK(parts(registered_tasks(root.path(), {1234})) == std::vector<std::string>{"launcher-1234.task-0"});
}

TEST_CASE("step tasks: an entry without a step, as older agents wrote it, is read with no step")
{
    TempDir root;
    REQUIRE(fs::create_directories(root.path() / "tasks"));
    root.write("tasks/launcher-1234.task-0", R"({"launcher": 1234, "rank": 0, "host": "node3", "agent": 77})"
                                             "\n");
    auto tasks = registered_tasks(root.path(), {1234});
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].host == "node3");
    CHECK(tasks[0].agent == 77);
    CHECK(tasks[0].step.empty());
}

TEST_CASE("step tasks: no ROOT/tasks at all means no task")
{
    TempDir root;
    CHECK(registered_tasks(root.path(), {1234}).empty());
    CHECK(registered_tasks(root.path() / "missing", {1234}).empty());
}

TEST_CASE("step tasks: clearing forgets every registration, and a registration ending later is harmless")
{
    TempDir root;
    {
        StepTaskRegistration a(root.path(), task_of(1234, 0));
        StepTaskRegistration b(root.path(), task_of(1234, 1));
        root.write("tasks/launcher-1234.task-9", "not json\n");
        REQUIRE(registered_tasks(root.path(), {1234}).size() == 2);

        clear_registered_tasks(root.path());
        CHECK_FALSE(fs::exists(root.path() / "tasks"));
        CHECK(registered_tasks(root.path(), {1234}).empty());
    }
    // The registrations' own removal found nothing to remove.
    CHECK_FALSE(fs::exists(root.path() / "tasks"));
    // Clearing what is not there is no error either.
    clear_registered_tasks(root.path());
    CHECK(fs::exists(root.path()));
}
