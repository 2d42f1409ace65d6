/* The scheduler v2: planned against eager run starts worked by hand,
 * households kept or not, the run_start key, and the default scenario's
 * verdicts and bounds (docs/plan.md). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "poolscreen/plan.h"

/* One community of 20 people living alone, pool 5: four tubes, sealed at
 * 5, 10, 15 and 20 by one booth at 60 an hour. Transport every 10 minutes:
 * they leave at 10, 10, 20, 20 and arrive 25 minutes later, at 35 and 45.
 * One instrument, 4 wells, 60-minute runs, results 30 minutes after. */
static psc_plan_t *plan_staggered(const char *run_start, psc_scenario_t **sp, char **dirp) {
  char ini[512];
  snprintf(ini, sizeof ini,
           "[scenario]\nstart = 2022-05-01 06:00\n[pooling]\npool_size = 5\n"
           "[transport]\nbatch_minutes = 10\n[lab]\nrun_start = %s\n",
           run_start);
  char *dir = tu_scenario(ini, "A,S,20,20,0,0\n", "F,S,fixed,1,60,00:00,24:00,0,0\n",
                          "L,1,4,60,00:00,24:00,0,5\n");
  psc_scenario_t *s = tu_load(dir);
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(s, NULL, &p), 0);
  *sp = s;
  *dirp = dir;
  return p;
}

static void done(psc_plan_t *p, psc_scenario_t *s, char *dir) {
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(dir);
  free(dir);
}

/* eager: a run at 35 with the two tubes there (ends 95), the next at 95
 * (ends 155): complete 185. planned: waiting 10 minutes for a full plate
 * costs less than half a plate of a 60-minute run, so one run 45-105:
 * complete 135. */
static void test_planned_holds_for_a_full_plate(void **state) {
  (void)state;
  psc_scenario_t *s;
  char *dir;
  psc_plan_t *p = plan_staggered("eager", &s, &dir);
  const psc_tubes_t *t = psc_plan_tubes(p);
  assert_int_equal(t->count, 4);
  assert_true(fabs(t->arrived[0] - 35) < 1e-9 && fabs(t->arrived[3] - 45) < 1e-9);
  assert_int_equal(psc_plan_runs(p)->count, 2);
  assert_true(fabs(psc_plan_runs(p)->start[0] - 35) < 1e-9);
  assert_true(fabs(psc_plan_district(p)->complete - 185) < 1e-9);
  done(p, s, dir);
  p = plan_staggered("planned", &s, &dir);
  assert_int_equal(psc_plan_runs(p)->count, 1);
  assert_true(fabs(psc_plan_runs(p)->start[0] - 45) < 1e-9);
  assert_int_equal(psc_plan_runs(p)->tubes[0], 4);
  assert_true(fabs(psc_plan_district(p)->complete - 135) < 1e-9);
  /* the bound: the last tube can be at the lab at 45 at the earliest */
  assert_true(psc_plan_district(p)->bound <= 135 + 1e-9);
  assert_true(psc_plan_district(p)->bound >= 134.9);
  done(p, s, dir);
}

/* One community of 30 in households of 3, pool 5: kept together, each tube
 * holds one household (10 tubes of 3); strictly in swab order, 6 tubes of 5. */
