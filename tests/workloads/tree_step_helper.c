/* tree_step_helper: a small program a batch script runs on every step
 * (tree_bash_loop.sh).
 *
 * usage: tree_step_helper I ACC [SLEEP_MS]
 *
 * Prints one line with a hash of I and ACC, sleeps SLEEP_MS (default 20) and
 * exits with the hash modulo 5, so that the script has a `$?` to check.
 */
#include "tree_common.h"

int main(int argc, char **argv)
{
    tc_prog = "tree_step_helper";
    if (argc < 3)
        tc_die("usage: tree_step_helper I ACC [SLEEP_MS]");
    long i = tc_arg(argc, argv, 1, 0, 0, 1000000000L);
    long acc = tc_arg(argc, argv, 2, 0, -1000000000L, 1000000000L);
    long sleep_ms = tc_arg(argc, argv, 3, 20, 0, 60000);
    uint64_t h = tc_work(((uint64_t)i << 32) ^ (uint64_t)acc ^ 0x5bd1e995ULL, 1000 + i);
    printf("  helper i=%ld acc=%ld hash=%016" PRIx64 "\n", i, acc, h);
    fflush(stdout);
    tc_sleep_ms(sleep_ms);
    return (int)(h % 5);
}
