#pragma once
// The job's record in slurmctld, read and changed through the Slurm API that
// every process loading the plugin already carries (libslurmfull). Used on
// the root side only: changing AdminComment and requeueing need an operator.
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace stasis::spank {

struct JobRecord {
    std::string admin_comment;
    std::string cluster;  // ClusterName
    std::optional<std::time_t> end_time;  // none: no time limit
    bool requeue_allowed = false;
    std::uint32_t restart_count = 0;  // times the job was requeued
    bool batch = false;               // the job runs a batch script (sbatch)
    bool running = false;             // RUNNING, not being cancelled, requeued or ended by Slurm
};

JobRecord load_job_record(std::uint32_t job_id);

void set_admin_comment(std::uint32_t job_id, const std::string& admin_comment);

void requeue_job(std::uint32_t job_id);

}  // namespace stasis::spank
