/* Batches: the file format with positioned errors, the variants a grid and
 * named variants make, results equal to planning each variant alone, the
 * same bytes at any thread count, and the command as a user runs it. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static psc_batch_t *load_ok(const char *path) {
  psc_diags_t *d = psc_diags_create();
  psc_batch_t *b = NULL;
  int rc = psc_batch_load(path, d, &b);
  for (size_t i = 0; rc && i < psc_diags_count(d); i++)
    fprintf(stderr, "%u:%u: %s\n", psc_diags_get(d, i)->line, psc_diags_get(d, i)->column,
            psc_diags_get(d, i)->message);
  assert_int_equal(rc, 0);
  psc_diags_free(d);
  return b;
}

/* A batch over the tiny scenario in dir; returns the batch file's path. */
static const char *tiny_batch(const char *dir, const char *body) {
  char text[4096];
  snprintf(text, sizeof text, "[batch]\nscenario = scenario.ini\n%s", body);
  tu_write(dir, "b.batch", text);
  return tu_path(dir, "b.batch");
}

static void test_grid_and_variants(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  char path[1024];
  snprintf(path, sizeof path, "%s",
           tiny_batch(dir, "[base]\ndeadlines.key = 7\n[grid]\npooling.pool_size = 2, 3, 4\n"
                           "deadlines.street = 10, 14\n"));
  psc_batch_t *b = load_ok(path);
  /* a grid alone: no baseline, first key slowest */
  assert_int_equal(psc_batch_variants(b), 6);
  assert_string_equal(psc_batch_variant_name(b, 0), "pooling.pool_size=2, deadlines.street=10");
  assert_string_equal(psc_batch_variant_name(b, 1), "pooling.pool_size=2, deadlines.street=14");
  assert_string_equal(psc_batch_variant_name(b, 5), "pooling.pool_size=4, deadlines.street=14");
  assert_string_equal(psc_batch_variant_changes(b, 3), "pooling.pool_size=3; deadlines.street=14");
  psc_batch_free(b);
  /* named variants crossed with the grid, after the baseline */
  snprintf(path, sizeof path, "%s",
           tiny_batch(dir, "[variant more lab]\nlabs.LAB1.instruments = +1\n"
                           "[variant \"slow\"]\nsites.*.swabs_per_booth_hour = x0.5\n"
                           "[grid]\npooling.pool_size = 2, 4\n"));
  b = load_ok(path);
  assert_int_equal(psc_batch_variants(b), 5);
  assert_string_equal(psc_batch_variant_name(b, 0), "baseline");
  assert_string_equal(psc_batch_variant_changes(b, 0), "");
  assert_string_equal(psc_batch_variant_name(b, 1), "more lab | pooling.pool_size=2");
  assert_string_equal(psc_batch_variant_name(b, 4), "slow | pooling.pool_size=4");
  assert_string_equal(psc_batch_variant_changes(b, 4),
                      "sites.*.swabs_per_booth_hour=x0.5; pooling.pool_size=4");
  psc_batch_free(b);
  tu_rmtree(dir);
  free(dir);
}

static void test_file_errors(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  tu_write(dir, "bad.batch",
           "[batch]\n"                          /* 1 */
           "scenario = nothere.ini\n"           /* 2 */
           "basline = true\n"                   /* 3 */
           "[grid]\n"                           /* 4 */
           "pooling.pool_sise = 5, 10\n"        /* 5 */
           "deadlines.key = 8, , -3\n"          /* 6 */
           "[varient x]\n"                      /* 7 */
           "[variant a]\n"                      /* 8 */
           "pooling.keep_households = maybe\n"  /* 9 */
           "[variant a]\n"                      /* 10 */
           "this line has no equals sign\n");   /* 11 */
  psc_diags_t *d = psc_diags_create();
  psc_batch_t *b = NULL;
  assert_int_equal(psc_batch_load(tu_path(dir, "bad.batch"), d, &b), PSC_EINPUT);
  assert_null(b);
  const char *f = "bad.batch";
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 2, 12, "cannot read scenario"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 3, 1, "did you mean 'baseline'?"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 5, 1, "did you mean 'pooling.pool_size'?"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 6, 19, "empty value"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 6, 22, "key '-3' is negative"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 7, 2, "did you mean [variant]?"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 9, 27, "is not a boolean"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 10, 10, "variant 'a' defined twice"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, f, 11, 1, "expected 'name = value'"));
  /* the misspelt grid key is reported once, not once per value */
  size_t n = 0;
  for (size_t i = 0; i < psc_diags_count(d); i++)
    n += strstr(psc_diags_get(d, i)->message, "pool_sise") != NULL;
  assert_int_equal(n, 1);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

/* A table edit that no variant's tables allow is found when the variants
 * load, reported once at its place in the batch file. */
