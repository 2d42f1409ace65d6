/* Changes applied while loading (--set, batch variants): parameters through
 * the parameter table, table edits, unknown keys with "did you mean", and
 * the positions every message points at. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* Loads the tiny scenario in dir with the given NAME=VALUE changes, each
 * located at cmdline:1:(k+1); returns the rc, the scenario in *s. */
static int load_with(const char *dir, const char *const *sets, size_t n, int lenient,
                     psc_diags_t *d, psc_scenario_t **s) {
  psc_override_t o[16];
  static char buf[16][256];
  for (size_t k = 0; k < n; k++)
    assert_int_equal(psc_override_parse(sets[k], buf[k], sizeof buf[k], "cmdline", 1,
                                        (uint32_t)k + 1, &o[k]),
                     0);
  psc_scenario_options_t opt = {lenient, o, n};
  return psc_scenario_load_with(dir ? tu_path(dir, "scenario.ini") : NULL, &opt, d, s);
}

static void test_parse(void **state) {
  (void)state;
  char buf[64];
  psc_override_t o;
  assert_int_equal(psc_override_parse("  pooling.pool_size = 20 ", buf, sizeof buf, "f", 3, 4, &o),
                   0);
  assert_string_equal(o.name, "pooling.pool_size");
  assert_string_equal(o.value, "20");
  assert_int_equal(o.line, 3);
  assert_int_equal(o.column, 4);
  assert_int_equal(psc_override_parse("no equals", buf, sizeof buf, "f", 1, 1, &o), PSC_EINPUT);
  assert_int_equal(psc_override_parse(" =3", buf, sizeof buf, "f", 1, 1, &o), PSC_EINPUT);
}

static void test_params(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  const char *sets[] = {"pooling.pool_size=3", "deadlines.key=8", "scenario.seed=11"};
  assert_int_equal(load_with(dir, sets, 3, 0, d, &s), 0);
  assert_int_equal(psc_scenario_params(s)->pool_size, 3);
  assert_true(psc_scenario_params(s)->deadline_key_h == 8);
  assert_int_equal(psc_scenario_params(s)->seed, 11);
  /* the roster follows the overridden seed: the same as written in the INI */
  char *dir2 = tu_tiny_copy();
  tu_write(dir2, "scenario.ini",
           "[scenario]\nseed = 11\n[pooling]\npool_size = 3\n[tables]\ncommunities = "
           "communities.csv\nsites = sites.csv\nlabs = labs.csv\n");
  psc_scenario_t *same = tu_load(dir2);
  const psc_roster_t *a = psc_scenario_roster(s), *b = psc_scenario_roster(same);
  assert_int_equal(a->households, b->households);
  assert_memory_equal(a->hh_first, b->hh_first, (a->households + 1) * sizeof(uint32_t));
  assert_memory_equal(a->res_flags, b->res_flags, a->residents);
  psc_scenario_free(same);
  tu_rmtree(dir2);
  free(dir2);
  psc_scenario_free(s);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

static void test_param_errors(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  const char *sets[] = {"pooling.pool_sise=3", "deadlines.key=-1", "lab.pool_size=4",
                        "pooling.pool_size=auto", "pooling.design=arrays"};
  assert_int_equal(load_with(dir, sets, 5, 0, d, &s), PSC_EINPUT);
  assert_null(s);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 1,
                          "unknown parameter 'pooling.pool_sise' (did you mean "
                          "'pooling.pool_size'?)"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 2, "key '-1'"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 3, "did you mean 'pooling.pool_size'"));
  /* checks after the INI point at the override that set the value */
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 4, "needs prevalence"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 5, "design 'arrays'"));
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

