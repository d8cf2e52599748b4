/* ptrace_holder: another tracer, for the tests of what stasis says about a
 * process it cannot stop. Seizes PID and stops it (PTRACE_SEIZE +
 * PTRACE_INTERRUPT), prints "holding PID", and holds it until SIGTERM, then
 * lets it go (PTRACE_DETACH) and exits 0.
 *
 * usage: ptrace_holder PID
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "workload_args.h"

int main(int argc, char **argv)
{
    pid_t pid = (pid_t)workload_arg("ptrace_holder", argc, argv, 1, 0, 1, 4194304L);
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    int status = 0;
    if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0 || ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 ||
        waitpid(pid, &status, __WALL) != pid) {
        perror("ptrace_holder");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("holding %d\n", (int)pid);
    int sig = 0;
    sigwait(&term, &sig);
    if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0) {
        perror("ptrace_holder: detach");
        return 1;
    }
    return 0;
}
