/* The library as another program uses it: its version, GSL's and HDF5's
 * process-wide error handlers, and the thread-safety poolscreen.h states. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static void test_version(void **state) {
  (void)state;
  assert_string_equal(psc_version(), PSC_VERSION);
  assert_string_equal(PSC_VERSION, PSC_PROJECT_VERSION);
  assert_int_equal(psc_version_number(), PSC_VERSION_NUMBER);
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", PSC_VERSION_MAJOR, PSC_VERSION_MINOR,
           PSC_VERSION_PATCH);
  assert_string_equal(want, PSC_VERSION);
  char *out;
  assert_int_equal(tu_run(PSC_CLI_PATH " --version", &out, NULL), 0);
  snprintf(want, sizeof want, "poolscreen %s\n", PSC_VERSION);
  assert_string_equal(out, want);
  free(out);
}

/* Runs fn in a child process; returns its wait status. */
static int in_child(void (*fn)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return status;
}

/* A program that never touched GSL's handler loads a scenario (the roster
 * is drawn with GSL); a GSL error afterwards must not abort it. */
static void gsl_default_child(void) {
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  if (psc_scenario_load(PSC_TEST_DATA "/tiny/scenario.ini", d, &s))
    _exit(10);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  /* n = 0 is a GSL error: the default handler would abort here */
  (void)gsl_rng_uniform_int(r, 0);
  gsl_rng_free(r);
  psc_scenario_free(s);
  psc_diags_free(d);
}

static int custom_calls;
static void custom_handler(const char *reason, const char *file, int line, int err) {
  (void)reason, (void)file, (void)line, (void)err;
  custom_calls++;
}

/* A program's own handler is left in place. */
static void gsl_custom_child(void) {
  gsl_set_error_handler(custom_handler);
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  if (psc_scenario_load(PSC_TEST_DATA "/tiny/scenario.ini", d, &s))
    _exit(10);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  (void)gsl_rng_uniform_int(r, 0);
  gsl_rng_free(r);
  psc_scenario_free(s);
  psc_diags_free(d);
  _exit(custom_calls == 1 ? 0 : 11);
}

static void test_gsl_handler(void **state) {
  (void)state;
  int st = in_child(gsl_default_child);
  if (WIFSIGNALED(st))
    fail_msg("a GSL error after a library call killed the program (signal %d): the library "
             "left GSL's aborting default handler in force",
             WTERMSIG(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  st = in_child(gsl_custom_child);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- HDF5's error handler ------------------------------------------------ */

static int h5_printed;
static herr_t h5_counter(hid_t stack, void *data) {
  (void)stack, (void)data;
  __atomic_add_fetch(&h5_printed, 1, __ATOMIC_SEQ_CST);
  return 0;
}

typedef struct {
  const char *not_hdf5;
  int failures;
} h5_job_t;

/* Each thread opens a section many times (alone and nested) and, inside,
 * makes HDF5 fail; its own handler must be off inside and back after. */
static void *h5_thread(void *arg) {
  h5_job_t *j = arg;
  H5Eset_auto2(H5E_DEFAULT, h5_counter, NULL);
  for (int i = 0; i < 200; i++) {
    psc__h5_quiet_begin();
    if (i % 2)
      psc__h5_quiet_begin();
    H5E_auto2_t fn;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &fn, &data);
    if (fn != NULL)
      j->failures++;
    /* an HDF5 error: must not print */
    hid_t f = H5Fopen(j->not_hdf5, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0)
      H5Fclose(f);
    if (i % 2)
      psc__h5_quiet_end();
    psc__h5_quiet_end();
  }
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  if (fn != h5_counter)
    j->failures++;
  return NULL;
}

static void test_h5_handler_threads(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  tu_write(dir, "x.h5", "not an HDF5 file\n");
  /* this thread's handler, which the others' sections must leave alone */
  H5Eset_auto2(H5E_DEFAULT, h5_counter, NULL);
  enum { T = 4 };
  pthread_t th[T];
  h5_job_t job[T];
  for (int i = 0; i < T; i++) {
    job[i] = (h5_job_t){tu_path(dir, "x.h5"), 0};
    job[i].not_hdf5 = strdup(job[i].not_hdf5);
    assert_int_equal(pthread_create(&th[i], NULL, h5_thread, &job[i]), 0);
  }
  for (int i = 0; i < T; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(job[i].failures, 0);
    free((void *)job[i].not_hdf5);
  }
  assert_int_equal(h5_printed, 0);
  tu_rmtree(dir);
  free(dir);
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  assert_ptr_equal(fn, h5_counter);
  H5Eset_auto2(H5E_DEFAULT, (H5E_auto2_t)H5Eprint2, stderr);
}

/* ---- thread-safety as poolscreen.h states it ---------------------------- */

typedef struct {
  const psc_scenario_t *s;
  double complete;
  uint32_t tubes;
  int rc;
} plan_job_t;

static void *plan_thread(void *arg) {
  plan_job_t *j = arg;
  psc_plan_options_t o = psc_plan_options_default();
  o.threads = 1;
  psc_plan_t *p = NULL;
  j->rc = psc_plan_create(j->s, &o, &p);
  if (!j->rc) {
    j->complete = psc_plan_district(p)->complete;
    j->tubes = psc_plan_tubes(p)->count;
  }
  psc_plan_free(p);
  return NULL;
}

/* One loaded scenario is shared read-only by plans made in several threads
 * at once; each gets the plan a single thread gets. */
static void test_shared_scenario_threads(void **state) {
  (void)state;
  psc_scenario_t *s = tu_load(PSC_TEST_DATA "/tiny");
  plan_job_t one = {s, 0, 0, 0};
  plan_thread(&one);
  assert_int_equal(one.rc, 0);
  enum { T = 4 };
  pthread_t th[T];
  plan_job_t job[T];
  for (int i = 0; i < T; i++) {
    job[i] = (plan_job_t){s, 0, 0, -1};
    assert_int_equal(pthread_create(&th[i], NULL, plan_thread, &job[i]), 0);
  }
  for (int i = 0; i < T; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(job[i].rc, 0);
    assert_true(job[i].complete == one.complete);
    assert_int_equal(job[i].tubes, one.tubes);
  }
  psc_scenario_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_version),
      cmocka_unit_test(test_gsl_handler),
      cmocka_unit_test(test_h5_handler_threads),
      cmocka_unit_test(test_shared_scenario_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
