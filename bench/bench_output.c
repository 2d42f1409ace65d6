/* Benchmark: the default `poolscreen plan` of a synthetic city, split into
 * its stages — load, plan (advice included), plan.h5 alone, the CSVs alone,
 * and the whole output set as the command writes it.
 * Usage: bench_output RESIDENTS [REPEATS] [DIR]
 * DIR (default a new folder under /tmp) holds the city and the outputs; an
 * existing DIR/scenario.ini is reused. Prints one CSV row of medians and
 * the peak memory per resident. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poolscreen/poolscreen.h"

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 300000;
  int repeats = argc > 2 ? atoi(argv[2]) : 1;
  if (repeats < 1 || repeats > 50)
    repeats = 1;
  char tmp[] = "/tmp/psc_bench_XXXXXX";
  const char *dir = argc > 3 ? argv[3] : mkdtemp(tmp);
  if (!dir)
    return 1;
  char ini[1024], out[1024], h5[1100];
  snprintf(ini, sizeof ini, "%s/scenario.ini", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(h5, sizeof h5, "%s/h5only/plan.h5", dir);
  struct stat st;
  if (stat(ini, &st) != 0 && psc_gen_city(dir, n, 20220501)) {
    fprintf(stderr, "bench_output: cannot write the city\n");
    return 1;
  }
  double tl[50], tp[50], th[50], tc[50], ts[50];
  unsigned long long residents = 0, tubes = 0;
  for (int k = 0; k < repeats; k++) {
    psc_diags_t *d = psc_diags_create();
    psc_scenario_t *s = NULL;
    psc_plan_t *p = NULL;
    psc_plan_options_t o = psc_plan_options_default();
    double t0 = bench_now();
    int rc = psc_scenario_load(ini, d, &s);
    double t1 = bench_now();
    if (!rc)
      rc = psc_plan_create(s, &o, &p);
    double t2 = bench_now();
    if (!rc)
      rc = psc_plan_write_h5(p, h5, 0);
    double t3 = bench_now();
    if (!rc)
      rc = psc_plan_write_csv(p, out);
    double t4 = bench_now();
    if (!rc)
      rc = psc_plan_write(p, out, 1, 0);
    double t5 = bench_now();
    if (rc) {
      fprintf(stderr, "bench_output: %s\n", psc_strerror(rc));
      return 1;
    }
    tl[k] = t1 - t0;
    tp[k] = t2 - t1;
    th[k] = t3 - t2;
    tc[k] = t4 - t3;
    ts[k] = t5 - t4;
    residents = psc_scenario_roster(s)->residents;
    tubes = psc_plan_tubes(p)->count;
    psc_plan_free(p);
    psc_scenario_free(s);
    psc_diags_free(d);
  }
  if (argc <= 3)
    bench_rmdir("bench_output", dir);
  double l = bench_median(tl, repeats), p = bench_median(tp, repeats);
  double h = bench_median(th, repeats), c = bench_median(tc, repeats);
  double w = bench_median(ts, repeats);
  printf("bench,residents,tubes,threads,repeats,load_s,plan_s,write_h5_s,write_csv_s,write_set_s,"
         "command_s,h5_only_command_s,peak_rss_bytes_per_resident\n");
  printf("output,%llu,%llu,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f\n", residents, tubes,
         omp_get_max_threads(), repeats, l, p, h, c, w, l + p + w, l + p + h,
         bench_peak_rss() / (double)residents);
  return 0;
}