static void test_keep_households(void **state) {
  (void)state;
  for (int keep = 0; keep <= 1; keep++) {
    char *dir = tu_tmpdir();
    char ini[512];
    snprintf(ini, sizeof ini,
             "[scenario]\nstart = 2022-05-01 06:00\n[pooling]\npool_size = 5\n"
             "keep_households = %s\n[tables]\ncommunities = c.csv\nsites = s.csv\nlabs = l.csv\n"
             "residents = r.csv\n",
             keep ? "true" : "false");
    tu_write(dir, "scenario.ini", ini);
    tu_write(dir, "c.csv", "id,street,population,households,x_km,y_km\nA,S,30,10,0,0\n");
    tu_write(dir, "s.csv", "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
                           "F,S,fixed,1,60,00:00,24:00,0,0\n");
    tu_write(dir, "l.csv", "id,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
                           "L,1,96,60,00:00,24:00,0,5\n");
    char r[2048];
    size_t o = (size_t)snprintf(r, sizeof r, "id,community,household,door_to_door,high_risk\n");
    for (int i = 0; i < 30; i++)
      o += (size_t)snprintf(r + o, sizeof r - o, "R%02d,A,H%d,0,0\n", i, i / 3);
    tu_write(dir, "r.csv", r);
    psc_scenario_t *s = tu_load(dir);
    psc_plan_t *p = NULL;
    assert_int_equal(psc_plan_create(s, NULL, &p), 0);
    const psc_tubes_t *t = psc_plan_tubes(p);
    assert_int_equal(t->count, keep ? 10 : 6);
    for (uint32_t k = 0; k < t->count; k++)
      assert_int_equal(t->swabs[k], keep ? 3 : 5);
    /* in swab order: tube k holds residents 5k .. 5k+4 */
    if (!keep) {
      uint32_t m[5];
      for (uint32_t k = 0; k < 6; k++) {
        assert_int_equal(psc_plan_tube_members(p, k, m, 5), 5);
        for (uint32_t j = 0; j < 5; j++)
          assert_int_equal(psc_plan_resident_tube(p, m[j]), k);
      }
    }
    psc_plan_free(p);
    psc_scenario_free(s);
    tu_rmtree(dir);
    free(dir);
  }
}

static void test_bad_run_start(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  FILE *f = fopen(tu_path(dir, "scenario.ini"), "ab");
  fputs("[lab]\nrun_start = lazy\n", f);
  fclose(f);
  char ini[1024];
  snprintf(ini, sizeof ini, "%s", tu_path(dir, "scenario.ini"));
  /* the appended key is on the file's last line, its value at column 13 */
  FILE *g = fopen(ini, "rb");
  int lines = 0, ch;
  while ((ch = fgetc(g)) != EOF)
    lines += ch == '\n';
  fclose(g);
  tu_expect_error(ini, "scenario.ini", (uint32_t)lines, 13, "run_start 'lazy' is not planned or eager");
  tu_rmtree(dir);
  free(dir);
}

/* The default scenario planned without advice, with `[deadlines] street`
 * set to street_h when it is not NULL; free with psc_plan_free,
 * psc_scenario_free. */
static psc_plan_t *plan_default(const char *street_h, psc_scenario_t **sp) {
  psc_diags_t *d = psc_diags_create();
  psc_override_t set = {"deadlines.street", street_h, "test", 1, 1};
  psc_scenario_options_t so = {0, &set, street_h ? 1 : 0};
  assert_int_equal(psc_scenario_load_with(NULL, &so, d, sp), 0);
  psc_diags_free(d);
  psc_plan_options_t o = psc_plan_options_default();
  o.advise = 0;
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(*sp, &o, &p), 0);
  return p;
}

/* The default scenario (Shijingshan): every key community and street met;
 * the district's bound is the whole-run count (about T+49:46) and the plan
 * is no better than it, and within an hour of it (#13's target); the
 * district is infeasible with these resources. */
static void test_default_verdicts(void **state) {
  (void)state;
  psc_scenario_t *s = NULL;
  psc_plan_t *p = plan_default(NULL, &s);
  const psc_communities_t *cm = psc_scenario_communities(s);
  for (uint32_t c = 0; c < cm->count; c++)
    if (cm->key[c])
      assert_true(psc_plan_community(p, c)->met);
  for (uint32_t k = 0; k < psc_scenario_streets(s)->count; k++)
    assert_true(psc_plan_street(p, k)->met);
  const psc_verdict_t *dv = psc_plan_district(p);
  assert_true(fabs(dv->bound - (49 * 60 + 46)) <= 30);
  assert_true(dv->complete >= dv->bound);
  /* a partner at T0 (docs/plan.md): Gucheng opens with the key streets in
   * Guangning's place and the labs are aligned to the end, T+49:56; without
   * the partner T+50:59, and without the alignment moving to the instrument
   * of a lab that starts first (labs.c) T+50:49 */
  assert_true(dv->complete <= dv->bound + 60);
  /* the partner: an ordinary street pinned at T0, the plan at its margin */
  uint32_t pt = psc_plan_partner(p);
  assert_true(pt != UINT32_MAX && psc_plan_street_open(p, pt) == 0);
  for (uint32_t c = 0; c < cm->count; c++)
    assert_false(cm->street[c] == pt && cm->key[c]);
  assert_true(fabs(psc_plan_margin_hours(p) - 2.0) < 1e-9);
  assert_true(dv->infeasible && !dv->met);
  psc_plan_free(p);
  psc_scenario_free(s);
}

