#pragma once
// The generations of one job under ROOT (docs/run.md, DESIGN "Image store"):
//   ROOT/gen-000001/ ...            committed generations
//   ROOT/.gen-000003.partial/       being written (or left by a crash)
//   ROOT/LATEST                     name of the newest committed generation
// Writing a generation itself is stasis::dump's commit protocol; this class
// names them, publishes LATEST and retires old ones. The names and files are
// the contract with the scheduler glue (contract/include/stasis/root_layout.hpp).
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace stasis {

struct GenerationEntry {
    unsigned number = 0;
    std::string name;  // "gen-000001" (also for a partial one)
    std::filesystem::path dir;
    bool partial = false;
    // No longer a generation, only the data later ones borrow (prune):
    // never listed as committed, never resumed.
    bool retired = false;

    [[nodiscard]] bool committed() const { return !partial && !retired; }
};

class GenerationStore {
public:
    // Throws Error when root is not an existing directory.
    static GenerationStore open(std::filesystem::path root);
    static GenerationStore open_or_create(std::filesystem::path root);

    [[nodiscard]] const std::filesystem::path& root() const { return root_; }

    // Committed, retired and partial generations, oldest first (a partial
    // one before a committed one of the same number).
    [[nodiscard]] std::vector<GenerationEntry> scan() const;

    // The directory for the next generation: one number above every
    // generation present, committed or not, so nothing is reused.
    [[nodiscard]] std::filesystem::path next_dir() const;

    // The generation LATEST names, if it holds a plausible name.
    [[nodiscard]] std::optional<std::string> latest() const;

    // Replaces LATEST atomically (write, fsync, rename, fsync ROOT).
    void set_latest(const std::string& name) const;

    // A job that ended by itself is done: its checkpoints must never be
    // resumed. FINISHED records that (and how it ended) until the next
    // `stasis run` on this ROOT, which starts anew and forgets them.
    void mark_finished(const std::string& how) const;
    [[nodiscard]] bool finished() const;
    // Removes every committed generation, LATEST and FINISHED: a job
    // started anew must never be resumed from its predecessor's.
    void forget_generations() const;

    // Requests to the job's agent, which may run on another node: files in
    // ROOT named in contract/root_layout.hpp (STOP from a step of the job,
    // CHECKPOINT from `stasis checkpoint`), holding who asks and why on one
    // line. Posting is atomic; a request stays until it is cleared.
    void post_request(const char* name, const std::string& why) const;
    [[nodiscard]] std::optional<std::string> request(const char* name) const;
    void clear_request(const char* name) const;

    // ROOT/COMMAND: the command line of the job's latest run.
    void record_command(const std::vector<std::string>& command) const;
    [[nodiscard]] std::optional<std::vector<std::string>> recorded_command() const;

    // Removes the committed generation name (renamed to its partial name
    // first, so that a crash half-way never leaves it looking committed).
    void remove(const std::string& name) const;

    // Removes every generation older than the newest `keep` committed ones
    // (skipping those in `unusable`, which do not count as kept), and every
    // partial one older than the newest committed: a crash left those.
    // keep is at least 1. An older generation whose chunks a remaining one
    // borrows is retired instead: its manifest goes, so it is no longer a
    // generation, and only the borrowed bytes of its data files stay, until
    // no remaining generation borrows them.
    void prune(unsigned keep, const std::vector<std::string>& unusable = {}) const;

private:
    explicit GenerationStore(std::filesystem::path root) : root_(std::move(root)) {}
    // Replaces ROOT/name atomically (write, fsync, rename, fsync ROOT).
    void replace_file(const char* name, const std::string& text) const;

    std::filesystem::path root_;
};

// `stasis list ROOT [--json]`: each generation with its time, size and status
// (committed, partial, corrupt), LATEST marked; the JSON document is stable
// (docs/run.md).
void print_generations(const GenerationStore& store, bool json, std::ostream& out);

}  // namespace stasis