static void test_variant_errors(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  const char *path = tiny_batch(dir, "[grid]\nlabs.LAB1.instruments = -1, +1, +2\n"
                                     "pooling.pool_size = 2, 3\n");
  psc_batch_t *b = load_ok(path);
  psc_diags_t *d = psc_diags_create();
  psc_batch_options_t o = psc_batch_options_default();
  assert_int_equal(psc_batch_run(b, &o, d), PSC_EINPUT);
  assert_int_equal(psc_diags_errors(d), 1);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "b.batch", 4, 25, "would be 0, outside 1..100000"));
  assert_int_equal(psc_batch_write(b, tu_path(dir, "out"), 1), PSC_EINVAL);
  psc_diags_free(d);
  psc_batch_free(b);
  tu_rmtree(dir);
  free(dir);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* Each variant's figures are those of its scenario planned alone. */
static void test_results_match_single_plans(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  const char *path = tiny_batch(dir, "[variant more]\nlabs.LAB1.instruments = +2\n"
                                     "streets.North.booths = +1\n"
                                     "[grid]\npooling.pool_size = 2, 5\n");
  psc_batch_t *b = load_ok(path);
  psc_diags_t *d = psc_diags_create();
  psc_batch_options_t o = psc_batch_options_default();
  o.threads = 2;
  assert_int_equal(psc_batch_run(b, &o, d), 0);
  assert_int_equal(psc_batch_variants(b), 3);
  const char *sets[3][3] = {{NULL},
                            {"labs.LAB1.instruments=+2", "streets.North.booths=+1",
                             "pooling.pool_size=2"},
                            {"labs.LAB1.instruments=+2", "streets.North.booths=+1",
                             "pooling.pool_size=5"}};
  for (uint32_t v = 0; v < 3; v++) {
    psc_override_t ov[3];
    char buf[3][128];
    size_t n = 0;
    for (; v && n < 3; n++)
      assert_int_equal(psc_override_parse(sets[v][n], buf[n], sizeof buf[n], "x", 1, 1, &ov[n]), 0);
    psc_scenario_options_t so = {0, ov, n};
    psc_scenario_t *s = NULL;
    assert_int_equal(psc_scenario_load_with(tu_path(dir, "scenario.ini"), &so, d, &s), 0);
    psc_plan_options_t po = psc_plan_options_default();
    po.threads = 1;
    po.advise = 0;
    psc_plan_t *p = NULL;
    assert_int_equal(psc_plan_create(s, &po, &p), 0);
    const psc_batch_result_t *r = psc_batch_result(b, v);
    assert_true(r->done);
    assert_int_equal(r->tubes, psc_plan_tubes(p)->count);
    assert_true(r->district_complete == psc_plan_district(p)->complete);
    assert_true(r->lower_bound == psc_plan_lower_bound(p));
    assert_int_equal(r->district_met, psc_plan_district(p)->met);
    for (uint32_t st = 0; st < psc_scenario_streets(s)->count; st++) {
      double c, bound;
      int met;
      assert_int_equal(psc_batch_unit_verdict(b, v, psc_scenario_communities(s)->count + st, &c,
                                              NULL, &bound, &met),
                       0);
      assert_true(c == psc_plan_street(p, st)->complete);
      assert_true(bound == psc_plan_street(p, st)->bound);
      assert_int_equal(met, psc_plan_street(p, st)->met);
    }
    /* resources against the unchanged base: +2 instruments of 4 wells per
     * 60-minute run around the clock, +1 booth at N-F1 (60/h, 12 h) */
    assert_int_equal(r->instruments_added, v ? 2 : 0);
    assert_int_equal(r->booths_added, v ? 1 : 0);
    assert_int_equal(r->teams_added, 0);
    assert_true(fabs(r->lab_tubes_per_day_added - (v ? 2 * 4 * 24 : 0)) < 1e-9);
    assert_true(fabs(r->swabs_per_day_added - (v ? 60 * 12 : 0)) < 1e-9);
    psc_plan_free(p);
    psc_scenario_free(s);
  }
  psc_diags_free(d);
  psc_batch_free(b);
  tu_rmtree(dir);
  free(dir);
}

/* The same batch gives the same bytes at 1 and 2 threads, with simulation. */
static void test_thread_independent(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  tiny_batch(dir, "[grid]\npooling.pool_size = 2, 3, 5\nlabs.LAB1.instruments = +0, +1\n");
  char cmd[2048];
  for (int t = 1; t <= 2; t++) {
    snprintf(cmd, sizeof cmd, "cd %s && %s batch b.batch -r 20 -t %d -o out%d", dir, PSC_CLI_PATH,
             t, t);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  }
  static const char *files[] = {"batch.csv", "batch.h5", "report.html"};
  for (int k = 0; k < 3; k++) {
    char a[1024], c[1024];
    snprintf(a, sizeof a, "%s/out1/%s", dir, files[k]);
    snprintf(c, sizeof c, "%s/out2/%s", dir, files[k]);
    size_t na, nc;
    char *x = slurp(a, &na), *y = slurp(c, &nc);
    assert_int_equal(na, nc);
    assert_memory_equal(x, y, na);
    if (k == 0) {
      assert_non_null(strstr(x, ",p_key,p_key_lo,p_key_hi,"));
      assert_non_null(strstr(x, "\n5,\"pooling.pool_size=5, labs.LAB1.instruments=+1\","));
    }
    free(x);
    free(y);
  }
  tu_rmtree(dir);
  free(dir);
}

