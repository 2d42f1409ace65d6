/* What users of the program expect of it: a man page that says what --help
 * says, init, CI exit statuses, --quiet and --json, a progress bar with an
 * ETA on terminals only, input as coordinators keep it, and messages that
 * are true. Each runs the program as a user would. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  static const size_t max = 1 << 22;
  char *b = malloc(max + 1);
  size_t n = fread(b, 1, max, f);
  b[n] = '\0';
  fclose(f);
  return b;
}

/* Every line of text (trimmed) appears in hay. */
static void expect_lines_in(const char *text, const char *hay, const char *what) {
  char *copy = strdup(text), *save = NULL;
  for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    while (*l == ' ')
      l++;
    size_t n = strlen(l);
    while (n && l[n - 1] == ' ')
      l[--n] = '\0';
    if (n && !strstr(hay, l))
      fail_msg("%s: the man page lacks the --help line '%s'", what, l);
  }
  free(copy);
}

/* The page `man -l` shows holds every line of every --help text. */
static void test_man_page_is_help(void **state) {
  (void)state;
  char *man, *err, cmd[1024];
  snprintf(cmd, sizeof cmd, "MANWIDTH=160 LC_ALL=C.UTF-8 man -l %s/poolscreen.1", PSC_BUILD_DIR);
  assert_int_equal(tu_run(cmd, &man, &err), 0);
  assert_non_null(strstr(man, "POOLSCREEN(1)"));
  static const char *cmds[] = {"", "plan", "simulate", "validate", "init",
                               "gen", "decode", "otc", "params"};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char *help;
    snprintf(cmd, sizeof cmd, "%s %s --help", PSC_CLI_PATH, cmds[i]);
    assert_int_equal(tu_run(cmd, &help, NULL), 0);
    expect_lines_in(help, man, *cmds[i] ? cmds[i] : "poolscreen --help");
    free(help);
  }
  /* and the page is what the program writes now */
  char *now, *built;
  assert_int_equal(tu_run(PSC_CLI_PATH " --man", &now, NULL), 0);
  built = slurp(PSC_BUILD_DIR "/poolscreen.1");
  assert_non_null(built);
  assert_string_equal(now, built);
  free(now);
  free(built);
  free(man);
  free(err);
}

/* init writes the embedded scenario byte for byte, refuses to replace. */
static void test_init(void **state) {
  (void)state;
  char *dir = tu_tmpdir(), cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd, "%s init %s/s", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "scenario.ini"));
  free(out);
  static const char *files[] = {"scenario.ini", "communities.csv", "sites.csv", "labs.csv"};
  char sub[1024];
  snprintf(sub, sizeof sub, "%s/s", dir);
  for (int i = 0; i < 4; i++) {
    char orig[1024];
    snprintf(orig, sizeof orig, "%s/data/shijingshan/%s", PSC_SOURCE_DIR, files[i]);
    char *a = slurp(orig), *b = slurp(tu_path(sub, files[i]));
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
  }
  assert_int_equal(tu_entries(sub), 4);
  snprintf(cmd, sizeof cmd, "%s validate %s/s/scenario.ini", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "Residents       567 851 in"));
  free(out);
  /* again: refused, nothing replaced */
  tu_write(sub, "sites.csv", "mine\n");
  snprintf(cmd, sizeof cmd, "%s init %s/s", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_string_equal(out, "");
  assert_non_null(strstr(err, "sites.csv already exists"));
  free(out);
  free(err);
  out = slurp(tu_path(sub, "sites.csv"));
  assert_string_equal(out, "mine\n");
  free(out);
  snprintf(cmd, sizeof cmd, "%s init --force --quiet %s/s", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_string_equal(out, "");
  free(out);
  out = slurp(tu_path(sub, "sites.csv"));
  assert_non_null(strstr(out, "swabs_per_booth_hour"));
  free(out);
  tu_rmtree(dir);
  free(dir);
}

/* No message names data/shijingshan/, a path that need not exist. */
static void test_embedded_named(void **state) {
  (void)state;
  char *out;
  assert_int_equal(tu_run(PSC_CLI_PATH " validate", &out, NULL), 0);
  assert_non_null(strstr(out, "File            the embedded default scenario\n"));
  assert_null(strstr(out, "data/shijingshan"));
  free(out);
  assert_int_equal(tu_run(PSC_CLI_PATH " --man", &out, NULL), 0);
  assert_null(strstr(out, "data/shijingshan"));
  free(out);
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load_default(d, &s), 0);
  assert_true(psc_scenario_is_embedded(s));
  assert_memory_equal(psc_scenario_path(s), "embedded:", 9);
  psc_scenario_free(s);
  psc_diags_free(d);
}

