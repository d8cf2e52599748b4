#include "agent/parts_round.hpp"

#include "agent/run_log.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/proc.hpp"
#include "image/generation.hpp"

#include <stasis/step_parts.hpp>

#include <fcntl.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace stasis::agent {

namespace fs = std::filesystem;

namespace {

constexpr auto answer_poll = std::chrono::milliseconds(50);

// "task 1 of step 3 on node2"
std::string describe(const StepTask& task)
{
    auto step = task.step.empty() ? "the step launched by pid " + std::to_string(task.launcher) : "step " + task.step;
    return "task " + std::to_string(task.rank) + " of " + step + " on " + task.host;
}

double read_frozen_at(const fs::path& part)
{
    std::ifstream in(part / contract::part_facts_file);
    return nlohmann::json::parse(in).at("frozen_at").get<double>();
}

}  // namespace

PartsRound::PartsRound(const GenerationStore& store, PartRequest request, std::vector<StepTask> tasks)
    : store_(store), request_(std::move(request)), tasks_(std::move(tasks)), staging_(request_.staging(store.root()))
{
    std::error_code ec;
    fs::remove_all(staging_, ec);  // left by a crash
    image::make_private_dirs(staging_);
    store_.post_request(contract::parts_request_file, request_.line());
}

PartsRound::~PartsRound()
{
    try {
        store_.clear_request(contract::parts_request_file);
    } catch (const std::exception& e) {
        run_log().error("cannot tell the steps' tasks that {} is done: {}; they wait for it a while", request_.generation,
                        e.what());
    }
    if (!moved_) {
        std::error_code ec;
        fs::remove_all(staging_, ec);
    }
}

std::optional<std::string> PartsRound::failure_of(const StepTask& task) const
{
    std::ifstream in(request_.failure_file(store_.root(), task.part));
    std::string why;
    if (!in || !std::getline(in, why)) {
        return std::nullopt;
    }
    return why;
}

bool PartsRound::committed(const StepTask& task) const
{
    return fs::exists(staging_ / task.part / "manifest.json");
}

// A task that ended meanwhile (its agent unregistered it) has no part to
// give: the generation goes without it, and a resume starts its step anew.
bool PartsRound::ended(const StepTask& task) const
{
    std::error_code ec;
    return !committed(task) && !fs::exists(store_.root() / contract::step_tasks_dir / task.part, ec);
}

void PartsRound::wait(std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        // A failed part fails the generation even when its task ended since.
        for (const auto& task : tasks_) {
            if (auto why = failure_of(task)) {
                throw Error("the part of " + describe(task) + " failed: " + why.value());
            }
        }
        std::erase_if(tasks_, [this](const StepTask& task) { return ended(task); });
        const StepTask* waiting = nullptr;
        std::size_t count = 0;
        for (const auto& task : tasks_) {
            if (!committed(task)) {
                waiting = waiting ? waiting : &task;
                ++count;
            }
        }
        if (count == 0) {
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw Error(describe(*waiting) + " (and " + std::to_string(count - 1) +
                        " other task(s)) wrote no part within " + std::to_string(limit.count()) + " s");
        }
        std::this_thread::sleep_for(answer_poll);
    }
    if (tasks_.empty()) {
        return;
    }
    frozen_at_.clear();
    for (const auto& task : tasks_) {
        frozen_at_.push_back(read_frozen_at(staging_ / task.part));
    }
    auto [first, last] = std::minmax_element(frozen_at_.begin(), frozen_at_.end());
    spread_ = *last - *first;
}

void PartsRound::move_into(const fs::path& staging)
{
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
        const auto& task = tasks_[i];
        list.push_back({{"part", task.part}, {"launcher", task.launcher}, {"rank", task.rank}, {"step", task.step}, {"host", task.host},
                        {"frozen_at", frozen_at_.at(i)}});
    }
    nlohmann::json facts = {{"parts", list}, {"freeze_spread_seconds", spread_}};
    write_file_atomically(staging / contract::parts_list_file, facts.dump(2) + "\n");
    auto target = staging / contract::parts_dir;
    if (::rename(staging_.c_str(), target.c_str()) < 0) {
        throw sys_error("cannot move the parts into " + target.string());
    }
    moved_ = true;
    fsync_path(staging, O_RDONLY | O_DIRECTORY);
    fsync_path(store_.root(), O_RDONLY | O_DIRECTORY);
}

void forget_unfinished_parts(const GenerationStore& store)
{
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(store.root(), ec)) {
        auto name = e.path().filename().string();
        if (name.starts_with(".gen-") && name.ends_with(".parts")) {
            fs::remove_all(e.path(), ec);
        }
    }
}

std::vector<StepTask> tasks_of_job(const GenerationStore& store, const JobTracer& tracer)
{
    // A launcher names itself by its pid in its own PID namespace (the job
    // resumed runs in one of its own).
    std::set<pid_t> launchers;
    for (pid_t pid : tracer.processes()) {
        try {
            launchers.insert(proc::innermost_id(proc::status_field(pid, "NSpid")));
        } catch (const std::exception&) {
            continue;  // ended meanwhile
        }
    }
    return registered_tasks(store.root(), launchers);
}

}  // namespace stasis::agent
