// Which generation a requeued job resumes from, judged from its job record.
#include "resume_choice.hpp"

#include <stasis/restart_metadata.hpp>

#include <doctest/doctest.h>

using stasis::LogLevel;
using stasis::contract::merge_restart_metadata;
using stasis::contract::RestartMetadata;
using stasis::spank::choose_resume;
using stasis::spank::generation_before;
using stasis::spank::JobRecord;

namespace {

const std::filesystem::path root = "/var/spool/stasis/42";

JobRecord requeued(const std::string& admin_comment)
{
    JobRecord record;
    record.restart_count = 1;
    record.admin_comment = admin_comment;
    return record;
}

JobRecord recording(const std::string& path, const std::string& generation)
{
    return requeued(merge_restart_metadata("ticket 7", RestartMetadata{generation, path, "", 0, 1, {}, {}}));
}

}  // namespace

TEST_CASE("resume: a requeued job resumes from the generation its record names")
{
    auto choice = choose_resume(recording(root.string(), "gen-000004"), root);
    CHECK(choice.generation == "gen-000004");
    CHECK(choice.why_not.empty());
}

TEST_CASE("resume: a first start resumes nothing and says nothing")
{
    auto record = recording(root.string(), "gen-000004");
    record.restart_count = 0;
    auto choice = choose_resume(record, root);
    CHECK_FALSE(choice.generation);
    CHECK(choice.why_not.empty());
}

TEST_CASE("resume: a requeued job without a record starts anew, as news")
{
    for (const char* comment : {"", "ticket 7", "stasis:{broken"}) {
        auto choice = choose_resume(requeued(comment), root);
        CHECK_FALSE(choice.generation);
        CHECK(choice.why_not.find("without a recorded checkpoint") != std::string::npos);
        CHECK(choice.severity == LogLevel::info);
    }
}

TEST_CASE("resume: a record that does not fit the job is an error, and not followed")
{
    for (auto record :
         {std::pair{"/var/spool/stasis/43", "gen-000004"}, std::pair{"/var/spool/stasis/42/", "gen-000004"},
          std::pair{"/var/spool/stasis/42", "gen-4"}, std::pair{"/var/spool/stasis/42", "../43/gen-000004"},
          std::pair{"/var/spool/stasis/42", ".gen-000004.partial"},
          std::pair{"/var/spool/stasis/42", "gen-0000000004"}}) {
        // Not a structured binding: CAPTURE takes it into a lambda.
        const char* path = record.first;
        const char* generation = record.second;
        CAPTURE(path);
        CAPTURE(generation);
        auto choice = choose_resume(recording(path, generation), root);
        CHECK_FALSE(choice.generation);
        CHECK(choice.why_not.find("is not in this job's directory") != std::string::npos);
        CHECK(choice.severity == LogLevel::error);
    }
}

TEST_CASE("resume: the name below a generation, for the agent to fall back from")
{
    CHECK(generation_before("gen-000004") == "gen-000003");
    CHECK(generation_before("gen-1000000") == "gen-999999");
    CHECK(generation_before("gen-000001") == "gen-000000");
    CHECK_FALSE(generation_before("gen-000000"));
    CHECK_FALSE(generation_before("gen-4"));
    CHECK_FALSE(generation_before(".gen-000004.partial"));
}
