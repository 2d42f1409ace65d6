/* Helpers for the cmocka tests. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_tmpdir(void) {
  char *t = strdup("/tmp/psc_test_XXXXXX");
  assert_non_null(mkdtemp(t));
  return t;
}

void tu_rmtree(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

const char *tu_path(const char *dir, const char *name) {
  static char buf[1024];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

void tu_write(const char *dir, const char *name, const char *content) {
  FILE *f = fopen(tu_path(dir, name), "wb");
  assert_non_null(f);
  fputs(content, f);
  fclose(f);
}

static void write2(const char *dir, const char *name, const char *head, const char *rows) {
  FILE *f = fopen(tu_path(dir, name), "wb");
  assert_non_null(f);
  fputs(head, f);
  fputs(rows, f);
  fclose(f);
}

char *tu_scenario(const char *ini, const char *communities, const char *sites, const char *labs) {
  char *dir = tu_tmpdir();
  write2(dir, "scenario.ini", ini, "[tables]\ncommunities = c.csv\nsites = s.csv\nlabs = l.csv\n");
  write2(dir, "c.csv", "id,street,population,households,x_km,y_km\n", communities);
  write2(dir, "s.csv", "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n", sites);
  write2(dir, "l.csv", "id,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n", labs);
  return dir;
}

char *tu_gen_city(uint64_t residents, uint64_t seed, const char *ini_extra) {
  char *dir = tu_tmpdir();
  assert_int_equal(psc_gen_city(dir, residents, seed), 0);
  if (ini_extra) {
    FILE *f = fopen(tu_path(dir, "scenario.ini"), "ab");
    assert_non_null(f);
    fputs(ini_extra, f);
    fclose(f);
  }
  return dir;
}

void tu_block(const char *dir, const char *name) {
  char sub[1024];
  snprintf(sub, sizeof sub, "%s/%s", dir, name);
  assert_int_equal(mkdir(sub, 0777), 0);
  tu_write(sub, "keep", "x");
}

int tu_entries(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return n;
}

char *tu_tiny_copy(void) {
  char *dir = tu_tmpdir();
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cp %s/tiny/* '%s'/", PSC_TEST_DATA, dir);
  assert_int_equal(system(cmd), 0);
  return dir;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

int tu_has_diag(const psc_diags_t *d, psc_severity_t sev, const char *file_suffix, uint32_t line,
                uint32_t col, const char *text) {
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const psc_diag_t *g = psc_diags_get(d, i);
    if (g->severity == sev && ends_with(g->file, file_suffix) && g->line == line &&
        g->column == col && strstr(g->message, text))
      return 1;
  }
  fprintf(stderr, "expected %s:%u:%u: %s\nfound:\n", file_suffix, line, col, text);
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const psc_diag_t *g = psc_diags_get(d, i);
    fprintf(stderr, "  %s:%u:%u: %s\n", g->file, g->line, g->column, g->message);
  }
  return 0;
}

void tu_expect_error(const char *ini, const char *file_suffix, uint32_t line, uint32_t col,
                     const char *text) {
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(ini, d, &s), PSC_EINPUT);
  assert_null(s);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, file_suffix, line, col, text));
  psc_diags_free(d);
}

static char *slurp(FILE *f) {
  size_t cap = 1 << 20, n = 0;
  char *b = malloc(cap + 1);
  size_t k;
  while ((k = fread(b + n, 1, cap - n, f)) > 0)
    n += k;
  b[n] = '\0';
  return b;
}

int tu_run(const char *cmd, char **out, char **err) {
  char errpath[] = "/tmp/psc_err_XXXXXX";
  int fd = mkstemp(errpath);
  assert_true(fd >= 0);
  char full[4096];
  snprintf(full, sizeof full, "%s 2>%s", cmd, errpath);
  FILE *p = popen(full, "r");
  assert_non_null(p);
  char *o = slurp(p);
  int st = pclose(p);
  FILE *e = fdopen(fd, "r");
  char *er = slurp(e);
  fclose(e);
  unlink(errpath);
  if (out)
    *out = o;
  else
    free(o);
  if (err)
    *err = er;
  else
    free(er);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

psc_scenario_t *tu_load(const char *dir) {
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  int rc = psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s);
  for (size_t i = 0; rc && i < psc_diags_count(d); i++)
    fprintf(stderr, "%s:%u:%u: %s\n", psc_diags_get(d, i)->file, psc_diags_get(d, i)->line,
            psc_diags_get(d, i)->column, psc_diags_get(d, i)->message);
  assert_int_equal(rc, 0);
  psc_diags_free(d);
  return s;
}
