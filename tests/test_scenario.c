/* Scenario loading: one test per class of bad input, each checking the exact
 * FILE:LINE:COLUMN of its message, and the good cases. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The tiny scenario's INI, written by the tests so line numbers are here. */
static const char *INI = "[scenario]\n"           /* 1 */
                         "name = t\n"             /* 2 */
                         "seed = 3\n"             /* 3 */
                         "[tables]\n"             /* 4 */
                         "communities = communities.csv\n" /* 5 */
                         "sites = sites.csv\n"    /* 6 */
                         "labs = labs.csv\n";     /* 7 */

static const char *COMM_HEAD =
    "id,street,name,population,households,key,door_to_door,high_risk,x_km,y_km\n";

/* A tiny scenario in a new directory with one file replaced (NULL: none). */
static char *with_file(const char *name, const char *content) {
  char *dir = tu_tiny_copy();
  tu_write(dir, "scenario.ini", INI);
  if (name)
    tu_write(dir, name, content);
  return dir;
}

static void expect(const char *name, const char *content, const char *file, uint32_t line,
                   uint32_t col, const char *text) {
  char *dir = with_file(name, content);
  tu_expect_error(tu_path(dir, "scenario.ini"), file, line, col, text);
  tu_rmtree(dir);
  free(dir);
}

static char *comm(const char *rows) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s%s", COMM_HEAD, rows);
  return buf;
}

static void test_tiny_loads(void **state) {
  (void)state;
  char *dir = with_file(NULL, NULL);
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s), 0);
  assert_int_equal(psc_diags_count(d), 0);
  assert_int_equal(psc_scenario_communities(s)->count, 4);
  assert_int_equal(psc_scenario_streets(s)->count, 2);
  assert_string_equal(psc_scenario_streets(s)->name[1], "South");
  assert_int_equal(psc_scenario_sites(s)->count, 3);
  assert_int_equal(psc_scenario_sites(s)->kind[1], PSC_SITE_DOOR_TO_DOOR);
  assert_int_equal(psc_scenario_sites(s)->open_min[0], 360);
  assert_int_equal(psc_scenario_sites(s)->close_min[2], 1440);
  assert_int_equal(psc_scenario_labs(s)->wells[0], 4);
  assert_int_equal(psc_scenario_roster(s)->residents, 95);
  assert_int_equal(psc_scenario_roster(s)->households, 38);
  assert_int_equal(psc_scenario_params(s)->pool_size, 10); /* default: INI above sets none */
  char id[64];
  psc_scenario_resident_id(s, 0, id, sizeof id);
  assert_string_equal(id, "A1-1");
  psc_scenario_resident_id(s, 40, id, sizeof id);
  assert_string_equal(id, "A2-1");
  psc_scenario_household_id(s, 16, id, sizeof id);
  assert_string_equal(id, "A2-H1");
  psc_scenario_free(s);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

static void test_default_scenario(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load_default(d, &s), 0);
  assert_int_equal(psc_diags_count(d), 0);
  const psc_roster_t *r = psc_scenario_roster(s);
  assert_int_equal(r->residents, 567851);
  assert_int_equal(psc_scenario_streets(s)->count, 9);
  assert_int_equal(psc_scenario_communities(s)->count, 150);
  const psc_labs_t *l = psc_scenario_labs(s);
  assert_int_equal(l->count, 10);
  double cap = 0;
  for (uint32_t i = 0; i < l->count; i++)
    cap += (double)l->instruments[i] * l->wells[i] *
           psc_open_minutes(l->open_min[i], l->close_min[i]) / l->run_minutes[i];
  assert_true(cap == 30000.0);
  uint64_t hr = 0;
  for (uint32_t i = 0; i < psc_scenario_communities(s)->count; i++)
    hr += psc_scenario_communities(s)->high_risk[i];
  assert_int_equal(hr, 22 + 185);
  psc_scenario_free(s);
  psc_diags_free(d);
}

