/* The command-line program, run as a user would: exit codes and output. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each argument list, run in dir (NULL: here), exits with status 2. */
static void expect_usage_errors(const char *dir, const char *const *args, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd %s && %s%s", dir ? dir : ".", PSC_CLI_PATH, args[i]);
    if (tu_run(cmd, NULL, NULL) != 2)
      fail_msg("expected exit 2 from:%s", args[i]);
  }
}

static void test_validate_default(void **state) {
  (void)state;
  char *out, *err;
  assert_int_equal(tu_run(PSC_CLI_PATH " validate", &out, &err), 0);
  assert_non_null(strstr(out, "Residents       567 851 in"));
  assert_non_null(strstr(out, "Streets         9\n"));
  assert_non_null(strstr(out, "Communities     150 (12 key)"));
  assert_non_null(strstr(out, "30 000 tubes/day = 300 000 people/day at 1:10"));
  assert_string_equal(err, "");
  free(out);
  free(err);
  /* the same scenario from its files on disk */
  assert_int_equal(tu_run(PSC_CLI_PATH " validate " PSC_SOURCE_DIR "/data/shijingshan/scenario.ini",
                          &out, NULL),
                   0);
  assert_non_null(strstr(out, "Residents       567 851 in"));
  free(out);
}

static void test_validate_bad(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  tu_write(dir, "labs.csv", "id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
                            "L,n,1,4,60,25:00,24:00,0,0\n");
  char cmd[1024], *out, *err;
  snprintf(cmd, sizeof cmd, "%s validate %s/scenario.ini", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_string_equal(out, "");
  char want[512];
  snprintf(want, sizeof want, "%s/labs.csv:2:12: error: open '25:00' is not a time of day", dir);
  assert_non_null(strstr(err, want));
  free(out);
  free(err);
  tu_rmtree(dir);
  free(dir);
}

static void test_usage(void **state) {
  (void)state;
  char *out;
  assert_int_equal(tu_run(PSC_CLI_PATH " --version", &out, NULL), 0);
  assert_non_null(strstr(out, "poolscreen "));
  free(out);
  assert_int_equal(tu_run(PSC_CLI_PATH " --help", &out, NULL), 0);
  assert_non_null(strstr(out, "validate"));
  free(out);
  assert_int_equal(tu_run(PSC_CLI_PATH " validate --help", &out, NULL), 0);
  assert_non_null(strstr(out, "Usage: poolscreen validate"));
  free(out);
  assert_int_equal(tu_run(PSC_CLI_PATH " frobnicate", NULL, NULL), 2);
  assert_int_equal(tu_run(PSC_CLI_PATH, NULL, NULL), 2);
  assert_int_equal(tu_run(PSC_CLI_PATH " validate --bogus", NULL, NULL), 2);
  assert_int_equal(tu_run(PSC_CLI_PATH " validate a b", NULL, NULL), 2);
}

/* docs/scenario.md carries the parameter table exactly as the program prints it. */
static void test_params_doc_in_sync(void **state) {
  (void)state;
  char *out;
  assert_int_equal(tu_run(PSC_CLI_PATH " params --markdown", &out, NULL), 0);
  FILE *f = fopen(PSC_SOURCE_DIR "/docs/scenario.md", "rb");
  assert_non_null(f);
  static char doc[1 << 16];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  doc[n] = '\0';
  fclose(f);
  if (!strstr(doc, out))
    fail_msg("docs/scenario.md does not contain the output of 'poolscreen params --markdown':\n%s",
             out);
  free(out);
}

/* Every "T+H:MM" followed by a local clock time ("T+H:MM (MM-DD HH:MM)" or,
 * in the street table, "T+H:MM MM-DD HH:MM") in text shows T0 + H:MM for
 * the tiny scenario (T0 2022-05-01 06:00); returns how many there were. */
static int clock_pairs(const char *text) {
  int n = 0;
  for (const char *p = strstr(text, "T+"); p; p = strstr(p + 2, "T+")) {
    int h, m, mo, d, hh, mm, used = 0;
    if (sscanf(p, "T+%d:%2d%n", &h, &m, &used) != 2)
      continue;
    const char *q = p + used;
    if (!strncmp(q, " (", 2))
      q += 2;
    else if (*q == ' ')
      q += 1;
    else
      continue;
    if (sscanf(q, "%2d-%2d %2d:%2d", &mo, &d, &hh, &mm) != 4)
      continue;
    int total = 6 * 60 + h * 60 + m;
    char want[32], got[32];
    snprintf(want, sizeof want, "05-%02d %02d:%02d", 1 + total / 1440, total % 1440 / 60,
             total % 60);
    snprintf(got, sizeof got, "%02d-%02d %02d:%02d", mo, d, hh, mm);
    assert_string_equal(got, want);
    n++;
  }
  return n;
}

static void test_plan_tiny(void **state) {
  (void)state;
  char *out = tu_tmpdir(), cmd[1024], *so, *se;
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/o -t 2", PSC_CLI_PATH,
           PSC_TEST_DATA, out);
  assert_int_equal(tu_run(cmd, &so, &se), 0);
  assert_non_null(strstr(so, "District: complete T+"));
  assert_non_null(strstr(so, "Lower bound (whole runs, plates, hours, earliest arrivals, "
                             "sampling): T+"));
  /* local clock times beside T+: two streets, the district's completion and
   * deadline, the tightest key community */
  assert_non_null(strstr(so, " complete  local time  deadline "));
  const char *dl = strstr(so, "District: complete T+");
  assert_non_null(dl);
  assert_non_null(strstr(dl, "), deadline T+"));
  assert_true(clock_pairs(so) >= 5);
  static const char *files[] = {"plan.h5",   "summary.csv",    "site_schedule.csv",
                                "tubes.csv", "assignment.csv", "exceptions.csv"};
  char dir[512];
  snprintf(dir, sizeof dir, "%s/o", out);
  for (int i = 0; i < 6; i++) {
    FILE *f = fopen(tu_path(dir, files[i]), "rb");
    assert_non_null(f);
    fclose(f);
  }
  /* summary.csv starts with exactly the contract's columns */
  FILE *f = fopen(tu_path(dir, "summary.csv"), "rb");
  char line[512];
  assert_non_null(fgets(line, sizeof line, f));
  fclose(f);
  assert_memory_equal(line, "level,id,residents,tubes,sampling_start_min,sampling_end_min,"
                            "complete_min,deadline_min,met,slack_min",
                      strlen("level,id,residents,tubes,sampling_start_min,sampling_end_min,"
                             "complete_min,deadline_min,met,slack_min"));
  f = fopen(tu_path(dir, "assignment.csv"), "rb");
  assert_non_null(fgets(line, sizeof line, f));
  fclose(f);
  assert_string_equal(line, "tube,resident\n");
  f = fopen(tu_path(dir, "tubes.csv"), "rb");
  assert_non_null(fgets(line, sizeof line, f));
  fclose(f);
  assert_memory_equal(line, "tube,community,site,lab,stream,", 31);
  /* nothing half-written is left behind */
  snprintf(cmd, sizeof cmd, "ls %s | grep -c tmp", dir);
  char *count;
  tu_run(cmd, &count, NULL);
  assert_string_equal(count, "0\n");
  free(count);
  free(so);
  free(se);
  /* bad input: positioned errors, exit 2, nothing written */
  char *bad = tu_tiny_copy();
  tu_write(bad, "sites.csv", "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
                             "X,North,fixed,1,60,06:00,18:00,0,0\nY,South,fixd,1,60,06:00,18:00,0,0\n");
  snprintf(cmd, sizeof cmd, "%s plan %s/scenario.ini -o %s/bad", PSC_CLI_PATH, bad, out);
  assert_int_equal(tu_run(cmd, &so, &se), 2);
  assert_non_null(strstr(se, "sites.csv:3:9: error: kind 'fixd'"));
  snprintf(dir, sizeof dir, "%s/bad", out);
  FILE *none = fopen(dir, "rb");
  assert_null(none);
  free(so);
  free(se);
  assert_int_equal(tu_run(PSC_CLI_PATH " plan --threads 0", NULL, NULL), 2);
  assert_int_equal(tu_run(PSC_CLI_PATH " plan --margin x", NULL, NULL), 2);
  tu_rmtree(bad);
  tu_rmtree(out);
  free(bad);
  free(out);
}

