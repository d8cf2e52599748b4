// The one duration parser: Slurm's time formats and 30s/10m/2h/1d.
#include "stasis/config_error.hpp"
#include "stasis/duration.hpp"

#include <doctest/doctest.h>

#include <string>

using stasis::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("durations with a unit")
{
    CHECK(parse_duration("30s") == 30s);
    CHECK(parse_duration("10m") == 10min);
    CHECK(parse_duration("2h") == 2h);
    CHECK(parse_duration("1d") == 24h);
    CHECK(parse_duration("0s") == 0s);
    CHECK(parse_duration("90m") == 90min);
}

TEST_CASE("Slurm's formats without days: a bare number is minutes")
{
    CHECK(parse_duration("5") == 5min);
    CHECK(parse_duration("0") == 0s);
    CHECK(parse_duration("5:30") == 5min + 30s);
    CHECK(parse_duration("1:02:03") == 1h + 2min + 3s);
    CHECK(parse_duration("007") == 7min);
}

TEST_CASE("Slurm's formats with days")
{
    CHECK(parse_duration("2-0") == 48h);
    CHECK(parse_duration("1-2") == 26h);
    CHECK(parse_duration("1-2:30") == 26h + 30min);
    CHECK(parse_duration("1-2:30:15") == 26h + 30min + 15s);
}

TEST_CASE("fields beyond their usual range are taken as Slurm takes them")
{
    CHECK(parse_duration("0:90") == 90s);
    CHECK(parse_duration("1:75:00") == 2h + 15min);
    CHECK(parse_duration("1-30") == 54h);
}

TEST_CASE("bad durations are refused with a message naming the value")
{
    for (std::string bad : {"", " ", "5x", "x", "s", "m", "-5", "5-", "1-2-3", "1:2:3:4", "1-1:2:3:4", ":5", "5:",
                            "1::2", "1.5h", "1.5", "+5", " 5", "5 ", "5m30s", "10 m", "1h30", "-1", "infinite",
                            "99999999999999999999", "999999999999999999d", "1--2", "d", "5S"}) {
        CAPTURE(bad);
        try {
            parse_duration(bad);
            FAIL("accepted");
        } catch (const stasis::ConfigError& e) {
            std::string what = e.what();
            CHECK(what.find("\"" + bad + "\"") != std::string::npos);
            CHECK(what.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("try_parse_duration gives nothing where parse_duration throws")
{
    CHECK(stasis::try_parse_duration("1-2:30") == 26h + 30min);
    CHECK_FALSE(stasis::try_parse_duration("5x").has_value());
    CHECK_FALSE(stasis::try_parse_duration("").has_value());
}

TEST_CASE("the largest values do not overflow")
{
    CHECK(parse_duration("999999999s") == std::chrono::seconds(999999999));
    CHECK(parse_duration("100000-23:59:59") == std::chrono::seconds(100000LL * 86400 + 86399));
}

TEST_CASE("durations are shown in their largest whole unit")
{
    using stasis::format_duration;
    CHECK(format_duration(0s) == "0s");
    CHECK(format_duration(45s) == "45s");
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(30min) == "30m");
    CHECK(format_duration(2h) == "2h");
    CHECK(format_duration(48h) == "2d");
    CHECK(format_duration(parse_duration("1-2:30")) == "1590m");
}