static void test_missing_files(void **state) {
  (void)state;
  tu_expect_error("/nonexistent/dir/x.ini", "x.ini", 1, 1, "cannot open scenario file");
  char *dir = with_file(NULL, NULL);
  tu_write(dir, "scenario.ini",
           "[tables]\ncommunities = nope.csv\nsites = sites.csv\nlabs = labs.csv\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 2, 15,
                  "cannot open communities table");
  tu_write(dir, "scenario.ini", "[tables]\nsites = sites.csv\nlabs = labs.csv\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 1, 1,
                  "missing required key 'communities' in section [tables]");
  tu_rmtree(dir);
  free(dir);
}

static void test_empty_files(void **state) {
  (void)state;
  expect("communities.csv", "", "communities.csv", 1, 1, "file is empty");
  expect("scenario.ini", "", "scenario.ini", 1, 1, "file is empty");
}

static void test_missing_column(void **state) {
  (void)state;
  expect("sites.csv", "id,street,kind,booths,open,close,x_km,y_km\nX,North,fixed,1,06:00,18:00,0,0\n",
         "sites.csv", 1, 1, "missing required column 'swabs_per_booth_hour'");
}

static void test_not_a_number(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,4O,16,1,2,1,0,0\n"), "communities.csv", 2, 13,
         "population '4O' is not a number");
  expect("communities.csv", comm("A1,North,N1,40,16,1,2,1,east,0\n"), "communities.csv", 2, 25,
         "x_km 'east' is not a number");
}

static void test_negative(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,-40,16,1,2,1,0,0\n"), "communities.csv", 2, 13,
         "population '-40' is negative");
  expect("labs.csv",
         "id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
         "L,n,-1,4,60,00:00,24:00,0,0\n",
         "labs.csv", 2, 5, "instruments '-1' is negative");
}

static void test_out_of_range(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,40,16,2,2,1,0,0\n"), "communities.csv", 2, 19,
         "key '2' is out of range");
  expect("communities.csv", comm("A1,North,N1,99999999999999999999999,16,1,2,1,0,0\n"),
         "communities.csv", 2, 13, "is out of range");
  expect("sites.csv",
         "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
         "N,North,fixed,0,60,06:00,18:00,0,0\nS,South,fixed,1,60,06:00,18:00,0,0\n",
         "sites.csv", 2, 15, "booths '0' is out of range");
  char *dir = with_file(NULL, NULL);
  tu_write(dir, "scenario.ini",
           "[pooling]\npool_size = 0\n[tables]\ncommunities = communities.csv\n"
           "sites = sites.csv\nlabs = labs.csv\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 2, 13,
                  "pool_size '0' is out of range");
  tu_rmtree(dir);
  free(dir);
}

static void test_duplicate_id(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,40,16,1,2,1,0,0\nA1,North,N2,25,10,0,1,0,1,0\n"),
         "communities.csv", 3, 1, "duplicate community id 'A1' (first at line 2)");
  expect("sites.csv",
         "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
         "N,North,fixed,1,60,06:00,18:00,0,0\nN,South,fixed,1,60,06:00,18:00,0,0\n",
         "sites.csv", 3, 1, "duplicate site id 'N'");
}

static void test_unknown_references(void **state) {
  (void)state;
  expect("sites.csv",
         "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
         "N,North,fixed,1,60,06:00,18:00,0,0\nS,Suoth,fixed,1,60,06:00,18:00,0,0\n",
         "sites.csv", 3, 3, "unknown street 'Suoth'");
  char *dir = with_file(NULL, NULL);
  tu_write(dir, "scenario.ini",
           "[tables]\ncommunities = communities.csv\nsites = sites.csv\nlabs = labs.csv\n"
           "travel = travel.csv\n");
  tu_write(dir, "travel.csv", "site,lab,minutes\nN-F1,LAB1,12\nN-F9,LAB1,3\nS-F1,LAB2,4\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "travel.csv", 3, 1, "unknown site 'N-F9'");
  tu_expect_error(tu_path(dir, "scenario.ini"), "travel.csv", 4, 6, "unknown lab 'LAB2'");
  tu_write(dir, "scenario.ini",
           "[tables]\ncommunities = communities.csv\nsites = sites.csv\nlabs = labs.csv\n"
           "residents = residents.csv\n");
  tu_write(dir, "residents.csv", "id,community,household\nr1,A1,h1\nr2,Z9,h1\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "residents.csv", 3, 4, "unknown community 'Z9'");
  tu_rmtree(dir);
  free(dir);
}

static void test_household_bounds(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,40,1,1,2,1,0,0\n"), "communities.csv", 2, 16,
         "households 1 outside its bounds for population 40");
  expect("communities.csv", comm("A1,North,N1,40,41,1,2,1,0,0\n"), "communities.csv", 2, 16,
         "households 41 outside its bounds");
}

static void test_too_many_special(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,40,16,1,30,11,0,0\n"), "communities.csv", 2, 21,
         "door_to_door + high_risk = 41 exceeds population 40");
}

