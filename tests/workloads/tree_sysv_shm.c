/*
 * tree_sysv_shm: a parent and a child count in SysV shared memory: one
 * segment by key, and one removed with IPC_RMID while attached (so only its
 * id and mapping keep it). The parent prints the counters after waiting for
 * the child, and checks that the ids it kept still name its segments
 * (shmctl IPC_STAT): a restore must give them back with the same ids.
 *
 *   tree_sysv_shm STEPS PAUSE_MS
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

enum { counters_pages = 3, page = 4096 };

int main(int argc, char **argv)
{
    long steps = workload_arg("tree_sysv_shm", argc, argv, 1, 40, 1, 100000);
    long pause_ms = workload_arg("tree_sysv_shm", argc, argv, 2, 50, 0, 10000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int counters_id = shmget(IPC_PRIVATE, counters_pages * page, IPC_CREAT | 0600);
    int removed_id = shmget(IPC_PRIVATE, page, IPC_CREAT | 0600);
    long *counters = shmat(counters_id, NULL, 0);
    long *removed = shmat(removed_id, NULL, 0);
    if (counters_id < 0 || removed_id < 0 || counters == (void *)-1 || removed == (void *)-1) {
        perror("tree_sysv_shm: setup");
        return 1;
    }
    shmctl(removed_id, IPC_RMID, NULL);
    printf("tree_sysv_shm: %ld steps\n", steps);
    pid_t child = fork();
    for (long i = 0; i < steps; i++) {
        if (child == 0) {
            __atomic_add_fetch(&counters[0], 1, __ATOMIC_SEQ_CST);
            counters[page / sizeof(long) + i] = i; /* a page only the child writes */
            removed[i] = 2 * i;
        } else {
            __atomic_add_fetch(&counters[1], 2, __ATOMIC_SEQ_CST);
            printf("step %ld\n", i);
        }
        struct timespec ts = {pause_ms / 1000, (pause_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    if (child == 0)
        return 0;
    int status = 0;
    waitpid(child, &status, 0);
    long written = 0, doubled = 0;
    for (long i = 0; i < steps; i++) {
        written += counters[page / sizeof(long) + i];
        doubled += removed[i];
    }
    struct shmid_ds ds;
    int same_id = shmctl(counters_id, IPC_STAT, &ds) == 0 && ds.shm_segsz == counters_pages * page;
    printf("result child=%ld parent=%ld written=%ld doubled=%ld child_status=%d same_id=%d\n", counters[0],
           counters[1], written, doubled, WEXITSTATUS(status), same_id);
    shmctl(counters_id, IPC_RMID, NULL);
    return 0;
}
