/*
 * relaunch_step: one step of tree_relaunch.sh, a program a checkpoint
 * cannot hold (it keeps a netlink socket open, as a scheduler's client keeps
 * connections to other hosts) and that is therefore started anew by the
 * restore (stasis dump --relaunch).
 *
 *   relaunch_step STEP
 *
 * Like srun, it keeps a helper child (which ends when the step does). Works
 * for about half a second (on a 2-core test machine), then prints one line
 * naming its step, the STEP_TAG of its environment and a value that depends
 * only on STEP. Started anew, it must get the same arguments and
 * environment, start a helper of its own (the old one is not restored), and
 * print its line once, so the output equals an uninterrupted run's.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload_args.h"

int main(int argc, char **argv)
{
    long step = workload_arg("relaunch_step", argc, argv, 1, 1, 1, 1000000);
    if (socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE) < 0) {
        perror("relaunch_step: socket");
        return 1;
    }
    int ends[2];
    if (pipe(ends) < 0) {
        perror("relaunch_step: pipe");
        return 1;
    }
    pid_t helper = fork();
    if (helper == 0) {
        char c;
        close(ends[1]);
        while (read(ends[0], &c, 1) > 0) {
        }
        _exit(0);  /* the step ended: EOF */
    }
    close(ends[0]);
    uint64_t x = (uint64_t)step * 0x9e3779b97f4a7c15ULL;
    for (long i = 0; i < 250000000; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const char *tag = getenv("STEP_TAG");
    printf("step %ld tag=%s value=%016" PRIx64 "\n", step, tag ? tag : "(none)", x);
    close(ends[1]);
    return helper > 0 && waitpid(helper, NULL, 0) == helper ? 0 : 1;
}