static void test_bad_time(void **state) {
  (void)state;
  expect("sites.csv",
         "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
         "N,North,fixed,1,60,6h,18:00,0,0\nS,South,fixed,1,60,06:00,18:00,0,0\n",
         "sites.csv", 2, 20, "open '6h' is not a time of day");
  expect("labs.csv",
         "id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
         "L,n,1,4,60,08:00,08:00,0,0\n",
         "labs.csv", 2, 18, "opening hours 08:00-08:00 are empty");
  char *dir = with_file(NULL, NULL);
  tu_write(dir, "scenario.ini",
           "[scenario]\nstart = 2022-02-30 06:00\n[tables]\ncommunities = communities.csv\n"
           "sites = sites.csv\nlabs = labs.csv\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 2, 9,
                  "is not a valid date and time");
  tu_rmtree(dir);
  free(dir);
}

static void test_street_without_site(void **state) {
  (void)state;
  expect("communities.csv", comm("A1,North,N1,40,16,1,2,1,0,0\nC1,East,E1,10,5,0,0,0,9,9\n"),
         "communities.csv", 3, 4, "street 'East' has residents but no sampling site");
}

static void test_no_lab(void **state) {
  (void)state;
  expect("labs.csv", "id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n",
         "labs.csv", 2, 1, "no lab defined");
}

static void test_residents_mismatch(void **state) {
  (void)state;
  char *dir = with_file(NULL, NULL);
  tu_write(dir, "scenario.ini",
           "[tables]\ncommunities = communities.csv\nsites = sites.csv\nlabs = labs.csv\n"
           "residents = residents.csv\n");
  tu_write(dir, "communities.csv", comm("A1,North,N1,3,2,0,1,0,0,0\nB1,South,S1,2,1,0,0,1,0,5\n"));
  tu_write(dir, "residents.csv",
           "id,community,household,door_to_door,high_risk\n"
           "r1,A1,h1,1,0\nr2,A1,h2,0,0\nr3,B1,h9,0,0\nr4,B1,h9,0,0\nr5,A1,h1,0,0\n");
  /* A1 is right (3 residents in 2 households, 1 door-to-door); B1 has no
   * high-risk resident although communities.csv says 1 */
  tu_expect_error(tu_path(dir, "scenario.ini"), "communities.csv", 3, 21,
                  "high_risk 1 disagrees with");
  tu_write(dir, "communities.csv", comm("A1,North,N1,3,2,0,1,0,0,0\nB1,South,S1,2,1,0,0,0,0,5\n"));
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s), 0);
  const psc_roster_t *r = psc_scenario_roster(s);
  assert_int_equal(r->residents, 5);
  assert_int_equal(r->households, 3);
  assert_int_equal(r->synthesised, 0);
  /* grouped by household: h1 = r1, r5 first */
  char id[32];
  psc_scenario_resident_id(s, 0, id, sizeof id);
  assert_string_equal(id, "r1");
  psc_scenario_resident_id(s, 1, id, sizeof id);
  assert_string_equal(id, "r5");
  psc_scenario_household_id(s, 2, id, sizeof id);
  assert_string_equal(id, "h9");
  assert_int_equal(r->res_flags[0], PSC_RES_DOOR_TO_DOOR);
  assert_int_equal(r->hh_first[3], 5);
  psc_scenario_free(s);
  psc_diags_free(d);
  tu_write(dir, "residents.csv", "id,community,household\nr1,A1,h1\nr1,A1,h2\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "residents.csv", 3, 1, "duplicate resident id");
  tu_rmtree(dir);
  free(dir);
}

