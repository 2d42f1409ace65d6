/* The labs' pull when memory runs out: linked with -Wl,--wrap=realloc, so
 * that the k-th realloc of the pull can be made to fail. Whichever one
 * fails, the pull either returns PSC_ENOMEM or has put every tube in a
 * run: no tube is lost while it says it succeeded. (A lookahead buffer that
 * could not grow once dropped a site's batch of tubes and the pull went on,
 * rc 0.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan/plan_internal.h"

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
static long calls, fail_at = -1;
void *__wrap_realloc(void *p, size_t n) {
  if (++calls == fail_at)
    return NULL;
  return __real_realloc(p, n);
}

/* one lab, two instruments of 96 wells and 100-minute runs, one site whose
 * batches of 200, 150 and 100 tubes leave at 0, 60 and 120 */
static int pull_once(long k, uint32_t *unrun) {
  static const double dep[] = {0, 60, 120};
  static const uint32_t cnt[] = {200, 150, 100};
  const uint32_t nt = 450;
  uint32_t inst[] = {2}, wells[] = {96}, run_min[] = {100}, near[PSC__NEAR_LABS];
  double near_min[PSC__NEAR_LABS];
  for (int j = 0; j < PSC__NEAR_LABS; j++)
    near[j] = j ? PSC__NONE : 0, near_min[j] = 0;
  psc__hours_t hours[] = {psc__hours(0, 1440, 0)};
  uint32_t *by_site = calloc(nt, 4), *cls = calloc(nt, 4), site_first[] = {0, nt};
  double *deadline = calloc(nt, 8);
  psc__eval_t e;
  memset(&e, 0, sizeof e);
  e.site = calloc(nt, 4);
  e.lab = calloc(nt, 4);
  e.run = calloc(nt, 4);
  e.departed = calloc(nt, 8);
  e.arrived = calloc(nt, 8);
  e.run_start = calloc(nt, 8);
  e.reported = calloc(nt, 8);
  for (uint32_t g = 0, t = 0; g < 3; g++)
    for (uint32_t j = 0; j < cnt[g]; j++, t++) {
      e.departed[t] = dep[g];
      by_site[t] = t;
      deadline[t] = 1e6;
      e.run[t] = PSC__NONE;
    }
  psc__labmodel_t m = {.nlabs = 1, .nsites = 1, .inst = inst, .wells = wells,
                       .run_min = run_min, .hours = hours, .near_lab = near,
                       .near_lab_min = near_min, .planned = 1, .hold = 1};
  calls = 0;
  fail_at = k;
  int rc = psc__pull_labs(&m, by_site, site_first, nt, deadline, cls, 1, &e);
  fail_at = -1;
  *unrun = 0;
  for (uint32_t t = 0; t < nt; t++)
    *unrun += e.run[t] == PSC__NONE;
  psc__eval_free(&e);
  free(by_site);
  free(cls);
  free(deadline);
  return rc;
}

static void test_pull_out_of_memory(void **state) {
  (void)state;
  uint32_t unrun;
  assert_int_equal(pull_once(-1, &unrun), 0);
  assert_int_equal(unrun, 0);
  long n = calls;
  assert_true(n > 0); /* the pull does grow its queues */
  for (long k = 1; k <= n; k++) {
    int rc = pull_once(k, &unrun);
    if (rc != PSC_ENOMEM) {
      assert_int_equal(rc, 0);
      assert_int_equal(unrun, 0);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pull_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
