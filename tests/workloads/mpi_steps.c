/* mpi_steps: a small MPI job for the checkpoint tests, run with
 * `mpirun -np N mpi_steps [STEPS [SLEEP_MS [WORDS]]]`.
 *
 * Each step, every rank passes a buffer of WORDS (default 4096) 64-bit words
 * to the next rank in a ring (MPI_Sendrecv: Open MPI's shared-memory
 * transport on one node), folds what it received into a checksum, and all
 * ranks then sum their checksums with MPI_Allreduce (a collective). Rank 0
 * prints "step N sum S" and, at the end, "result ...". Every rank checks
 * after each step, as a careful program does after a restore, that its pid
 * is the one it started with, and that the rank it got the buffer from is
 * the one it expects. Output depends only on the arguments and N.
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "workload_args.h"

static void die(int rank, const char *what, long step)
{
    fprintf(stderr, "mpi_steps: rank %d: %s at step %ld\n", rank, what, step);
    MPI_Abort(MPI_COMM_WORLD, 111);
}

static void fill(uint64_t *buf, long words, int rank, long step)
{
    uint64_t x = (uint64_t)rank * 0x9e3779b97f4a7c15ULL + (uint64_t)step;
    for (long i = 0; i < words; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = x;
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    long steps = workload_arg("mpi_steps", argc, argv, 1, 300, 1, 1000000);
    long sleep_ms = workload_arg("mpi_steps", argc, argv, 2, 20, 0, 10000);
    long words = workload_arg("mpi_steps", argc, argv, 3, 4096, 1, 1 << 24);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    pid_t pid = getpid();
    uint64_t *out = malloc((size_t)words * sizeof(uint64_t));
    uint64_t *in = malloc((size_t)words * sizeof(uint64_t));
    if (out == NULL || in == NULL)
        die(rank, "out of memory", 0);
    int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    uint64_t total = 0;
    for (long step = 1; step <= steps; step++) {
        fill(out, words, rank, step);
        MPI_Status status;
        MPI_Sendrecv(out, (int)words, MPI_UINT64_T, next, (int)(step % 32768), in, (int)words, MPI_UINT64_T, prev,
                     (int)(step % 32768), MPI_COMM_WORLD, &status);
        if (status.MPI_SOURCE != prev)
            die(rank, "the ring's buffer came from the wrong rank", step);
        uint64_t mine = 0;
        for (long i = 0; i < words; i++)
            mine = (mine ^ in[i]) * 0x100000001b3ULL;
        mine %= 1000003;
        uint64_t sum = 0;
        MPI_Allreduce(&mine, &sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
        total = total * 31 + sum;
        if (getpid() != pid)
            die(rank, "getpid() changed", step);
        if (rank == 0) {
            printf("step %ld sum %" PRIu64 "\n", step, sum);
            fflush(stdout);
        }
        struct timespec ts = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
    if (rank == 0)
        printf("result ranks=%d steps=%ld total=%" PRIu64 "\n", size, steps, total);
    free(in);
    free(out);
    MPI_Finalize();
    return 0;
}
