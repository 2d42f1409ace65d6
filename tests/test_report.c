/* report.html in a real browser: Debian's chromium renders each page
 * headless; the page loaded without console errors, every chart drew
 * (elements and ink on its canvas), the numbers shown equal the CSV outputs,
 * and a screenshot of each page lands in the build folder. Skipped, saying
 * why, only when chromium is not installed (scripts/deps.sh installs it). */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char chromium[256];

static int find_chromium(void) {
  const char *c[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
  for (size_t i = 0; i < 2; i++)
    if (access(c[i], X_OK) == 0) {
      snprintf(chromium, sizeof chromium, "%s", c[i]);
      return 1;
    }
  return 0;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  return b;
}

/* Renders dir/report.html: returns the DOM after the scripts ran, checks the
 * console and the self-check, and saves a screenshot as shot. */
static char *render(const char *dir, const char *shot, int charts) {
  char cmd[4096], *dom, *err;
  snprintf(cmd, sizeof cmd,
           "%s --headless --no-sandbox --disable-gpu --user-data-dir=%s/chrome "
           "--enable-logging=stderr --v=0 --dump-dom file://%s/report.html",
           chromium, dir, dir);
  assert_int_equal(tu_run(cmd, &dom, &err), 0);
  /* chromium logs each console message and uncaught error as CONSOLE */
  if (strstr(err, ":CONSOLE"))
    fail_msg("console output while loading the report:\n%s", err);
  free(err);
  char want[128];
  snprintf(want, sizeof want, "id=\"psc-selftest\">charts=%d drawn=%d errors=0<", charts, charts);
  if (!strstr(dom, want)) {
    const char *st = strstr(dom, "psc-selftest");
    fail_msg("self-check: expected %s, got %.300s", want, st ? st : "(no self-check)");
  }
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s && %s --headless --no-sandbox --disable-gpu --user-data-dir=%s/chrome "
           "--hide-scrollbars --window-size=1200,4200 --screenshot=%s/%s file://%s/report.html",
           PSC_REPORT_SHOTS, chromium, dir, PSC_REPORT_SHOTS, shot, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  char png[1024];
  snprintf(png, sizeof png, "%s/%s", PSC_REPORT_SHOTS, shot);
  FILE *f = fopen(png, "rb");
  assert_non_null(f);
  unsigned char magic[8] = {0};
  assert_int_equal(fread(magic, 1, 8, f), 8);
  fclose(f);
  assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
  return dom;
}

/* The text of <td data-col="col"> in the row whose data-id is id. */
static int cell(const char *dom, const char *id, const char *col, char *out, size_t size) {
  char key[512];
  snprintf(key, sizeof key, "data-id=\"%s\"", id);
  const char *row = strstr(dom, key);
  if (!row)
    return -1;
  const char *end = strstr(row, "</tr>");
  snprintf(key, sizeof key, "data-col=\"%s\"", col);
  const char *c = strstr(row, key);
  if (!c || c > end)
    return -1;
  c = strchr(c, '>') + 1;
  const char *e = strstr(c, "</td>");
  snprintf(out, size, "%.*s", (int)(e - c), c);
  return 0;
}

/* Every row of csv whose first field is one of levels: the fields named in
 * cols equal the cells of the report's row with the same id (field 1). */
static void compare_csv(const char *dom, const char *csv, const char *const *levels, size_t nl,
                        const char *const *cols, size_t nc) {
  char *text = slurp(csv), *save = NULL;
  char *header = strtok_r(text, "\n", &save);
  char names[64][64];
  int nh = 0;
  for (char *h = strtok(header, ","); h && nh < 64; h = strtok(NULL, ","))
    snprintf(names[nh++], sizeof names[0], "%s", h);
  int rows = 0;
  for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *field[64];
    int nf = 0;
    for (char *p = line; nf < 64;) {
      field[nf++] = p;
      p = strchr(p, ',');
      if (!p)
        break;
      *p++ = '\0';
    }
    int want = 0;
    for (size_t k = 0; k < nl; k++)
      want |= !strcmp(field[0], levels[k]);
    if (!want)
      continue;
    rows++;
    for (size_t k = 0; k < nc; k++) {
      int at = -1;
      for (int h = 0; h < nh; h++)
        if (!strcmp(names[h], cols[k]))
          at = h;
      assert_true(at >= 0 && at < nf);
      char got[128];
      if (cell(dom, field[1], cols[k], got, sizeof got))
        fail_msg("the report has no %s for %s", cols[k], field[1]);
      if (strcmp(got, field[at]))
        fail_msg("%s of %s: report shows '%s', %s has '%s'", cols[k], field[1], got, csv,
                 field[at]);
    }
  }
  assert_true(rows > 0);
  free(text);
}