/* A copy of tiny whose deadlines no plan can meet. */
static char *impossible(void) {
  char *dir = tu_tiny_copy();
  char *ini = slurp(tu_path(dir, "scenario.ini"));
  char *p = strstr(ini, "[deadlines]");
  assert_non_null(p);
  *p = '\0';
  char buf[4096];
  snprintf(buf, sizeof buf, "%s[deadlines]\nkey = 0.5\nstreet = 1\ndistrict = 1\n"
           "[tables]\ncommunities = communities.csv\nsites = sites.csv\nlabs = labs.csv\n", ini);
  tu_write(dir, "scenario.ini", buf);
  free(ini);
  return dir;
}

static void test_fail_on_miss(void **state) {
  (void)state;
  char *dir = impossible(), cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd, "%s plan %s/scenario.ini -o %s/o", PSC_CLI_PATH, dir, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  snprintf(cmd, sizeof cmd, "%s plan %s/scenario.ini -o %s/o2 --fail-on-miss", PSC_CLI_PATH,
           dir, dir);
  assert_int_equal(tu_run(cmd, NULL, &err), 3);
  assert_non_null(strstr(err, "4 deadlines missed"));
  free(err);
  /* the outputs are still written */
  FILE *f = fopen(tu_path(dir, "o2/plan.h5"), "rb");
  assert_non_null(f);
  fclose(f);
  /* a plan meeting everything: 0 */
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/o3 --fail-on-miss", PSC_CLI_PATH,
           PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  /* simulate: below a probability */
  snprintf(cmd, sizeof cmd, "%s simulate %s/scenario.ini -r 20 -o %s/s --fail-on-miss 95%%",
           PSC_CLI_PATH, dir, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 3);
  snprintf(cmd, sizeof cmd, "%s simulate %s/tiny/scenario.ini -r 20 -o %s/s2 --fail-on-miss 0.01",
           PSC_CLI_PATH, PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  snprintf(cmd, sizeof cmd, "%s simulate %s/tiny/scenario.ini -r 20 -o %s/s3 --fail-on-miss 2",
           PSC_CLI_PATH, PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 2);
  /* documented next to 0, 1 and 2 */
  assert_int_equal(tu_run(PSC_CLI_PATH " --help", &out, NULL), 0);
  assert_non_null(strstr(out, "3 a deadline missed, with --fail-on-miss"));
  assert_non_null(strstr(out, "2 bad input or usage"));
  free(out);
  tu_rmtree(dir);
  free(dir);
}

static void test_quiet(void **state) {
  (void)state;
  char *dir = tu_tmpdir(), cmd[2048], *out;
  static const char *runs[] = {"plan %s/tiny/scenario.ini -o %s/p --quiet",
                               "simulate %s/tiny/scenario.ini -r 10 -o %s/s -q",
                               "validate %s/tiny/scenario.ini --quiet%.0s",
                               "gen --residents 1000 -o %.0s%s/g --quiet"};
  for (int i = 0; i < 4; i++) {
    char args[1024];
    snprintf(args, sizeof args, runs[i], PSC_TEST_DATA, dir);
    snprintf(cmd, sizeof cmd, "%s %s", PSC_CLI_PATH, args);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    if (*out)
      fail_msg("'%s' printed on stdout: %s", args, out);
    free(out);
  }
  FILE *f = fopen(tu_path(dir, "p/summary.csv"), "rb");
  assert_non_null(f);
  fclose(f);
  tu_rmtree(dir);
  free(dir);
}

static json_t *plan_json(const char *ini, const char *dir) {
  char cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd, "%s plan %s -o %s/j --json", PSC_CLI_PATH, ini, dir);
  assert_int_equal(tu_run(cmd, &out, &err), 0);
  json_error_t e;
  json_t *j = json_loads(out, 0, &e);
  if (!j)
    fail_msg("plan --json is not JSON (%s at %d): %s", e.text, e.line, out);
  free(out);
  free(err);
  return j;
}

