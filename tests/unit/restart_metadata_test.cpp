#include <stasis/restart_metadata.hpp>

#include <doctest/doctest.h>

using stasis::contract::find_restart_metadata;
using stasis::contract::merge_restart_metadata;
using stasis::contract::RestartMetadata;
using stasis::contract::StepRecord;
using stasis::contract::steps_of_parts;

namespace {

RestartMetadata sample(const std::string& generation)
{
    return RestartMetadata{generation, "/var/spool/stasis/42", "2026-11-25T18:00:00Z", 12345, 1, {}, {}};
}

}  // namespace

TEST_CASE("restart metadata: an empty AdminComment gets the entry alone")
{
    auto text = merge_restart_metadata("", sample("gen-000001"));
    CHECK(text ==
          R"(stasis:{"bytes":12345,"gen":"gen-000001","nodes":1,"path":"/var/spool/stasis/42","time":"2026-11-25T18:00:00Z"})");
    auto found = find_restart_metadata(text);
    REQUIRE(found);
    CHECK(found->generation == "gen-000001");
    CHECK(found->path == "/var/spool/stasis/42");
    CHECK(found->bytes == 12345);
}

TEST_CASE("restart metadata: other content is kept, before and after the entry")
{
    auto first = merge_restart_metadata("ticket 881", sample("gen-000001"));
    CHECK(first.starts_with("ticket 881 stasis:{"));
    auto with_tail = first + " reviewed";
    auto second = merge_restart_metadata(with_tail, sample("gen-000002"));
    CHECK(second.starts_with("ticket 881 reviewed stasis:{"));
    CHECK(second.find("gen-000001") == std::string::npos);
    CHECK(find_restart_metadata(second)->generation == "gen-000002");
}

TEST_CASE("restart metadata: malformed or foreign entries are not trusted")
{
    CHECK_FALSE(find_restart_metadata("nothing here"));
    CHECK_FALSE(find_restart_metadata("stasis:{broken"));
    CHECK_FALSE(find_restart_metadata(R"(stasis:{"path":"/x"})"));
    CHECK_FALSE(find_restart_metadata(R"(notstasis:{"gen":"gen-000001","path":"/x"})"));
    CHECK_FALSE(find_restart_metadata(R"(stasis:["gen-000001"])"));
}

TEST_CASE("restart metadata: a broken tag before the real entry does not hide it")
{
    auto text = "stasis:oops " + merge_restart_metadata("", sample("gen-000007"));
    REQUIRE(find_restart_metadata(text));
    CHECK(find_restart_metadata(text)->generation == "gen-000007");
}

TEST_CASE("restart metadata: the steps of a generation's parts, by launcher, nodes in rank order")
{
    auto parts = nlohmann::json::parse(R"({"parts": [
        {"launcher": 700, "rank": 1, "step": "3", "host": "node2"},
        {"launcher": 700, "rank": 0, "step": "3", "host": "node1"},
        {"launcher": 700, "rank": 2, "step": "3", "host": "node1"},
        {"launcher": 812, "rank": 0, "step": "4", "host": "node3"}]})");
    auto steps = steps_of_parts(parts);
    REQUIRE(steps.size() == 2);
    CHECK(steps[0] == StepRecord{"3", 3, {"node1", "node2"}});
    CHECK(steps[1] == StepRecord{"4", 1, {"node3"}});
    CHECK_THROWS_AS(steps_of_parts(nlohmann::json::parse(R"({"parts": [{"rank": 0}]})")), nlohmann::json::exception);
}

TEST_CASE("restart metadata: the steps and the node count go into AdminComment and come back")
{
    auto metadata = sample("gen-000009");
    metadata.nodes = 3;
    metadata.steps = {StepRecord{"1", 4, {"node1", "node2", "node3"}}};
    auto found = find_restart_metadata(merge_restart_metadata("", metadata));
    REQUIRE(found);
    CHECK(found->nodes == 3);
    REQUIRE(found->steps.size() == 1);
    CHECK(found->steps[0] == metadata.steps[0]);
    CHECK(find_restart_metadata(merge_restart_metadata("", sample("gen-000001")))->steps.empty());
}

TEST_CASE("restart metadata: the job's name goes into AdminComment and comes back")
{
    auto metadata = sample("gen-000002");
    metadata.job = "slurm:hpc1:42:uid=1001:start=2026-11-30T05:00:00Z";
    CHECK(find_restart_metadata(merge_restart_metadata("", metadata))->job == metadata.job);
    CHECK(find_restart_metadata(merge_restart_metadata("", sample("gen-000001")))->job.empty());
}
