/* Benchmark: decoding lab results for a whole city, outputs written.
 * Usage: bench_decode RESIDENTS [REPEATS]: a synthetic city is planned
 * (not timed), every tube gets a result (1 % positive, seeded), then
 * psc_decode_run + psc_decode_write are timed. One CSV row. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "poolscreen/poolscreen.h"

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 25000000ULL;
  int repeats = argc > 2 ? atoi(argv[2]) : 3;
  if (repeats < 1 || repeats > 20)
    repeats = 3;
  char dir[] = "/tmp/psc_bdec_XXXXXX";
  if (!mkdtemp(dir) || psc_gen_city(dir, n, 7))
    return 1;
  char ini[256], h5[256], res[256], out[256];
  snprintf(ini, sizeof ini, "%s/scenario.ini", dir);
  snprintf(h5, sizeof h5, "%s/plan/plan.h5", dir);
  snprintf(res, sizeof res, "%s/results.csv", dir);
  snprintf(out, sizeof out, "%s/decoded", dir);
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  psc_plan_t *p = NULL;
  psc_plan_options_t o = psc_plan_options_default();
  o.advise = 0;
  if (psc_scenario_load(ini, d, &s) || psc_plan_create(s, &o, &p) || psc_plan_write_h5(p, h5, 0))
    return 1;
  uint32_t tubes = psc_plan_tubes(p)->count;
  FILE *f = fopen(res, "w");
  fputs("tube,result,ct\n", f);
  char id[32];
  uint64_t x = 12345;
  for (uint32_t t = 0; t < tubes; t++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    psc_plan_tube_id(p, t, id, sizeof id);
    int pos = (x >> 33) % 100 == 0;
    fprintf(f, "%s,%s,%s\n", id, pos ? "positive" : "negative", pos ? "31.5" : "");
  }
  fclose(f);
  psc_plan_free(p);
  psc_scenario_free(s);
  double t[20], tr[20];
  uint32_t control = 0;
  for (int k = 0; k < repeats; k++) {
    psc_decode_t *dc = NULL;
    double t0 = bench_now();
    if (psc_decode_run(h5, res, d, &dc)) {
      fprintf(stderr, "bench_decode: decode failed\n");
      return 1;
    }
    tr[k] = bench_now() - t0;
    if (psc_decode_write(dc, out)) {
      fprintf(stderr, "bench_decode: writing failed\n");
      return 1;
    }
    t[k] = bench_now() - t0;
    control = psc_decode_summary(dc)->under_control;
    psc_decode_free(dc);
  }
  bench_rmdir("bench_decode", dir);
  printf("bench,residents,tubes,threads,repeats,decode_s,total_s,under_control,"
         "peak_rss_bytes_per_resident\n");
  printf("decode,%llu,%u,%d,%d,%.3f,%.3f,%u,%.1f\n", n, tubes, omp_get_max_threads(), repeats,
         bench_median(tr, repeats), bench_median(t, repeats), control,
         bench_peak_rss() / (double)n);
  psc_diags_free(d);
  return 0;
}
