/*
 * step_launcher: stands in for Slurm's srun in the agent's tests. It asks
 * a harness outside the job (the test, in slurmstepd's role) to start the
 * one task of a step, and waits for the task to end.
 *
 *   step_launcher SPOOL
 *
 * Writes SPOOL/launch.PID (PID: its own pid, as the job's processes see
 * it) holding "PID" and, when it was started anew by a restore, a second
 * line "resume DIR": its task's part in the image it was relaunched from
 * ($STASIS_RELAUNCH_IMAGE/parts/launcher-$STASIS_RELAUNCH_PID.task-0).
 * Then waits for SPOOL/done.PID and exits with the status written there.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void write_request(const char *spool, long pid)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/.launch.%ld", spool, pid);
    snprintf(path, sizeof path, "%s/launch.%ld", spool, pid);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        perror(tmp);
        exit(2);
    }
    fprintf(f, "%ld\n", pid);
    const char *image = getenv("STASIS_RELAUNCH_IMAGE");
    const char *old = getenv("STASIS_RELAUNCH_PID");
    if (image && old) {
        fprintf(f, "resume %s/parts/launcher-%s.task-0\n", image, old);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        perror(path);
        exit(2);
    }
}

static int wait_done(const char *spool, long pid)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/done.%ld", spool, pid);
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    for (;;) {
        FILE *f = fopen(path, "r");
        if (f) {
            int status = 1;
            if (fscanf(f, "%d", &status) != 1) {
                status = 1;
            }
            fclose(f);
            return status;
        }
        nanosleep(&pause, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: step_launcher SPOOL\n");
        return 2;
    }
    long pid = (long)getpid();
    write_request(argv[1], pid);
    return wait_done(argv[1], pid);
}
