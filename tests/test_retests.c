/* Retests on the labs' real capacity (issue #9): the reproducer, a
 * random-results property test of the replayed lab schedule, and the cap
 * of three failed runs per tube. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode_internal.h"
#include "plan/plan_internal.h"

/* Plans scenario ini into dir/plan.h5; returns the plan (and *s). */
static psc_plan_t *plan_into(const char *ini, const char *dir, psc_scenario_t **s) {
  psc_diags_t *d = psc_diags_create();
  *s = NULL;
  psc_plan_t *p = NULL;
  psc_plan_options_t o = psc_plan_options_default();
  o.advise = 0;
  assert_int_equal(psc_scenario_load(ini, d, s), 0);
  assert_int_equal(psc_plan_create(*s, &o, &p), 0);
  assert_int_equal(psc_plan_write_h5(p, tu_path(dir, "plan.h5"), 0), 0);
  psc_diags_free(d);
  return p;
}

/* results.csv for plan p: each tube positive with probability pos (x a
 * seed), otherwise negative; returns the positives. */
static uint32_t write_results(const char *dir, const psc_plan_t *p, double pos, uint64_t x) {
  FILE *f = fopen(tu_path(dir, "results.csv"), "w");
  assert_non_null(f);
  fputs("tube,result,ct\n", f);
  uint32_t n = 0;
  char id[32];
  for (uint32_t t = 0; t < psc_plan_tubes(p)->count; t++) {
    x = psc__mix64(x + t);
    int is_pos = (double)(x >> 11) / 9007199254740992.0 < pos;
    n += (uint32_t)is_pos;
    psc_plan_tube_id(p, t, id, sizeof id);
    fprintf(f, "%s,%s,\n", id, is_pos ? "positive" : "negative");
  }
  fclose(f);
  return n;
}

static psc_decode_t *decode(const char *dir) {
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  char h5[1024];
  snprintf(h5, sizeof h5, "%s", tu_path(dir, "plan.h5"));
  assert_int_equal(psc_decode_run(h5, tu_path(dir, "results.csv"), d, &dc), 0);
  psc_diags_free(d);
  return dc;
}

/* One booth at 60/h, 10 residents alone, pools of 4, batches of 45 min, a
 * 35-minute trip (travel.csv), one lab of 1 instrument x 2 wells x 60 min;
 * all three tubes positive: one retest alone (never held for a plate), then
 * pairs, on the one instrument: T+9:56. */
static void test_reproducer(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char ini[1024];
  snprintf(ini, sizeof ini, "%s/retest/scenario.ini", PSC_TEST_DATA);
  psc_scenario_t *s;
  psc_plan_t *p = plan_into(ini, dir, &s);
  assert_int_equal(write_results(dir, p, 1.0, 1), 3);
  psc_decode_t *dc = decode(dir);
  const double want[] = {296, 356, 356, 416, 416, 476, 476, 536, 536, 596};
  assert_int_equal(dc->ncontrol, 10);
  for (uint32_t k = 0; k < 10; k++)
    assert_true(fabs(dc->rt_result[k] - want[k]) < 1e-9);
  assert_true(fabs(psc_decode_summary(dc)->district_complete_after - 596) < 1e-9);
  /* and the list says so */
  const char *out = tu_path(dir, "d");
  char od[1024];
  snprintf(od, sizeof od, "%s", out);
  assert_int_equal(psc_decode_write(dc, od), 0);
  FILE *f = fopen(tu_path(od, "retests.csv"), "r");
  assert_non_null(f);
  char line[512];
  assert_non_null(fgets(line, sizeof line, f));
  for (int k = 0; k < 10; k++) {
    assert_non_null(fgets(line, sizeof line, f));
    char *c = line;
    for (int j = 0; j < 5; j++)
      c = strchr(c, ',') + 1;
    assert_true(fabs(atof(c) - want[k]) < 1e-9);
  }
  fclose(f);
  psc_decode_free(dc);
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(dir);
  free(dir);
}

/* The replayed schedule of one decode: no instrument runs two plates at
 * once, no run exceeds its wells, no retest starts before its resident is
 * re-sampled and the tube has travelled, every retest and plan tube is in
 * a run, and each run holds the tubes it says. */
