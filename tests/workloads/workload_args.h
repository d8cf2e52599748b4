/* workload_args.h: the one numeric-argument parser of the test workloads.
 * Header-only. A bad argument is a usage error: one line, exit 2. */
#ifndef STASIS_WORKLOAD_ARGS_H
#define STASIS_WORKLOAD_ARGS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* argv[i] as a number in [min, max], or def when there is no argv[i]. */
static inline long workload_arg(const char *prog, int argc, char **argv, int i, long def, long min, long max)
{
    if (argc <= i)
        return def;
    char *end = NULL;
    errno = 0;
    long v = strtol(argv[i], &end, 10);
    if (errno != 0 || end == argv[i] || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s: bad argument %d: %s\n", prog, i, argv[i]);
        exit(2);
    }
    return v;
}

#endif
