/* simulate: determinism across threads, randomness off equals the plan, and
 * agreement with the exact operating characteristics of otc. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A street of 4 communities of 1 000 people living alone (so every 1:10
 * tube is full and infections are independent), 2 labs. */
static char *iid_scenario_with(const char *pooling, const char *sim) {
  char ini[2048];
  snprintf(ini, sizeof ini, "[scenario]\nseed = 99\n[pooling]\n%s\n[simulation]\n%s\n", pooling,
           sim);
  return tu_scenario(ini,
                     "A,S,1000,1000,0,0\nB,S,1000,1000,1,0\nC,S,1000,1000,0,1\n"
                     "D,S,1000,1000,1,1\n",
                     "F,S,fixed,4,100,00:00,24:00,0,0\nG,S,community,4,100,07:00,21:00,1,1\n",
                     "L1,2,90,120,00:00,24:00,0,2\nL2,1,90,150,08:00,20:00,2,0\n");
}

static char *iid_scenario(const char *sim) { return iid_scenario_with("pool_size = 10", sim); }


static psc_sim_t *run(psc_scenario_t *s, uint32_t R, int threads) {
  psc_sim_options_t o = psc_sim_options_default();
  o.replicates = R;
  o.threads = threads;
  psc_sim_t *sim = NULL;
  assert_int_equal(psc_sim_run(s, &o, &sim), 0);
  return sim;
}

static void test_same_at_any_thread_count(void **state) {
  (void)state;
  char *dir = iid_scenario("prevalence = 0.03\nsecondary_attack_rate = 0.3\nservice_cv = 0.3\n"
                           "staff_shortfall = 0.2\nrun_failure = 0.15\nturnout = 0.9\n"
                           "outages = L1 600 900; L2 100 200");
  psc_scenario_t *s = tu_load(dir);
  psc_sim_t *a = run(s, 24, 1), *b = run(s, 24, 2);
  uint32_t fails = 0;
  for (uint32_t r = 0; r < 24; r++) {
    const psc_sim_replicate_t *x = psc_sim_replicate(a, r), *y = psc_sim_replicate(b, r);
    assert_memory_equal(x, y, sizeof(*x));
    fails += x->failed_runs;
  }
  assert_true(fails > 0);
  char *o1 = tu_tmpdir(), *o2 = tu_tmpdir(), cmd[2048];
  assert_int_equal(psc_sim_write(a, o1), 0);
  assert_int_equal(psc_sim_write(b, o2), 0);
  snprintf(cmd, sizeof cmd, "cmp -s %s/sim.h5 %s/sim.h5 && cmp -s %s/sim_summary.csv %s/sim_summary.csv",
           o1, o2, o1, o2);
  assert_int_equal(system(cmd), 0);
  /* the outputs are one set: a blocked sim.h5 leaves no summary either */
  char *o3 = tu_tmpdir();
  tu_block(o3, "sim.h5");
  assert_int_not_equal(psc_sim_write(a, o3), 0);
  assert_int_equal(tu_entries(o3), 1);
  tu_rmtree(o3);
  free(o3);
  /* a different seed gives a different round */
  psc_sim_options_t o = psc_sim_options_default();
  o.replicates = 24;
  o.seed = 12345;
  psc_sim_t *c = NULL;
  assert_int_equal(psc_sim_run(s, &o, &c), 0);
  int differs = 0;
  for (uint32_t r = 0; r < 24; r++)
    differs |= psc_sim_replicate(c, r)->positives != psc_sim_replicate(a, r)->positives;
  assert_true(differs);
  psc_sim_free(a);
  psc_sim_free(b);
  psc_sim_free(c);
  psc_scenario_free(s);
  tu_rmtree(o1);
  tu_rmtree(o2);
  tu_rmtree(dir);
  free(o1);
  free(o2);
  free(dir);
}

/* Without randomness in operations and without infections, every
 * replicate (prevalence 1e-9, Sp 1) completes exactly when the plan does (the retest round's lab
 * replay keeps every run); with infections, the retest round counts: no
 * replicate completes before the plan, and one with retests after it. */