/* `gen` cities of several sizes and seeds, a third in arrays: every unit's
 * bound is at most what the plan achieved, an infeasible unit is missed,
 * and every resident is in a tube or on an exception list. */
static void test_gen_cities_bounds(void **state) {
  (void)state;
  static const uint64_t sizes[] = {20000, 60000, 150000};
  for (int k = 0; k < 6; k++) {
    uint64_t n = sizes[k % 3], seed = 11 + (uint64_t)k;
    char *dir =
        tu_gen_city(n, seed, k % 3 == 2 ? "[pooling]\ndesign = array\narray_size = 8\n" : NULL);
    psc_scenario_t *s = tu_load(dir);
    psc_plan_options_t o = psc_plan_options_default();
    o.advise = 0;
    psc_plan_t *p = NULL;
    assert_int_equal(psc_plan_create(s, &o, &p), 0);
    const psc_communities_t *cm = psc_scenario_communities(s);
    for (uint32_t c = 0; c < cm->count; c++) {
      const psc_verdict_t *v = psc_plan_community(p, c);
      if (v->tubes && v->bound > v->complete + 1e-6)
        fail_msg("city %llu/%llu: community %u bound %g above %g", (unsigned long long)n,
                 (unsigned long long)seed, c, v->bound, v->complete);
      assert_true(!v->infeasible || !v->met);
    }
    for (uint32_t st = 0; st < psc_scenario_streets(s)->count; st++) {
      const psc_verdict_t *v = psc_plan_street(p, st);
      if (v->tubes && v->bound > v->complete + 1e-6)
        fail_msg("city %llu/%llu: street %u bound %g above %g", (unsigned long long)n,
                 (unsigned long long)seed, st, v->bound, v->complete);
      assert_true(!v->infeasible || !v->met);
    }
    const psc_verdict_t *d = psc_plan_district(p);
    assert_true(d->bound <= d->complete + 1e-6);
    assert_true(!d->infeasible || !d->met);
    uint64_t placed = 0;
    const psc_roster_t *r = psc_scenario_roster(s);
    for (uint32_t i = 0; i < r->residents; i++)
      placed += psc_plan_resident_tube(p, i) != UINT32_MAX || psc_plan_resident_exception(p, i);
    assert_int_equal(placed, r->residents);
    psc_plan_free(p);
    psc_scenario_free(s);
    tu_rmtree(dir);
    free(dir);
  }
}

/* The advice's fix is verified by one chain of the planner's search; the
 * whole search a user runs with those additions must meet every deadline
 * too, with a district at least as early (docs/plan.md, "The cheapest
 * fix"). Checked on the default scenario and on small cities given a 30 h
 * district deadline (two of the four get a fix with instruments). */
