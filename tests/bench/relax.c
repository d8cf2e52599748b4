/* relax: the memory of a real numerical kernel, for the compressible-dump
 * benchmark.
 *
 * usage: relax [--write-to FILE] GIB SWEEPS
 *
 * Heat diffusion on a square plate of N x N cells (explicit Jacobi steps of
 * du/dt = k lap(u) + q), its GIB GiB of memory in four float arrays as a
 * finite-difference code holds them:
 *   u, v  temperature now and next (kelvin, a smooth field near 293 K with
 *         every mantissa bit in use after a few steps),
 *   k     each cell's diffusivity: three material layers with copper
 *         inclusions (a few distinct values, long runs),
 *   q     heat sources: a few Gaussian heaters, zero elsewhere.
 * It runs SWEEPS steps, times one read of its memory ("mem-read BYTES
 * SECONDS"), prints "ready GIB GiB pid PID N=N SWEEPS sweeps in S s" and
 * sleeps until killed: the state a checkpoint of such a job finds between
 * two steps. On SIGUSR2 (with --write-to) it writes the whole of its memory
 * to FILE with write(2) and fdatasync and prints "raw-write BYTES SECONDS".
 */
#include "bench_common.h"

#include <inttypes.h>
#include <math.h>

int main(int argc, char **argv)
{
    int a = 1;
    const char *write_to = bench_write_to(argc, argv, &a);
    if (argc - a != 2) {
        fprintf(stderr, "usage: relax [--write-to FILE] GIB SWEEPS\n");
        return 2;
    }
    size_t bytes = bench_gib("relax", argv[a]);
    int sweeps = (int)bench_number("relax", "number of sweeps", argv[a + 1], 0, 100000);
    size_t n = (size_t)sqrt((double)bytes / (4 * sizeof(float)));
    if (n < 16) {
        fprintf(stderr, "relax: %s GiB is too small\n", argv[a]);
        return 2;
    }
    size_t cells = n * n;
    bench_install_handlers("relax");
    float *mem = bench_map("relax", 4 * cells * sizeof(float));
    float *u = mem, *v = mem + cells, *k = mem + 2 * cells, *q = mem + 3 * cells;

    /* Separable smooth initial field: two modes over a 293.15 K plate. */
    float *sx = malloc(n * sizeof *sx), *cy = malloc(n * sizeof *cy);
    float *sx2 = malloc(n * sizeof *sx2), *sy2 = malloc(n * sizeof *sy2);
    if (!sx || !cy || !sx2 || !sy2) {
        fprintf(stderr, "relax: out of memory\n");
        return 1;
    }
    const double pi = 3.14159265358979323846;
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / (double)(n - 1);
        sx[i] = (float)sin(2 * pi * t);
        cy[i] = (float)cos(3 * pi * t);
        sx2[i] = (float)sin(17 * pi * t);
        sy2[i] = (float)sin(11 * pi * t);
    }
    /* Materials: steel, aluminium and water layers (diffusivities in mm^2/s),
     * copper discs on a 16 x 16 lattice; heaters on a 4 x 4 lattice. */
    const float layer[3] = {4.2f, 97.0f, 0.143f};
    const float copper = 111.0f, kmax = 111.0f;
    size_t pitch = n / 16, heater_pitch = n / 4;
    double disc_r2 = (double)(pitch / 5) * (double)(pitch / 5);
    double heat_s2 = (double)(n / 60 + 1) * (double)(n / 60 + 1);
    for (size_t y = 0; y < n; y++) {
        float base = layer[y * 3 / n];
        for (size_t x = 0; x < n; x++) {
            size_t c = y * n + x;
            u[c] = 293.15f + 10.0f * sx[x] * cy[y] + 2.0f * sx2[x] * sy2[y];
            v[c] = u[c];
            double dx = (double)(x % pitch) - (double)pitch / 2, dy = (double)(y % pitch) - (double)pitch / 2;
            k[c] = dx * dx + dy * dy < disc_r2 ? copper : base;
            double hx = (double)(x % heater_pitch) - (double)heater_pitch / 2;
            double hy = (double)(y % heater_pitch) - (double)heater_pitch / 2;
            double h = 50.0 * exp(-(hx * hx + hy * hy) / heat_s2);
            q[c] = h > 1e-3 ? (float)h : 0.0f;
        }
    }
    free(sx);
    free(cy);
    free(sx2);
    free(sy2);

    /* Explicit steps at the stability limit of the fastest material. */
    const float r = 0.24f / kmax, dt = 0.01f;
    double t0 = bench_now();
    for (int s = 0; s < sweeps; s++) {
        for (size_t y = 1; y + 1 < n; y++) {
            const float *up = u + (y - 1) * n, *uc = u + y * n, *dn = u + (y + 1) * n;
            const float *kc = k + y * n, *qc = q + y * n;
            float *out = v + y * n;
            for (size_t x = 1; x + 1 < n; x++)
                out[x] = uc[x] + r * kc[x] * (uc[x - 1] + uc[x + 1] + up[x] + dn[x] - 4.0f * uc[x]) + dt * qc[x];
        }
        float *t = u;
        u = v;
        v = t;
    }
    double sweep_s = bench_now() - t0;

    size_t held = 4 * cells * sizeof(float);
    uint64_t sum;
    double read_s = bench_read_memory(mem, held, &sum);
    printf("mem-read %zu %.6f (sum %016" PRIx64 ")\n", held, read_s, sum);
    printf("ready %s GiB pid %d N=%zu %d sweeps in %.3f s\n", argv[a], (int)getpid(), n, sweeps, sweep_s);
    fflush(stdout);
    bench_serve("relax", mem, held, write_to, NULL);
}