static void test_unknown_ini_key(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  tu_write(dir, "scenario.ini",
           "[pooling]\npool_sise = 5\n[deadline]\nkey = 3\n[tables]\ncommunities = "
           "communities.csv\nsites = sites.csv\nlabs = labs.csv\n");
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(load_with(dir, NULL, 0, 0, d, &s), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 2, 1,
                          "unknown key 'pool_sise' in [pooling] (did you mean "
                          "'pooling.pool_size'?)"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "scenario.ini", 4, 1,
                          "unknown section [deadline] (did you mean 'deadlines.key'?)"));
  psc_diags_free(d);
  /* --lenient: the same file loads, with warnings */
  d = psc_diags_create();
  assert_int_equal(load_with(dir, NULL, 0, 1, d, &s), 0);
  assert_int_equal(psc_diags_errors(d), 0);
  assert_true(tu_has_diag(d, PSC_DIAG_WARNING, "scenario.ini", 2, 1, "pool_sise' in [pooling] ignored"));
  psc_scenario_free(s);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

static void test_table_edits(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL, *base = NULL;
  assert_int_equal(psc_scenario_load_default(d, &base), 0);
  const char *sets[] = {"labs.L04.instruments=+2", "labs.L01.hours=08:00-20:00",
                        "streets.Bajiao.booths=x1.5", "sites.110107001-F1.booths=3",
                        "labs.L02.drop=true", "labs.*.run_minutes=-8",
                        "streets.Gucheng.teams=+1"};
  assert_int_equal(load_with(NULL, sets, 7, 0, d, &s), 0);
  const psc_labs_t *lb = psc_scenario_labs(base), *le = psc_scenario_labs(s);
  assert_int_equal(le->count, lb->count - 1);
  assert_string_equal(le->id[1], "L03"); /* L02 dropped, the rest renumbered */
  assert_int_equal(le->instruments[2], lb->instruments[3] + 2);
  assert_int_equal(le->open_min[0], 480);
  assert_int_equal(le->close_min[0], 1200);
  for (uint32_t l = 0; l < le->count; l++)
    assert_int_equal(le->run_minutes[l], lb->run_minutes[l + (l >= 1)] - 8);
  const psc_sites_t *sb = psc_scenario_sites(base), *se = psc_scenario_sites(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  for (uint32_t i = 0; i < se->count; i++) {
    const char *street = sv->name[se->street[i]];
    uint32_t want = sb->booths[i];
    if (!strcmp(se->id[i], "110107001-F1"))
      want = 3;
    else if (!strcmp(street, "Bajiao") && se->kind[i] != PSC_SITE_DOOR_TO_DOOR)
      want = (uint32_t)(sb->booths[i] * 1.5 + 0.5);
    else if (!strcmp(street, "Gucheng") && se->kind[i] == PSC_SITE_DOOR_TO_DOOR)
      want = sb->booths[i] + 1;
    assert_int_equal(se->booths[i], want);
  }
  psc_scenario_free(s);
  psc_scenario_free(base);
  psc_diags_free(d);
}

static void test_table_edit_errors(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  const char *sets[] = {"labs.LAB2.instruments=1", "labs.LAB1.instrument=2",
                        "labs.LAB1.instruments=-1", "sites.N-F1.hours=06:00-06:00",
                        "streets.Nroth.booths=2",  "labs.LAB1.drop=true",
                        "sites.S-F1.booths=many",  "streets.South.teams=+1",
                        "labs.LAB1=3"};
  assert_int_equal(load_with(dir, sets, 9, 0, d, &s), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 1, "no lab 'LAB2' (did you mean 'LAB1'?)"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 2,
                          "unknown field 'instrument' (did you mean 'instruments'?)"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 3, "would be 0, outside 1..100000"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 4, "would be empty"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 5, "no street 'Nroth' (did you mean 'North'?)"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 6, "at least one lab left"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 7, "'many' is not N, +N, -N or xF"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 8, "street 'South' has no door_to_door team"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "cmdline", 1, 9, "is not TABLE.ID.FIELD"));
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),           cmocka_unit_test(test_params),
      cmocka_unit_test(test_param_errors),    cmocka_unit_test(test_unknown_ini_key),
      cmocka_unit_test(test_table_edits),     cmocka_unit_test(test_table_edit_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