static void test_json(void **state) {
  (void)state;
  char *dir = impossible();
  json_t *j = plan_json(PSC_TEST_DATA "/tiny/scenario.ini", dir);
  assert_string_equal(json_string_value(json_object_get(j, "poolscreen_version")), PSC_VERSION);
  json_t *d = json_object_get(j, "district");
  assert_true(json_is_true(json_object_get(d, "met")));
  assert_int_equal(json_integer_value(json_object_get(d, "residents")), 95);
  assert_true(json_is_number(json_object_get(d, "complete_min")));
  assert_int_equal(json_array_size(json_object_get(j, "streets")), 2);
  json_t *k = json_object_get(j, "key_communities");
  assert_int_equal(json_array_size(k), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(k, 0), "id")), "A1");
  assert_true(json_is_number(json_object_get(j, "lower_bound_min")));
  assert_true(json_number_value(json_object_get(j, "lower_bound_min")) <=
              json_number_value(json_object_get(d, "complete_min")));
  const char *bn =
      json_string_value(json_object_get(json_object_get(j, "bottleneck"), "resource"));
  assert_non_null(bn);
  assert_true(json_is_null(json_object_get(j, "advice")));
  assert_true(json_is_null(json_object_get(j, "partner_street"))); /* all met: none tried */
  assert_int_equal(json_integer_value(json_object_get(j, "missed")), 0);
  json_decref(j);
  /* a plan that misses: verdicts and advice say so */
  j = plan_json(tu_path(dir, "scenario.ini"), dir);
  assert_true(json_is_false(json_object_get(json_object_get(j, "district"), "met")));
  assert_int_equal(json_integer_value(json_object_get(j, "missed")), 4);
  json_t *a = json_object_get(j, "advice");
  assert_true(json_is_object(a));
  assert_int_equal(json_integer_value(json_object_get(a, "missed_before")), 4);
  json_decref(j);
  tu_rmtree(dir);
  free(dir);
}

/* The bar and its ETA on a terminal (a pseudo-terminal made by script(1)),
 * nothing on a pipe. */
static void test_progress(void **state) {
  (void)state;
  char *dir = tu_tmpdir(), cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd,
           "script -qec '%s simulate %s/tiny/scenario.ini -r 300 -o %s/s' /dev/null",
           PSC_CLI_PATH, PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "/300 ETA "));
  assert_non_null(strstr(out, "300/300 done in "));
  free(out);
  snprintf(cmd, sizeof cmd, "%s simulate %s/tiny/scenario.ini -r 300 -o %s/s2", PSC_CLI_PATH,
           PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, NULL, &err), 0);
  assert_string_equal(err, "");
  free(err);
  tu_rmtree(dir);
  free(dir);
}

/* Texts that were untrue: "(searched)" for a given margin; advice that fixes
 * nothing; a header before a rejected --design; "not a plan file" for a
 * file that is not there. */
static void test_true_messages(void **state) {
  (void)state;
  char *dir = impossible(), cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/o --margin 2", PSC_CLI_PATH,
           PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "each 2.0 h after the latest opening its deadline allows;"));
  assert_null(strstr(out, "searched"));
  free(out);
  snprintf(cmd, sizeof cmd, "%s plan %s/scenario.ini -o %s/o2", PSC_CLI_PATH, dir, dir);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  assert_non_null(strstr(out, "(searched)"));
  /* no set of additions within the search makes this plan meet its
   * deadlines: nothing is offered as a fix */
  assert_null(strstr(out, "Cheapest fix found"));
  assert_non_null(strstr(out, "No fix found within the search"));
  free(out);
  assert_int_equal(tu_run(PSC_CLI_PATH " otc --prevalence 0.01 --se 0.99 --sp 0.99 --design Q9",
                          &out, &err),
                   2);
  assert_string_equal(out, "");
  assert_non_null(strstr(err, "--design"));
  free(out);
  free(err);
  snprintf(cmd, sizeof cmd, "%s decode %s/nothing.h5 %s/nothing.csv -o %s/d", PSC_CLI_PATH, dir,
           dir, dir);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "nothing.h5:1:1: error: cannot open the plan file: no such file"));
  assert_null(strstr(err, "not a plan file"));
  free(out);
  free(err);
  tu_rmtree(dir);
  free(dir);
}

