/* heat_field: a heat-diffusion kernel's float and double arrays, for the
 * test that such memory is stored byte-shuffled and comes back bit for bit.
 *
 * usage: heat_field [STEPS [SLEEP_MS [N]]]
 *
 * Two N x N plates near 293 K, one held in floats (u, and v for the next
 * step), one in doubles (w, x), each with a heater; every step is one
 * explicit Jacobi sweep of each, so every mantissa bit is in use while the
 * sign and exponent bytes stay nearly constant: the memory byte shuffles
 * shrink. Each step prints the plates' sums and an FNV-1a hash of their
 * bytes; a single flipped bit after a restore changes every later line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "workload_args.h"

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* The heater: a Gaussian bump in the plate's middle. */
static double source(size_t n, size_t i, size_t j)
{
    double dx = (double)i - (double)n / 2, dy = (double)j - (double)n / 2, s = (double)n / 8;
    return 0.05 * exp(-(dx * dx + dy * dy) / (s * s));
}

int main(int argc, char **argv)
{
    long steps = workload_arg("heat_field", argc, argv, 1, 60, 1, 100000);
    long pause_ms = workload_arg("heat_field", argc, argv, 2, 25, 0, 60000);
    size_t n = (size_t)workload_arg("heat_field", argc, argv, 3, 1024, 16, 8192);

    setvbuf(stdout, NULL, _IOLBF, 0);
    float *u = malloc(n * n * sizeof *u), *v = malloc(n * n * sizeof *v);
    double *w = malloc(n * n * sizeof *w), *x = malloc(n * n * sizeof *x);
    if (!u || !v || !w || !x) {
        fprintf(stderr, "heat_field: out of memory\n");
        return 1;
    }
    const double pi = 3.14159265358979323846;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            double t = sin(2 * pi * (double)i / (double)n) * cos(3 * pi * (double)j / (double)n);
            u[i * n + j] = v[i * n + j] = (float)(293.15 + 10 * t);
            w[i * n + j] = x[i * n + j] = 293.15 - 7 * t;
        }
    }
    printf("heat_field start steps=%ld sleep_ms=%ld n=%zu\n", steps, pause_ms, n);

    uint64_t h = 0xcbf29ce484222325ULL;
    for (long s = 1; s <= steps; s++) {
        for (size_t i = 1; i + 1 < n; i++) {
            for (size_t j = 1; j + 1 < n; j++) {
                size_t c = i * n + j;
                v[c] = u[c] + 0.2f * (u[c - 1] + u[c + 1] + u[c - n] + u[c + n] - 4 * u[c]) +
                       (float)source(n, i, j);
                x[c] = w[c] + 0.2 * (w[c - 1] + w[c + 1] + w[c - n] + w[c + n] - 4 * w[c]) + source(n, j, i);
            }
        }
        float *tf = u;
        u = v;
        v = tf;
        double *td = w;
        w = x;
        x = td;
        double sum_u = 0, sum_w = 0;
        for (size_t c = 0; c < n * n; c++) {
            sum_u += u[c];
            sum_w += w[c];
        }
        h = fnv1a(fnv1a(h, u, n * n * sizeof *u), w, n * n * sizeof *w);
        printf("step %ld sum_u %.9g sum_w %.17g hash %016" PRIx64 "\n", s, sum_u, sum_w, h);
        sleep_ms(pause_ms);
    }
    printf("result %016" PRIx64 "\n", h);
    return 0;
}