static void test_plan_report(void **state) {
  (void)state;
  if (!find_chromium())
    skip();
  char *dir = tu_tmpdir(), cmd[2048];
  snprintf(cmd, sizeof cmd, "%s plan --report -o %s", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  char *dom = render(dir, "plan.png", 6);
  /* the Chinese names arrive intact */
  assert_non_null(strstr(dom, "八宝山街道1号社区"));
  static const char *const levels[] = {"street", "district"};
  static const char *const cols[] = {"residents",    "tubes",        "sampling_start_min",
                                     "sampling_end_min", "complete_min", "deadline_min",
                                     "slack_min",    "bound_min"};
  compare_csv(dom, tu_path(dir, "summary.csv"), levels, 2, cols, 8);
  free(dom);
  tu_rmtree(dir);
  free(dir);
}

static void test_sim_report(void **state) {
  (void)state;
  if (!find_chromium())
    skip();
  char *dir = tu_tmpdir(), cmd[2048];
  snprintf(cmd, sizeof cmd, "%s simulate -r 30 --report -o %s", PSC_CLI_PATH, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  char *dom = render(dir, "simulate.png", 5);
  static const char *const levels[] = {"key_community", "street", "district"};
  static const char *const cols[] = {"p_met", "p_met_lo", "p_met_hi", "complete_p50_min",
                                     "complete_p95_min"};
  compare_csv(dom, tu_path(dir, "sim_summary.csv"), levels, 3, cols, 5);
  free(dom);
  tu_rmtree(dir);
  free(dir);
}

static void test_batch_report(void **state) {
  (void)state;
  if (!find_chromium())
    skip();
  char *dir = tu_tmpdir(), cmd[2048];
  snprintf(cmd, sizeof cmd, "%s batch %s/docs/examples/whatif.batch -o %s", PSC_CLI_PATH,
           PSC_SOURCE_DIR, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 0);
  char *dom = render(dir, "batch.png", 3);
  assert_non_null(strstr(dom, "id=\"variants-count\">9<"));
  /* each variant's completion as batch.csv has it */
  char *csv = slurp(tu_path(dir, "batch.csv")), *save = NULL;
  strtok_r(csv, "\n", &save);
  int rows = 0;
  for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    /* the example's names and changes hold no commas: plain fields, and
     * district_complete_min is the 9th */
    assert_null(strchr(line, '"'));
    int v = atoi(line);
    const char *p = line;
    for (int k = 0; k < 8 && p; k++)
      p = strchr(p + 1, ',');
    assert_non_null(p);
    char want[32], key[64];
    snprintf(want, sizeof want, "%.*s", (int)strcspn(p + 1, ","), p + 1);
    snprintf(key, sizeof key, "data-variant=\"%d\"", v);
    const char *row = strstr(dom, key);
    assert_non_null(row);
    const char *m = strstr(row, "data-min=\"");
    assert_non_null(m);
    m += 10;
    if (strncmp(m, want, strlen(want)) || m[strlen(want)] != '"')
      fail_msg("variant %d: report completion %.12s, batch.csv %s", v, m, want);
    rows++;
  }
  assert_int_equal(rows, 9);
  free(csv);
  free(dom);
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  if (!find_chromium())
    printf("test_report: chromium is not installed (Debian package chromium; scripts/deps.sh "
           "installs it): the browser checks are skipped\n");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plan_report),
      cmocka_unit_test(test_sim_report),
      cmocka_unit_test(test_batch_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