static void check_advice_holds(const char *dir) {
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(dir ? psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s)
                       : psc_scenario_load_default(d, &s),
                   0);
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(s, NULL, &p), 0);
  const psc_advice_t *a = psc_plan_advice(p);
  if (!a->needed || !a->found || !a->count) {
    psc_plan_free(p);
    psc_scenario_free(s);
    psc_diags_free(d);
    return;
  }
  const psc_labs_t *lb = psc_scenario_labs(s);
  const psc_sites_t *st = psc_scenario_sites(s);
  char text[PSC_ADVICE_MAX][160], buf[PSC_ADVICE_MAX][200];
  psc_override_t ov[PSC_ADVICE_MAX];
  uint32_t n = 0;
  for (uint32_t k = 0; k < a->count; k++) {
    const psc_addition_t *it = &a->items[k];
    if (it->kind == PSC_ADD_INSTRUMENT)
      snprintf(text[n], sizeof text[n], "labs.%s.instruments=+%u", lb->id[it->index], it->count);
    else if (it->kind == PSC_ADD_BOOTH || it->kind == PSC_ADD_TEAM)
      snprintf(text[n], sizeof text[n], "sites.%s.booths=+%u", st->id[it->index], it->count);
    else
      continue; /* longer hours: not expressible as a single table edit here */
    assert_int_equal(psc_override_parse(text[n], buf[n], sizeof buf[n], "test", 1, 1, &ov[n]), 0);
    n++;
  }
  if (n == a->count) {
    psc_scenario_options_t so = {0, ov, n};
    psc_scenario_t *s2 = NULL;
    assert_int_equal(psc_scenario_load_with(dir ? tu_path(dir, "scenario.ini") : NULL, &so, d, &s2),
                     0);
    psc_plan_options_t o = psc_plan_options_default();
    o.advise = 0;
    psc_plan_t *p2 = NULL;
    assert_int_equal(psc_plan_create(s2, &o, &p2), 0);
    const psc_communities_t *cm = psc_scenario_communities(s2);
    for (uint32_t c = 0; c < cm->count; c++)
      if (cm->key[c] && psc_plan_community(p2, c)->tubes)
        assert_true(psc_plan_community(p2, c)->met);
    for (uint32_t k = 0; k < psc_scenario_streets(s2)->count; k++)
      if (psc_plan_street(p2, k)->tubes)
        assert_true(psc_plan_street(p2, k)->met);
    assert_true(psc_plan_district(p2)->met);
    if (psc_plan_district(p2)->complete > a->district_after + 1e-6)
      fail_msg("%s: district %g with the fix, advice said %g", dir ? dir : "default",
               psc_plan_district(p2)->complete, a->district_after);
    psc_plan_free(p2);
    psc_scenario_free(s2);
  }
  psc_plan_free(p);
  psc_scenario_free(s);
  psc_diags_free(d);
}

static void test_advice_holds_in_the_whole_search(void **state) {
  (void)state;
  check_advice_holds(NULL);
  for (int k = 0; k < 4; k++) {
    /* a 30 h district deadline: most of these cities miss it and need more instruments */
    char *dir = tu_gen_city(40000 + 20000 * (uint64_t)k, 101 + (uint64_t)k,
                            "[deadlines]\ndistrict = 30\n");
    check_advice_holds(dir);
    tu_rmtree(dir);
    free(dir);
  }
}

/* One street S of 600 residents in one community, T0 06:00, with the
 * given sites (rows of sites.csv) and one lab: planned, and its walk-in
 * sampling curve in *c (free with psc__sampling_curve_free, then done). */
static psc_plan_t *street_curve(const char *site_rows, char **dir, psc_scenario_t **s,
                                psc__sampling_curve_t *c) {
  char sites[512];
  *dir = tu_tmpdir();
  tu_write(*dir, "scenario.ini",
           "[scenario]\nstart = 2022-05-01 06:00\n"
           "[tables]\ncommunities = c.csv\nsites = s.csv\nlabs = l.csv\n");
  tu_write(*dir, "c.csv", "id,street,population,households,x_km,y_km\nA,S,600,600,0,0\n");
  snprintf(sites, sizeof sites,
           "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n%s", site_rows);
  tu_write(*dir, "s.csv", sites);
  tu_write(*dir, "l.csv", "id,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
                          "L,1,96,60,00:00,24:00,0,5\n");
  *s = tu_load(*dir);
  psc_plan_options_t o = psc_plan_options_default();
  o.advise = 0;
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(*s, &o, &p), 0);
  psc__variant_t none = {0};
  assert_int_equal(psc__sampling_curve_init(c, &p->x, &none, 7 * 1440.0), 0);
  return p;
}

/* A street's walk-in sampling from a given opening, worked by hand: 600
 * residents, one booth at 60 an hour open 07:00-21:00, T0 06:00. Opened at
 * T0 it samples 07:00-17:00 (T+660); opened at noon (T+360) it takes 540
 * swabs by 21:00 and the last 60 next morning, 07:00-08:00 (T+1560). With
 * 13 h allowed after the opening, the first opening from noon on that fits
 * is 04:00 next morning (T+1320), its sampling ending at 17:00 (T+2100). */