/* Tables as spreadsheets write them. */
static void test_csv_habits(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  /* headers in any case */
  tu_write(dir, "labs.csv", "ID,Name,Instruments,WELLS_PER_RUN,Run_Minutes,Open,Close,X_km,Y_km\n"
                            "LAB1,Central lab,1,4,60,00:00,24:00,0,2.5\n");
  psc_scenario_t *s = tu_load(dir);
  assert_int_equal(psc_scenario_labs(s)->wells[0], 4);
  psc_scenario_free(s);
  /* ';' and tab: one error naming the delimiter */
  tu_write(dir, "labs.csv", "id;name;instruments;wells_per_run;run_minutes;open;close;x_km;y_km\n"
                            "LAB1;Central lab;1;4;60;00:00;24:00;0;2.5\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "labs.csv", 1, 1, "separated by semicolons (';')");
  tu_write(dir, "labs.csv", "id\tname\tinstruments\twells_per_run\trun_minutes\topen\tclose\t"
                            "x_km\ty_km\nLAB1\tCentral lab\t1\t4\t60\t00:00\t24:00\t0\t2.5\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "labs.csv", 1, 1, "separated by tabs");
  /* an id Excel turned into a number */
  tu_write(dir, "labs.csv", "id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
                            "1.10107E+11,Central lab,1,4,60,00:00,24:00,0,2.5\n");
  tu_expect_error(tu_path(dir, "scenario.ini"), "labs.csv", 2, 1,
                  "id '1.10107E+11' looks like a number a spreadsheet (Excel) rewrote");
  tu_rmtree(dir);
  free(dir);
}

/* results.csv: Chinese result words, Excel-mangled tube ids. */
static void test_results_habits(void **state) {
  (void)state;
  char *dir = tu_tmpdir(), cmd[2048], *out, *err;
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/p -q", PSC_CLI_PATH,
           PSC_TEST_DATA, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  /* the first three tubes (one row each in tubes.csv; ids of 19 digits) */
  char *man = slurp(tu_path(dir, "p/tubes.csv"));
  char ids[3][20];
  char *line = strchr(man, '\n') + 1;
  for (int i = 0; i < 3; i++) {
    memcpy(ids[i], line, 19);
    ids[i][19] = '\0';
    line = strchr(line, '\n') + 1;
  }
  free(man);
  char csv[1024];
  snprintf(csv, sizeof csv, "Tube,Result,CT\n%s,\u9633\u6027,31\n%s,\u9634\u6027,\n%s, \u65e0\u6548 ,\n",
           ids[0], ids[1], ids[2]);
  tu_write(dir, "r.csv", csv);
  snprintf(cmd, sizeof cmd, "%s decode %s/p/plan.h5 %s/r.csv -o %s/d", PSC_CLI_PATH, dir, dir,
           dir);
  assert_int_equal(tu_run(cmd, &out, &err), 0);
  assert_non_null(strstr(out, "1 positive, 1 negative, 1 invalid"));
  free(out);
  free(err);
  snprintf(csv, sizeof csv, "tube,result\n2.20501E+14,negative\n");
  tu_write(dir, "r2.csv", csv);
  snprintf(cmd, sizeof cmd, "%s decode %s/p/plan.h5 %s/r2.csv -o %s/d2", PSC_CLI_PATH, dir, dir,
           dir);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "r2.csv:2:1: error: tube '2.20501E+14' looks like a number a "
                              "spreadsheet (Excel) rewrote in scientific notation"));
  free(out);
  free(err);
  tu_rmtree(dir);
  free(dir);
}

/* bench/run_all.sh from the source root, as the README says. */
static void test_bench_as_readme_says(void **state) {
  (void)state;
  if (!PSC_BENCH_BUILT)
    skip();
  char cmd[2048], *out;
  snprintf(cmd, sizeof cmd, "cd %s && bench/run_all.sh --smoke --dry-run %s", PSC_SOURCE_DIR,
           PSC_BUILD_DIR);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  char want[1024];
  snprintf(want, sizeof want, "%s/bench/bench_roster 200000 1\n", PSC_BUILD_DIR);
  assert_non_null(strstr(out, want));
  free(out);
  /* a build directory without the programs: a message, not "not found" */
  char *err;
  snprintf(cmd, sizeof cmd, "cd %s && bench/run_all.sh --dry-run /nonexistent", PSC_SOURCE_DIR);
  assert_int_equal(tu_run(cmd, NULL, &err), 2);
  assert_non_null(strstr(err, "build first"));
  free(err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_man_page_is_help), cmocka_unit_test(test_init),
      cmocka_unit_test(test_embedded_named),   cmocka_unit_test(test_fail_on_miss),
      cmocka_unit_test(test_quiet),            cmocka_unit_test(test_json),
      cmocka_unit_test(test_progress),         cmocka_unit_test(test_true_messages),
      cmocka_unit_test(test_csv_habits),       cmocka_unit_test(test_results_habits),
      cmocka_unit_test(test_bench_as_readme_says),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
