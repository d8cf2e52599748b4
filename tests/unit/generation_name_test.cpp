// The contract's generation names: what the engine writes and the plugin
// accepts from a job record or LATEST.
#include <stasis/generation_name.hpp>

#include <doctest/doctest.h>

using stasis::contract::generation_name;
using stasis::contract::is_committed_generation_name;
using stasis::contract::parse_generation_name;

TEST_CASE("generation names: six digits at least, as written")
{
    CHECK(generation_name(1) == "gen-000001");
    CHECK(generation_name(42) == "gen-000042");
    CHECK(generation_name(1234567) == "gen-1234567");
    CHECK(generation_name(999999999) == "gen-999999999");
}

TEST_CASE("generation names: six to nine digits are read back")
{
    for (unsigned number : {1U, 42U, 999999U, 1000000U, 999999999U}) {
        auto parsed = parse_generation_name(generation_name(number));
        REQUIRE(parsed);
        CHECK(parsed->number == number);
        CHECK_FALSE(parsed->partial);
    }
    CHECK(parse_generation_name("gen-000000")->number == 0);
    CHECK(parse_generation_name("gen-000000001")->number == 1);
}

TEST_CASE("generation names: anything else is refused")
{
    for (const char* name : {"gen-1", "gen-12345", "gen-0000000000", "gen-9999999999", "gen-00000a", "gen-",
                             "gen-+00001", "gen- 00001", "gen-000001 ", " gen-000001", "gen-000001/", "GEN-000001",
                             "gen_000001", "000001", "", "../gen-000001", ".gen-000001", "gen-000001.partial"}) {
        CAPTURE(name);
        CHECK_FALSE(parse_generation_name(name));
        CHECK_FALSE(is_committed_generation_name(name));
    }
}

TEST_CASE("generation names: the partial form is recognised, but never as committed")
{
    auto parsed = parse_generation_name(".gen-000042.partial");
    REQUIRE(parsed);
    CHECK(parsed->number == 42);
    CHECK(parsed->partial);
    CHECK_FALSE(is_committed_generation_name(".gen-000042.partial"));
    CHECK(is_committed_generation_name("gen-000042"));
    for (const char* name : {".gen-1.partial", ".gen-000042.partia", "gen-000042.partial.", "..gen-000042.partial",
                             ".gen-0000000042.partial", ".partial"}) {
        CAPTURE(name);
        CHECK_FALSE(parse_generation_name(name));
    }
}