static void test_ini_problems(void **state) {
  (void)state;
  char *dir = with_file(NULL, NULL);
  tu_write(dir, "scenario.ini",
           "[tables]\ncommunities = communities.csv\nsites = sites.csv\nlabs = labs.csv\n"
           "labs = labs.csv\nthis is not ini\n[weird]\nx = 1\n[pooling]\nkeep_households = sure\n"
           "colour = blue\n");
  const char *ini = tu_path(dir, "scenario.ini");
  char path[1024];
  snprintf(path, sizeof path, "%s", ini);
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(path, d, &s), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 5, 1, "duplicate key 'labs'"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 6, 1, "expected 'key = value'"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 8, 1, "unknown section [weird]"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 10, 19, "is not a boolean"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 11, 1, "unknown key 'colour'"));
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

/* Every problem is reported, not only the first, across files. */
static void test_all_problems(void **state) {
  (void)state;
  char *dir = with_file("communities.csv",
                        comm("A1,North,N1,-1,16,1,2,1,0,0\nA2,North,N2,25,10,7,1,0,1,0\n"
                             "B1,South,S1,30,12,0,0,0,zero,5\n"));
  tu_write(dir, "labs.csv",
           "id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
           "L,n,1,4,0,00:00,24:00,0,0\n");
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s), PSC_EINPUT);
  assert_int_equal(psc_diags_errors(d), 4);
  psc_diags_sort(d);
  assert_string_equal(strrchr(psc_diags_get(d, 0)->file, '/') + 1, "communities.csv");
  assert_int_equal(psc_diags_get(d, 0)->line, 2);
  assert_int_equal(psc_diags_get(d, 3)->line, 2);
  assert_string_equal(strrchr(psc_diags_get(d, 3)->file, '/') + 1, "labs.csv");
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

/* pool_size = auto takes the optimiser's Dorfman size (20:1 at low
 * prevalence, 11 at 1 %), and needs a prevalence. */
static void test_pool_auto(void **state) {
  (void)state;
  char *dir = with_file(NULL, NULL);
  const char *base = "[tables]\ncommunities = communities.csv\nsites = sites.csv\nlabs = labs.csv\n";
  char ini[512];
  static const struct { const char *prev; int want; } cases[] = {{"0.002", 20}, {"0.01", 11}, {"0.2", 3}};
  for (int i = 0; i < 3; i++) {
    snprintf(ini, sizeof ini, "[pooling]\npool_size = auto\nprevalence = %s\n%s", cases[i].prev, base);
    tu_write(dir, "scenario.ini", ini);
    psc_diags_t *d = psc_diags_create();
    psc_scenario_t *s = NULL;
    assert_int_equal(psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s), 0);
    assert_int_equal(psc_scenario_params(s)->pool_size, cases[i].want);
    assert_int_equal(psc_scenario_params(s)->pool_auto, 1);
    psc_scenario_free(s);
    psc_diags_free(d);
  }
  snprintf(ini, sizeof ini, "[pooling]\npool_size = auto\n%s", base);
  tu_write(dir, "scenario.ini", ini);
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 2, 13,
                  "pool_size = auto needs prevalence");
  snprintf(ini, sizeof ini, "[pooling]\npool_size = sometimes\n%s", base);
  tu_write(dir, "scenario.ini", ini);
  tu_expect_error(tu_path(dir, "scenario.ini"), "scenario.ini", 2, 13, "is not a number");
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tiny_loads),          cmocka_unit_test(test_default_scenario),
      cmocka_unit_test(test_missing_files),       cmocka_unit_test(test_empty_files),
      cmocka_unit_test(test_missing_column),      cmocka_unit_test(test_not_a_number),
      cmocka_unit_test(test_negative),            cmocka_unit_test(test_out_of_range),
      cmocka_unit_test(test_duplicate_id),        cmocka_unit_test(test_unknown_references),
      cmocka_unit_test(test_household_bounds),    cmocka_unit_test(test_too_many_special),
      cmocka_unit_test(test_bad_time),            cmocka_unit_test(test_street_without_site),
      cmocka_unit_test(test_no_lab),              cmocka_unit_test(test_residents_mismatch),
      cmocka_unit_test(test_ini_problems),        cmocka_unit_test(test_all_problems),
      cmocka_unit_test(test_pool_auto),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