static void check_schedule(const psc_decode_t *dc) {
  const psc__plan_view_t *v = &dc->v;
  const psc__replay_out_t *o = &dc->replay;
  uint32_t *held = calloc(o->nruns + 1, 4);
  assert_non_null(held);
  for (uint32_t r = 0; r < o->nruns; r++) {
    assert_true(o->run_lab[r] < v->nlabs);
    assert_true(o->run_inst[r] < v->lab_inst[o->run_lab[r]]);
    assert_true(o->run_tubes[r] <= v->lab_wells[o->run_lab[r]]);
    assert_true(fabs(o->run_end[r] - o->run_start[r] - v->lab_run_min[o->run_lab[r]]) < 1e-6);
    for (uint32_t q = 0; q < r; q++)
      if (o->run_lab[q] == o->run_lab[r] && o->run_inst[q] == o->run_inst[r])
        assert_true(o->run_end[q] <= o->run_start[r] + 1e-9 ||
                    o->run_end[r] <= o->run_start[q] + 1e-9);
  }
  for (uint32_t k = 0; k < dc->ncontrol; k++) {
    assert_true(isfinite(dc->rt_result[k]));
    uint32_t r = o->rt_run[k], l = o->rt_lab[k], team = dc->rt_team[k];
    assert_true(r >= o->kept && r < o->nruns);
    assert_int_equal(o->run_lab[r], l);
    held[r]++;
    /* the lab is one of the team's, reached after the retest was taken */
    double trip = INFINITY;
    for (int j = 0; j < PSC__NEAR_LABS; j++)
      if (v->near_lab[(size_t)team * PSC__NEAR_LABS + j] == l)
        trip = v->near_lab_min[(size_t)team * PSC__NEAR_LABS + j];
    assert_true(isfinite(trip));
    assert_true(dc->rt_end[k] >= dc->rt_start[k]);
    assert_true(o->run_start[r] >= dc->rt_end[k] + trip - 1e-9);
    assert_true(fabs(dc->rt_result[k] - (o->run_end[r] + v->report_min)) < 1e-9);
  }
  for (uint32_t t = 0; t < v->ntubes; t++) {
    assert_true(isfinite(o->tube_reported[t]));
    assert_true(o->tube_reported[t] >= v->tube_arrived[t] + v->lab_run_min[v->tube_lab[t]] - 1e-9);
  }
  for (uint32_t r = o->kept; r < o->nruns; r++)
    assert_true(held[r] <= o->run_tubes[r]);
  /* nothing is counted twice: every tube of a new run is a retest or a plan
   * tube pulled again */
  uint64_t in_new = 0;
  for (uint32_t r = o->kept; r < o->nruns; r++)
    in_new += o->run_tubes[r];
  assert_int_equal(in_new, (uint64_t)dc->ncontrol + o->retimed);
  free(held);
}

static void test_random_results_property(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  assert_int_equal(psc_gen_city(dir, 40000, 3), 0);
  char ini[1024], tiny[1024];
  snprintf(ini, sizeof ini, "%s", tu_path(dir, "scenario.ini"));
  snprintf(tiny, sizeof tiny, "%s/tiny/scenario.ini", PSC_TEST_DATA);
  const char *inis[] = {ini, tiny};
  for (int which = 0; which < 2; which++) {
    uint64_t retests = 0, retimed = 0, runs = 0;
    psc_scenario_t *s;
    psc_plan_t *p = plan_into(inis[which], dir, &s);
    for (uint64_t seed = 1; seed <= 12; seed++) {
      double share = which ? 0.05 * (double)seed : 0.004 * (double)seed;
      write_results(dir, p, share, seed * 7919);
      psc_decode_t *dc = decode(dir);
      check_schedule(dc);
      retests += dc->ncontrol;
      retimed += dc->replay.retimed;
      runs += dc->replay.nruns - dc->replay.kept;
      /* retests only add work: no unit completes before the plan said */
      assert_true(psc_decode_summary(dc)->district_complete_after >=
                  psc_decode_summary(dc)->district_complete_before - 1e-9 ||
                  dc->ncontrol == 0);
      psc_decode_free(dc);
    }
    /* the property was checked on real work: retests, and plan tubes they
     * displaced */
    assert_true(retests > 100);
    assert_true(retimed > 0);
    assert_true(runs > 10);
    psc_plan_free(p);
    psc_scenario_free(s);
  }
  tu_rmtree(dir);
  free(dir);
}

/* A simulation whose every run fails: no tube fails more than three runs,
 * so every tube is reported after its fourth run at the latest, and the
 * failed runs are at most three per tube. */
static void test_failure_cap_per_tube(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char ini[1024];
  snprintf(ini, sizeof ini, "%s/tiny/scenario.ini", PSC_TEST_DATA);
  psc_scenario_t *s;
  psc_plan_t *p = plan_into(ini, dir, &s);
  psc__eval_t e;
  assert_int_equal(psc__eval_alloc(&e, &p->x), 0);
  psc__variant_t v = p->v;
  v.run_failure = 1.0;
  v.fail_seed = 42;
  assert_int_equal(psc__evaluate(&p->x, &v, &e), 0);
  const psc_labs_t *lb = psc_scenario_labs(s);
  uint32_t nt = p->pk.ntubes;
  assert_true(e.failed_runs > 0);
  assert_true(e.failed_runs <= 3 * nt);
  for (uint32_t t = 0; t < nt; t++) {
    assert_true(e.run[t] < e.nruns);
    assert_true(e.run_tubes[e.run[t]] > 0);
    /* three failed runs, then the one that counts */
    assert_true(e.reported[t] >= e.arrived[t] + 4.0 * lb->run_minutes[e.lab[t]] - 1e-9);
  }
  /* every run holds at most a plate; failed runs are recorded empty */
  uint32_t ok = 0;
  for (uint32_t r = 0; r < e.nruns; r++) {
    assert_true(e.run_tubes[r] <= lb->wells[e.run_lab[r]]);
    ok += e.run_tubes[r];
  }
  assert_int_equal(ok, nt);
  psc__eval_free(&e);
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reproducer),
      cmocka_unit_test(test_random_results_property),
      cmocka_unit_test(test_failure_cap_per_tube),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