static void test_cli(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  tu_write(dir, "bad.batch", "[batch]\nscenario = scenario.ini\n[grid]\nlabs.LAB1.wells = 5\n");
  char cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd, "cd %s && %s batch bad.batch -o out", dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "bad.batch:4:19: error: labs.LAB1.wells: unknown field 'wells' "
                              "(did you mean 'wells_per_run'?)"));
  assert_non_null(strstr(err, "nothing written"));
  assert_int_equal(tu_entries(dir), 5); /* no out/ */
  free(out);
  free(err);
  /* --set on plan: checked through the parameter table, positioned */
  snprintf(cmd, sizeof cmd, "cd %s && %s plan scenario.ini --set pooling.pool_size=99 -o out",
           dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "command line:1:36: error: pool_size '99' is out of range"));
  assert_int_equal(tu_entries(dir), 5);
  free(out);
  free(err);
  snprintf(cmd, sizeof cmd, "cd %s && %s plan scenario.ini --set pooling.pool_size=3 -o out",
           dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "pooled 1:3"));
  free(out);
  /* a good batch prints its table and writes the set */
  tu_write(dir, "ok.batch", "[batch]\nscenario = scenario.ini\n[grid]\npooling.pool_size = 2, 4\n");
  snprintf(cmd, sizeof cmd, "cd %s && %s batch ok.batch -o res", dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "2 variants of"));
  assert_non_null(strstr(out, "pooling.pool_size=4"));
  assert_non_null(strstr(out, "Written: res (batch.csv, batch.h5, report.html)"));
  free(out);
  snprintf(cmd, sizeof cmd, "cd %s && %s batch ok.batch -o res2 --no-report", dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "Written: res2 (batch.csv, batch.h5)\n"));
  assert_int_equal(tu_entries(tu_path(dir, "res2")), 2);
  free(out);
  /* --fail-on-miss: exit 3 when a variant misses a deadline (after writing),
   * 0 when none does */
  tu_write(dir, "miss.batch", "[batch]\nscenario = scenario.ini\n[grid]\n"
                              "deadlines.district = 0.01, 8760\n");
  snprintf(cmd, sizeof cmd, "cd %s && %s batch miss.batch -o res3 --no-report --fail-on-miss",
           dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, &err), 3);
  assert_non_null(strstr(err, "missed (--fail-on-miss: exit status 3)"));
  assert_int_equal(tu_entries(tu_path(dir, "res3")), 2);
  free(out);
  free(err);
  tu_write(dir, "easy.batch", "[batch]\nscenario = scenario.ini\n[base]\ndeadlines.key = 8760\n"
                              "deadlines.street = 8760\n[grid]\ndeadlines.district = 8000, 8760\n");
  snprintf(cmd, sizeof cmd, "cd %s && %s batch easy.batch -o res4 --no-report --fail-on-miss",
           dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  free(out);
  tu_rmtree(dir);
  free(dir);
}

/* The text of the fenced block after marker in doc (malloc'd). */
static char *block_after(const char *doc, const char *marker) {
  const char *m = strstr(doc, marker);
  assert_non_null(m);
  const char *open = strstr(m, "```");
  assert_non_null(open);
  open = strchr(open, '\n') + 1;
  const char *close = strstr(open, "```");
  assert_non_null(close);
  char *r = malloc((size_t)(close - open) + 1);
  memcpy(r, open, (size_t)(close - open));
  r[close - open] = '\0';
  return r;
}

/* docs/batch.md's worked example: the file shown is the file shipped, and
 * running it prints the table shown. */
static void test_docs_example(void **state) {
  (void)state;
  size_t n;
  char *doc = slurp(PSC_SOURCE_DIR "/docs/batch.md", &n);
  char *file = slurp(PSC_SOURCE_DIR "/docs/examples/whatif.batch", &n);
  char *shown = block_after(doc, "<!-- example batch");
  assert_string_equal(shown, file);
  char *want = block_after(doc, "<!-- example output -->");
  char *dir = tu_tmpdir(), cmd[2048], *out;
  snprintf(cmd, sizeof cmd, "%s batch %s/docs/examples/whatif.batch -o %s/out", PSC_CLI_PATH,
           PSC_SOURCE_DIR, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  /* the table: every line but the timed "Batch:" line, blanks and "Written:" */
  char *got = calloc(strlen(out) + 1, 1);
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
    if (strncmp(line, "Batch:", 6) && strncmp(line, "Written:", 8) && *line)
      strcat(strcat(got, line), "\n");
  assert_string_equal(got, want);
  free(got);
  free(out);
  free(want);
  free(shown);
  free(file);
  free(doc);
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_grid_and_variants),
      cmocka_unit_test(test_file_errors),
      cmocka_unit_test(test_variant_errors),
      cmocka_unit_test(test_results_match_single_plans),
      cmocka_unit_test(test_thread_independent),
      cmocka_unit_test(test_cli),
      cmocka_unit_test(test_docs_example),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