static void test_sampling_spill(void **state) {
  (void)state;
  char *dir;
  psc_scenario_t *s;
  psc__sampling_curve_t c;
  psc_plan_t *p = street_curve("C,S,community,1,60,07:00,21:00,0,0\n", &dir, &s, &c);
  assert_true(fabs(psc__sampling_end(&c, 0, 0) - 660) < 1e-6);
  assert_true(fabs(psc__sampling_end(&c, 0, 360) - 1560) < 1e-6);
  assert_true(fabs(psc__feasible_opening(&c, 0, 0, 780) - 0) < 1e-6);
  assert_true(fabs(psc__feasible_opening(&c, 0, 360, 780) - 1320) < 1e-6);
  assert_true(fabs(psc__sampling_end(&c, 0, 1320) - 2100) < 1e-6);
  psc__sampling_curve_free(&c);
  done(p, s, dir);
}

/* Feeding the night, worked by hand: a walk-in site at 60 an hour open
 * 07:00-21:00 and a round-the-clock one at 20 an hour, T0 06:00. The
 * street's peak is 80 an hour; at night it swabs 20, under half. Opened at
 * midnight (T+1080) or at 06:30 next morning (T+1470), its evening before
 * ends when the walk-in site closes, 21:00 (T+900); opened at 16:00
 * (T+600) it opens in daylight; at T0 (06:00, only the round-the-clock
 * site) no evening lies before it. */
static void test_evening_before(void **state) {
  (void)state;
  char *dir;
  psc_scenario_t *s;
  psc__sampling_curve_t c;
  psc_plan_t *p = street_curve("C,S,community,1,60,07:00,21:00,0,0\n"
                               "F,S,fixed,1,20,00:00,24:00,0,0\n",
                               &dir, &s, &c);
  assert_true(fabs(psc__evening_before(&c, 0, 1080) - 900) < 1e-6);
  assert_true(fabs(psc__evening_before(&c, 0, 1470) - 900) < 1e-6);
  assert_true(isnan(psc__evening_before(&c, 0, 600)));
  assert_true(isnan(psc__evening_before(&c, 0, 0)));
  psc__sampling_curve_free(&c);
  done(p, s, dir);
}

/* The two labs of the hand-worked alignment cases (below), people living
 * alone in one community (communities.csv row), planned. */
static psc_plan_t *two_labs(const char *community, char **dir, psc_scenario_t **s) {
  *dir = tu_scenario("[scenario]\nstart = 2022-05-01 06:00\n[pooling]\npool_size = 1\n"
                     "[transport]\nbatch_minutes = 10\n[lab]\nrun_start = planned\n",
                     community, "F,S,fixed,1,12,00:00,24:00,0,0\n",
                     "A,1,2,100,00:00,24:00,0,5\nB,1,2,70,00:00,24:00,5,0\n");
  *s = tu_load(*dir);
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(*s, NULL, &p), 0);
  return p;
}

/* Aligning the end, worked by hand. Fourteen people living alone, pool 1,
 * one booth at 12 an hour: tubes sealed every 5 minutes leave two by two
 * at 10, 20, ..., 70 and reach either lab 25 minutes later (5 km at 30
 * km/h plus the handover), at 35, 45, ..., 95. Lab A: one instrument, 2
 * wells, 100-minute runs; lab B: one, 2 wells, 70-minute runs; results 30
 * minutes after a run.
 * Unaligned, the run that ends first is formed first: B 35-105, A 45-145,
 * B 105-175, A 145-245 (a tie at 245, lab order), B 175-245, B 245-315,
 * A 245-345: complete 375.
 * Aligned to 365 (runs end by 335): three runs of A fit only from 35,
 * while B's four fit from any start up to 55, so A's first run is formed
 * first: A 35-135, B 45-115, B 115-185, A 135-235, B 185-255, B 255-325,
 * A 235-335: complete 365, ten minutes earlier. 365 is A's whole-run
 * boundary (first arrival 35, three runs, the report), which the search
 * tries. */
