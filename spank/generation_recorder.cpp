#include "generation_recorder.hpp"

#include "job_record.hpp"
#include "slurm_log.hpp"
#include "utc_time.hpp"

#include <stasis/restart_metadata.hpp>
#include <stasis/root_layout.hpp>
#include <stasis/step_parts.hpp>

#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <set>

namespace stasis::spank {

namespace {

std::uint64_t bytes_on_disk(const std::filesystem::path& dir)
{
    std::uint64_t total = 0;
    // With its parts, in their directories.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            total += entry.file_size();
        }
    }
    return total;
}

std::string this_node()
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

}  // namespace

// The generation's steps and node count, from its list of parts (the
// user's file, read with the care LATEST is).
void GenerationRecorder::add_parts(contract::RestartMetadata& metadata, const std::filesystem::path& generation) const
{
    constexpr std::size_t parts_list_limit = 4 << 20;
    std::set<std::string> nodes = {this_node()};
    if (auto text = contract::read_user_file(generation / contract::parts_list_file, parts_list_limit)) {
        try {
            metadata.steps = contract::steps_of_parts(nlohmann::json::parse(*text));
        } catch (const nlohmann::json::exception& e) {
            log_.error("{}: the list of parts is unreadable: {}", (generation / contract::parts_list_file).string(),
                       e.what());
        }
    }
    for (const auto& step : metadata.steps) {
        nodes.insert(step.nodes.begin(), step.nodes.end());
    }
    metadata.nodes = static_cast<std::uint32_t>(nodes.size());
}

GenerationRecorder::GenerationRecorder(JobLog log, std::filesystem::path root, std::string job)
    : log_(log), root_(std::move(root)), job_(std::move(job))
{
}

void GenerationRecorder::start(std::chrono::milliseconds poll_interval)
{
    thread_ = std::jthread([this, poll_interval](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        // wait_for returns the predicate's value, false both on a timeout
        // and on a stop request: the token itself tells them apart.
        while (!stop.stop_requested()) {
            wake.wait_for(lock, stop, poll_interval, [] { return false; });
            if (!stop.stop_requested()) {
                record_latest();
            }
        }
    });
}

void GenerationRecorder::finish()
{
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    record_latest();
}

// Failures are logged and tried again at the next look: the job runs on and
// the record keeps the last generation it could name.
void GenerationRecorder::record_latest()
{
    try {
        auto latest = contract::read_latest(root_);
        if (!latest || *latest == recorded_) {
            return;
        }
        contract::RestartMetadata metadata{*latest, root_.string(), utc_text(std::chrono::system_clock::now()), bytes_on_disk(root_ / *latest), 1, {}, job_};
        add_parts(metadata, root_ / *latest);
        auto record = load_job_record(log_.job_id());
        set_admin_comment(log_.job_id(), contract::merge_restart_metadata(record.admin_comment, metadata));
        recorded_ = *latest;
        log_.info("{} committed in {} ({} bytes, {} node(s)); recorded in AdminComment", *latest, root_.string(),
                  metadata.bytes, metadata.nodes);
    } catch (const std::exception& e) {
        log_.error("cannot record the newest checkpoint: {}", e.what());
    }
}

}  // namespace stasis::spank
