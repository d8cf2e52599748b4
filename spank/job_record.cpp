#include "job_record.hpp"

#include "plugin_error.hpp"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include <memory>

namespace stasis::spank {

namespace {

struct JobInfoFree {
    void operator()(job_info_msg_t* msg) const { slurm_free_job_info_msg(msg); }
};

[[noreturn]] void fail(const std::string& what, std::uint32_t job_id)
{
    throw PluginError(what + " of job " + std::to_string(job_id) + ": " + slurm_strerror(slurm_get_errno()));
}

}  // namespace

JobRecord load_job_record(std::uint32_t job_id)
{
    job_info_msg_t* raw = nullptr;
    if (slurm_load_job(&raw, job_id, SHOW_ALL) != SLURM_SUCCESS) {
        fail("cannot read the record", job_id);
    }
    std::unique_ptr<job_info_msg_t, JobInfoFree> msg(raw);
    if (msg->record_count < 1) {
        throw PluginError("slurmctld has no record of job " + std::to_string(job_id));
    }
    const auto& info = msg->job_array[0];
    JobRecord record;
    record.admin_comment = info.admin_comment ? info.admin_comment : "";
    record.cluster = info.cluster ? info.cluster : "";
    if (info.time_limit != INFINITE && info.time_limit != NO_VAL && info.end_time > 0) {
        record.end_time = info.end_time;
    }
    record.requeue_allowed = info.requeue != 0;
    record.restart_count = info.restart_cnt;
    record.batch = info.batch_flag != 0;
    record.running = (info.job_state & JOB_STATE_BASE) == JOB_RUNNING;
    return record;
}

void set_admin_comment(std::uint32_t job_id, const std::string& admin_comment)
{
    job_desc_msg_t update;
    slurm_init_job_desc_msg(&update);
    update.job_id = job_id;
    std::string text = admin_comment;
    update.admin_comment = text.data();
    if (slurm_update_job(&update) != SLURM_SUCCESS) {
        fail("cannot update AdminComment", job_id);
    }
}

void requeue_job(std::uint32_t job_id)
{
    if (slurm_requeue(job_id, 0) != SLURM_SUCCESS) {
        fail("cannot requeue", job_id);
    }
}

}  // namespace stasis::spank
