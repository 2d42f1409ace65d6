/* A valid plan and results for the harnesses (see fuzz_common.h). */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poolscreen/poolscreen.h"

static char dir[256];

static void cleanup(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

static void make(void) {
  snprintf(dir, sizeof dir, "/tmp/psc_fuzz_%ld", (long)getpid());
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
  if (system(cmd) != 0)
    abort();
  atexit(cleanup);
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  psc_plan_t *p = NULL;
  char path[512];
  /* a city of 50 000 residents: its large columns are chunked and
   * compressed, so the parallel reader is fuzzed too */
  char ini[512];
  snprintf(ini, sizeof ini, "%s/city/scenario.ini", dir);
  snprintf(path, sizeof path, "%s/city", dir);
  psc_plan_options_t o = psc_plan_options_default();
  o.advise = 0;
  if (psc_gen_city(path, 50000, 11) || psc_scenario_load(ini, d, &s) ||
      psc_plan_create(s, &o, &p))
    abort();
  snprintf(path, sizeof path, "%s/plan.h5", dir);
  if (psc_plan_write_h5(p, path, 1))
    abort();
  /* results: every tube, a mix of outcomes */
  snprintf(path, sizeof path, "%s/results.csv", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    abort();
  fputs("tube,result,ct\n", f);
  const psc_tubes_t *t = psc_plan_tubes(p);
  for (uint32_t i = 0; i < t->count; i++) {
    char id[32];
    psc_plan_tube_id(p, i, id, sizeof id);
    fprintf(f, "%s,%s,%s\n", id, i % 7 == 0 ? "positive" : i % 11 == 0 ? "invalid" : "negative",
            i % 7 == 0 ? "31.5" : "");
  }
  fclose(f);
  psc_plan_free(p);
  psc_scenario_free(s);
  psc_diags_free(d);
}

const char *fuzz_dir(void) {
  if (!dir[0])
    make();
  return dir;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size))
    abort();
  fclose(f);
  return path;
}
