// ROOT/PARTS, the one line by which the job's agent asks its steps' tasks
// for their parts of a generation: what the agent writes, the tasks must
// read back the same, and a line naming no committed generation or no mode
// must be refused, since its name ends up in a path under ROOT.
#include "agent/part_request.hpp"

#include <doctest/doctest.h>

#include <string>

using stasis::agent::parse_part_request;
using stasis::agent::PartRequest;

TEST_CASE("part request: a request to end the job is written as one line and read back the same")
{
    PartRequest request{.generation = "gen-000005", .round = 17, .end_job = true, .why = "why words"};
    CHECK(request.line() == "gen-000005 17 end why words");

    auto parsed = parse_part_request(request.line());
    REQUIRE(parsed);
    CHECK(parsed->generation == "gen-000005");
    CHECK(parsed->round == 17);
    CHECK(parsed->end_job);
    CHECK(parsed->why == "why words");
}

TEST_CASE("part request: a request in a running job says run, and the tasks go on")
{
    PartRequest request{.generation = "gen-000012", .round = 1796016551000000000, .end_job = false, .why = "interval"};
    CHECK(request.line() == "gen-000012 1796016551000000000 run interval");

    auto parsed = parse_part_request(request.line());
    REQUIRE(parsed);
    CHECK(parsed->generation == "gen-000012");
    CHECK_FALSE(parsed->end_job);
    CHECK(parsed->why == "interval");
}

TEST_CASE("part request: the reason is all the rest of the line, its inner spaces kept")
{
    // The tasks log the reason; only the spaces before it are the separator.
    auto parsed = parse_part_request("gen-000005 3 run   preempted by  the scheduler");
    REQUIRE(parsed);
    CHECK(parsed->why == "preempted by  the scheduler");
}

TEST_CASE("part request: a line naming no committed generation is refused")
{
    // The name becomes ROOT/.GEN.parts: anything else could leave ROOT.
    for (const char* line : {"gen-5 1 end why", "../x 1 end why", "", "   ", ".gen-000005.partial 1 end why",
                             "gen-00000x 1 run why", "/gen-000005 1 run why"}) {
        CAPTURE(line);
        CHECK_FALSE(parse_part_request(line));
    }
}

TEST_CASE("part request: a line with a mode other than end or run, none, or no round is refused")
{
    CHECK_FALSE(parse_part_request("gen-000005 1 stop why"));
    CHECK_FALSE(parse_part_request("gen-000005 1 END why"));
    CHECK_FALSE(parse_part_request("gen-000005 1"));
    CHECK_FALSE(parse_part_request("gen-000005 "));
    CHECK_FALSE(parse_part_request("gen-000005 end why"));  // no round
}

TEST_CASE("part request: the parts are staged in ROOT/.GEN.ROUND.parts until the generation is committed")
{
    // A failed generation's name is used again by the next request: its
    // late parts must not land in the new one's staging.
    PartRequest request{.generation = "gen-000005", .round = 9, .end_job = false, .why = "interval"};
    CHECK(request.staging("/spool/job-42") == std::filesystem::path("/spool/job-42/.gen-000005.9.parts"));
}