static void test_align_the_end(void **state) {
  (void)state;
  char *dir;
  psc_scenario_t *s;
  psc_plan_t *p = two_labs("C,S,14,14,0,0\n", &dir, &s);
  /* the search finds it: an end from A's boundary (35 + 3 x 100 + 30) to
   * the unaligned 375 */
  assert_true(psc_plan_align_end(p) >= 365 && psc_plan_align_end(p) < 375);
  assert_true(fabs(psc_plan_district(p)->complete - 365) < 1e-9);
  psc__eval_t e;
  memset(&e, 0, sizeof e);
  assert_int_equal(psc__eval_alloc(&e, &p->x), 0);
  psc__variant_t v = p->v;
  static const double unaligned[] = {45, 145, 245, 35, 105, 175, 245};
  static const double aligned[] = {35, 135, 235, 45, 115, 185, 255};
  for (int k = 0; k < 2; k++) {
    v.align_end = k ? 365 : 0;
    assert_int_equal(psc__evaluate(&p->x, &v, &e), 0);
    assert_true(fabs(e.district.complete - (k ? 365 : 375)) < 1e-9);
    assert_int_equal(e.nruns, 7);
    for (uint32_t r = 0; r < e.nruns; r++) { /* runs in lab order, then start */
      assert_true(fabs(e.run_begin[r] - (k ? aligned : unaligned)[r]) < 1e-9);
      assert_int_equal(e.run_tubes[r], 2);
    }
  }
  psc__eval_free(&e);
  done(p, s, dir);
}

/* The slack spares: the same two labs with twelve people. Aligned to 365,
 * A's three runs from 35 and B's four hold 14 tubes, two more than the
 * twelve: a plate to spare, so the instrument whose runs are hardest to
 * keep (A, latest start 35 against B's 55) is not aligned, and B's first
 * run (keyed 55) comes first as it would unaligned (its end, 105, before
 * A's 145): the runs are the unaligned ones. */
static void test_align_slack_spares(void **state) {
  (void)state;
  char *dir;
  psc_scenario_t *s;
  psc_plan_t *p = two_labs("C,S,12,12,0,0\n", &dir, &s);
  psc__eval_t e[2];
  memset(e, 0, sizeof e);
  psc__variant_t v = p->v;
  for (int k = 0; k < 2; k++) {
    assert_int_equal(psc__eval_alloc(&e[k], &p->x), 0);
    v.align_end = k ? 365 : 0;
    assert_int_equal(psc__evaluate(&p->x, &v, &e[k]), 0);
  }
  assert_int_equal(e[0].nruns, e[1].nruns);
  for (uint32_t r = 0; r < e[0].nruns; r++) {
    assert_true(fabs(e[0].run_begin[r] - e[1].run_begin[r]) < 1e-9);
    assert_int_equal(e[0].run_lab[r], e[1].run_lab[r]);
    assert_int_equal(e[0].run_tubes[r], e[1].run_tubes[r]);
  }
  /* A's first run at 45: B took the tubes of 35 */
  assert_true(fabs(e[1].run_begin[0] - 45) < 1e-9 && e[1].run_lab[0] == 0);
  for (int k = 0; k < 2; k++)
    psc__eval_free(&e[k]);
  done(p, s, dir);
}

/* A lab's runs are formed in start order, aligned or not: one lab, two
 * instruments of 96 wells and 100-minute runs, results at once; 96 tubes
 * there at 0, 1 at 20, 94 at 60, 1 at 115 and 481 at 300. Aligned to 415,
 * both instruments are aligned (four runs each from 0 hold 768, 95 more
 * than the 673 tubes: less than a plate to spare). Instrument 0 runs 0-100
 * with the first 96. Instrument 1's first run is held for its plate, which
 * fills at 115, its latest start keeping three runs; keyed by that start
 * (115) it would be formed before instrument 0's next run (ends 200) and
 * take the 95 waiting tubes, leaving instrument 0 idle from 100. It waits
 * behind that run instead: instrument 0 runs 100-200 with the 95,
 * instrument 1 115-215 with the tube of 115, as unaligned. */