static void test_otc(void **state) {
  (void)state;
  char *out;
  assert_int_equal(tu_run(PSC_CLI_PATH " otc --prevalence 0.01 --se 0.95 --sp 0.98 --design D2:8 --csv",
                          &out, NULL), 0);
  assert_non_null(strstr(out, "algorithm,config,tests_per_person,pse,psp,ppv,npv"));
  assert_non_null(strstr(out, "D2,D2:8,0.216847434"));
  free(out);
  assert_int_equal(tu_run(PSC_CLI_PATH " otc --prevalence 0.01 --se 0.99 --sp 0.99 --algorithms D2",
                          &out, NULL), 0);
  assert_non_null(strstr(out, "   1  D2:11 "));
  assert_non_null(strstr(out, "Counting bound H(p) = 0.080793"));
  free(out);
  static const char *bad[] = {
      " otc --prevalence 0 --se 0.9 --sp 0.9",    " otc --prevalence 1.2 --se 0.9 --sp 0.9",
      " otc --prevalence 0.1 --se 0.5 --sp 0.9",  " otc --prevalence 0.1 --se 0.9 --sp 1.01",
      " otc --prevalence 0.1 --se 0.9 --sp 0.9 --sizes 9:3",
      " otc --prevalence 0.1 --se 0.9 --sp 0.9 --sizes 3",
      " otc --prevalence 0.1 --se 0.9 --sp 0.9 --design D3:12",
      " otc --prevalence 0.1 --se 0.9 --sp 0.9 --algorithms D9",
      " otc --se 0.9 --sp 0.9"};
  expect_usage_errors(NULL, bad, sizeof bad / sizeof bad[0]);
}

