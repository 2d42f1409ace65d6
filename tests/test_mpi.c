/* poolscreen batch and simulate under MPI: `mpirun --oversubscribe -n 3`
 * gives the same bytes as one process (batches with and without simulation,
 * simulations split by replicate), and a bad variant found on any rank stops
 * every rank with nothing written. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under the sanitizers, LeakSanitizer would fail every MPI run on what
 * OpenMPI's plugins keep at MPI_Finalize (unloaded before the report, so
 * not even suppressible by name); the ranks keep every other check, and the
 * same batch code is leak-checked by test_batch in one process. */
#define MPIRUN                                                                                   \
  "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 "       \
  PSC_MPIEXEC " --oversubscribe -n 3 "
#define MPIRUN1                                                                                  \
  "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 "       \
  PSC_MPIEXEC " -n 1 "

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static const char *BATCH_FILES[] = {"batch.csv", "batch.h5", "report.html"};

static void same_files(const char *dir, const char *a, const char *b, const char *const *files) {
  for (int k = 0; k < 3; k++) {
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/%s/%s", dir, a, files[k]);
    snprintf(pb, sizeof pb, "%s/%s/%s", dir, b, files[k]);
    size_t na, nb;
    char *x = slurp(pa, &na), *y = slurp(pb, &nb);
    if (na != nb || memcmp(x, y, na))
      fail_msg("%s differs between one process and 3 ranks", files[k]);
    free(x);
    free(y);
  }
}

static void same_outputs(const char *dir, const char *a, const char *b) {
  same_files(dir, a, b, BATCH_FILES);
}

static void run(const char *dir, const char *how, const char *args, int want) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "cd %s && %s%s %s", dir, how, PSC_CLI_PATH, args);
  int rc = tu_run(cmd, NULL, NULL);
  if (rc != want)
    fail_msg("exit %d, expected %d: %s", rc, want, cmd);
}

static void test_default_scenario(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  /* 9 variants over 3 ranks: 3 each; the default scenario */
  char args[1024];
  snprintf(args, sizeof args, "batch %s/docs/examples/whatif.batch -o one", PSC_SOURCE_DIR);
  run(dir, "", args, 0);
  snprintf(args, sizeof args, "batch %s/docs/examples/whatif.batch -o three", PSC_SOURCE_DIR);
  run(dir, MPIRUN, args, 0);
  same_outputs(dir, "one", "three");
  tu_rmtree(dir);
  free(dir);
}

static void test_simulated_uneven(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  /* 7 variants: ranks hold 3, 2 and 2 */
  tu_write(dir, "b.batch", "[batch]\nscenario = scenario.ini\n[grid]\n"
                           "pooling.pool_size = 1, 2, 3, 4, 5, 6, 7\n");
  run(dir, "", "batch b.batch -r 25 -o one", 0);
  run(dir, MPIRUN, "batch b.batch -r 25 -o three", 0);
  same_outputs(dir, "one", "three");
  /* variant 5 (rank 2's) cannot load: every rank stops, nothing written */
  tu_write(dir, "bad.batch", "[batch]\nscenario = scenario.ini\n[grid]\n"
                             "labs.LAB1.run_minutes = +0, +1, +2, +3, +4, -60, +5\n");
  char *err, cmd[4096];
  snprintf(cmd, sizeof cmd, "cd %s && %s%s batch bad.batch -o bad", dir, MPIRUN, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, NULL, &err), 2);
  assert_non_null(strstr(err, "bad.batch:4:45: error: labs.LAB1.run_minutes: -60 of LAB1 would "
                              "be 0, outside 1..10080"));
  assert_non_null(strstr(err, "nothing written"));
  free(err);
  assert_int_equal(tu_entries(dir), 8); /* 4 scenario files, 2 batches, one, three */
  tu_rmtree(dir);
  free(dir);
}

/* 50 replicates of the default scenario: ranks hold 17, 17 and 16 */
static void test_simulate(void **state) {
  (void)state;
  static const char *files[] = {"sim.h5", "sim_summary.csv", "report.html"};
  char *dir = tu_tmpdir();
  run(dir, "", "simulate -r 50 --report -o one", 0);
  run(dir, MPIRUN, "simulate -r 50 --report -o three", 0);
  same_files(dir, "one", "three", files);
  /* one rank under the launcher is a whole run too */
  run(dir, MPIRUN1, "simulate -r 50 --report -o rank1", 0);
  same_files(dir, "one", "rank1", files);
  run(dir, MPIRUN1, "batch " PSC_SOURCE_DIR "/docs/examples/whatif.batch -o b1", 0);
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_scenario),
      cmocka_unit_test(test_simulated_uneven),
      cmocka_unit_test(test_simulate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