static void test_align_keeps_start_order(void **state) {
  (void)state;
  static const double dep[] = {0, 20, 60, 115, 300};
  static const uint32_t cnt[] = {96, 1, 94, 1, 481};
  const uint32_t nt = 673;
  uint32_t inst[] = {2}, wells[] = {96}, run_min[] = {100}, near[PSC__NEAR_LABS];
  double near_min[PSC__NEAR_LABS];
  for (int j = 0; j < PSC__NEAR_LABS; j++)
    near[j] = j ? PSC__NONE : 0, near_min[j] = 0;
  psc__hours_t hours[] = {psc__hours(0, 1440, 0)};
  uint32_t *by_site = calloc(nt, 4), *cls = calloc(nt, 4), site_first[] = {0, nt};
  double *deadline = calloc(nt, 8);
  for (int a = 0; a < 2; a++) {
    psc__eval_t e;
    memset(&e, 0, sizeof e);
    e.site = calloc(nt, 4);
    e.lab = calloc(nt, 4);
    e.run = calloc(nt, 4);
    e.departed = calloc(nt, 8);
    e.arrived = calloc(nt, 8);
    e.run_start = calloc(nt, 8);
    e.reported = calloc(nt, 8);
    for (uint32_t g = 0, t = 0; g < 5; g++)
      for (uint32_t j = 0; j < cnt[g]; j++, t++) {
        e.departed[t] = dep[g];
        by_site[t] = t;
        deadline[t] = 1e6;
      }
    psc__labmodel_t m = {.nlabs = 1, .nsites = 1, .inst = inst, .wells = wells,
                         .run_min = run_min, .hours = hours, .near_lab = near,
                         .near_lab_min = near_min, .planned = 1, .hold = 1,
                         .align_end = a ? 415 : 0};
    assert_int_equal(psc__pull_labs(&m, by_site, site_first, nt, deadline, cls, 1, &e), 0);
    /* in start order: instrument 0 at 0 and 100, then instrument 1 at 115;
     * the rest from 300 */
    static const double begin[] = {0, 100, 115};
    static const uint32_t tubes[] = {96, 95, 1}, who[] = {0, 0, 1};
    assert_true(e.nruns > 3 && e.run_begin[3] >= 300);
    for (uint32_t r = 0; r < 3; r++) {
      assert_true(fabs(e.run_begin[r] - begin[r]) < 1e-9);
      assert_int_equal(e.run_tubes[r], tubes[r]);
      assert_int_equal(e.run_instrument[r], who[r]);
    }
    psc__eval_free(&e);
  }
  free(by_site);
  free(cls);
  free(deadline);
}

/* The default scenario with 30 h street deadlines: streets no longer bind
 * and the district is the labs' to win; aligned, the plan completes within
 * 15 minutes of its whole-run bound (T+49:52 against T+49:46; T+50:51
 * without the alignment), every deadline but the district's met. */
static void test_align_the_end_default(void **state) {
  (void)state;
  psc_scenario_t *s = NULL;
  psc_plan_t *p = plan_default("30", &s);
  const psc_verdict_t *dv = psc_plan_district(p);
  assert_true(psc_plan_align_end(p) > 0);
  assert_true(dv->complete <= dv->bound + 15);
  for (uint32_t k = 0; k < psc_scenario_streets(s)->count; k++)
    assert_true(psc_plan_street(p, k)->met);
  psc_plan_free(p);
  psc_scenario_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_planned_holds_for_a_full_plate),
      cmocka_unit_test(test_keep_households),
      cmocka_unit_test(test_bad_run_start),
      cmocka_unit_test(test_default_verdicts),
      cmocka_unit_test(test_gen_cities_bounds),
      cmocka_unit_test(test_advice_holds_in_the_whole_search),
      cmocka_unit_test(test_sampling_spill),
      cmocka_unit_test(test_evening_before),
      cmocka_unit_test(test_align_the_end),
      cmocka_unit_test(test_align_slack_spares),
      cmocka_unit_test(test_align_keeps_start_order),
      cmocka_unit_test(test_align_the_end_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