/* First line of dir/name, newline included. */
static void first_line(const char *dir, const char *name, char *line, size_t n) {
  FILE *f = fopen(tu_path(dir, name), "rb");
  assert_non_null(f);
  assert_non_null(fgets(line, (int)n, f));
  fclose(f);
}

static void test_gen(void **state) {
  (void)state;
  char *out = tu_tmpdir(), cmd[1024], *so;
  snprintf(cmd, sizeof cmd, "%s gen --residents 30000 --seed 5 -o %s/city", PSC_CLI_PATH, out);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  /* what gen writes is a valid scenario of exactly that many residents */
  snprintf(cmd, sizeof cmd, "%s validate %s/city/scenario.ini", PSC_CLI_PATH, out);
  assert_int_equal(tu_run(cmd, &so, NULL), 0);
  assert_non_null(strstr(so, "Residents       30 000 in"));
  free(so);
  static const char *bad[] = {" gen -o x", " gen --residents 0 -o x", " gen --residents 12x -o x",
                              " gen --residents 100", " gen --residents 100 -o x --seed -"};
  expect_usage_errors(out, bad, sizeof bad / sizeof bad[0]);
  assert_int_equal(tu_entries(out), 1);
  tu_rmtree(out);
  free(out);
}

static void test_simulate(void **state) {
  (void)state;
  char *out = tu_tmpdir(), cmd[1024], *so, line[512];
  snprintf(cmd, sizeof cmd, "%s simulate %s/tiny/scenario.ini -r 5 -t 2 -o %s/s", PSC_CLI_PATH,
           PSC_TEST_DATA, out);
  assert_int_equal(tu_run(cmd, &so, NULL), 0);
  assert_non_null(strstr(so, "Simulation: 5 replicates of tiny, seed 7"));
  assert_non_null(strstr(so, "\ndistrict   district "));
  assert_non_null(strstr(so, "p50 (local time)      p95 (local time)\n"));
  assert_true(clock_pairs(so) >= 8); /* p50 and p95 of 4 units */
  free(so);
  char dir[512];
  snprintf(dir, sizeof dir, "%s/s", out);
  assert_int_equal(tu_entries(dir), 2);
  first_line(dir, "sim_summary.csv", line, sizeof line);
  assert_string_equal(line, "level,id,p_met,p_met_lo,p_met_hi,complete_p50_min,complete_p95_min,"
                            "name,complete_p50_at,complete_p95_at\n");
  first_line(dir, "sim.h5", line, 5);
  assert_memory_equal(line, "\x89HDF", 4);
  static const char *bad[] = {" simulate --replicates 0", " simulate -r x", " simulate -t 0",
                              " simulate --seed q", " simulate a b"};
  expect_usage_errors(out, bad, sizeof bad / sizeof bad[0]);
  assert_int_equal(tu_entries(out), 1);
  /* bad [simulation] input: positioned error, exit 2, nothing written */
  char *bad_dir = tu_tiny_copy(), *se;
  snprintf(cmd, sizeof cmd, "cat %s/tiny/scenario.ini > %s/scenario.ini && "
           "printf '[simulation]\\nturnout = 1.5\\n' >> %s/scenario.ini",
           PSC_TEST_DATA, bad_dir, bad_dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  snprintf(cmd, sizeof cmd, "%s simulate %s/scenario.ini -r 5 -o %s/never", PSC_CLI_PATH, bad_dir,
           out);
  assert_int_equal(tu_run(cmd, NULL, &se), 2);
  assert_non_null(strstr(se, "scenario.ini:20:11: error: turnout '1.5' is out of range"));
  free(se);
  assert_int_equal(tu_entries(out), 1);
  tu_rmtree(bad_dir);
  free(bad_dir);
  tu_rmtree(out);
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validate_default),
      cmocka_unit_test(test_validate_bad),
      cmocka_unit_test(test_usage),
      cmocka_unit_test(test_params_doc_in_sync),
      cmocka_unit_test(test_plan_tiny),
      cmocka_unit_test(test_otc),
      cmocka_unit_test(test_gen),
      cmocka_unit_test(test_simulate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