static void test_randomness_off_equals_plan(void **state) {
  (void)state;
  for (int prev = 0; prev < 2; prev++) {
    char *dir = iid_scenario(prev ? "prevalence = 0.02" : "prevalence = 0.000000001\nsp = 1");
    psc_scenario_t *s = tu_load(dir);
    psc_sim_t *sim = run(s, 5, 2);
    const psc_plan_t *p = psc_sim_plan(sim);
    double plan_tests = (double)psc_plan_tubes(p)->count / 4000.0;
    for (uint32_t r = 0; r < 5; r++) {
      const psc_sim_replicate_t *rp = psc_sim_replicate(sim, r);
      if (!prev) {
        assert_true(rp->district_complete == psc_plan_district(p)->complete);
        assert_true(psc_sim_street_complete(sim, r, 0) == psc_plan_street(p, 0)->complete);
      } else {
        assert_true(rp->district_complete >= psc_plan_district(p)->complete);
        if (rp->tests_per_person > plan_tests + 1e-12)
          assert_true(rp->district_complete > psc_plan_district(p)->complete);
      }
      assert_int_equal(rp->failed_runs, 0);
    }
    psc_sim_free(sim);
    psc_scenario_free(s);
    tu_rmtree(dir);
    free(dir);
  }
}

/* Tests per person agree with otc's exact value within 3 standard errors,
 * and the missed share with 1 - PSe: D2 with 1:10 tubes, A2 with 10 x 10
 * arrays. */
static void agrees_with_otc(const char *pooling, psc_algorithm_t alg) {
  char *dir = iid_scenario_with(pooling, "prevalence = 0.05\nsecondary_attack_rate = 0\n"
                                         "dilution = false\nse = 0.95\nsp = 0.98");
  psc_scenario_t *s = tu_load(dir);
  const uint32_t R = 400;
  psc_sim_t *sim = run(s, R, 2);
  double sum = 0, sum2 = 0, pos = 0, missed = 0;
  for (uint32_t r = 0; r < R; r++) {
    const psc_sim_replicate_t *x = psc_sim_replicate(sim, r);
    sum += x->tests_per_person;
    sum2 += x->tests_per_person * x->tests_per_person;
    pos += x->positives;
    missed += x->missed;
  }
  double mean = sum / R, se = sqrt((sum2 / R - mean * mean) / (R - 1));
  psc_design_t d = {alg, 10, 0, {0}};
  psc_accuracy_t acc = {{0.95, 0.95, 0.95}, {0.98, 0.98, 0.98}};
  psc_opchar_t oc;
  assert_int_equal(psc_otc_eval(&d, 0.05, &acc, PSC_A2M_EXACT, &oc), 0);
  if (fabs(mean - oc.tests_per_person) > 3 * se)
    fail_msg("tests per person %.5f +- %.5f, otc %.5f", mean, se, oc.tests_per_person);
  double q = missed / pos, want = 1 - oc.pse, seq = sqrt(want * (1 - want) / pos);
  if (fabs(q - want) > 3 * seq)
    fail_msg("missed share %.5f, 1 - PSe = %.5f (se %.5f)", q, want, seq);
  psc_sim_free(sim);
  psc_scenario_free(s);
  tu_rmtree(dir);
  free(dir);
}

static void test_agrees_with_otc(void **state) {
  (void)state;
  agrees_with_otc("pool_size = 10", PSC_D2);
  agrees_with_otc("design = array\narray_size = 10", PSC_A2);
}

static void test_bad_simulation_keys(void **state) {
  (void)state;
  char *dir = iid_scenario("outages = L9 10 20; L1 30 20\nturnout = 1.5");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 6, 11, "unknown lab 'L9'");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 6, 11, "is not 'LAB START END'");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 7, 11, "turnout '1.5' is out of range");
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_at_any_thread_count),
      cmocka_unit_test(test_randomness_off_equals_plan),
      cmocka_unit_test(test_agrees_with_otc),
      cmocka_unit_test(test_bad_simulation_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
