/* Benchmark: the default `poolscreen plan` of a synthetic city, split into
 * its stages — load, plan (advice included unless no-advice), every writer
 * of the set alone (plan.h5, summary.csv, site_schedule.csv, tubes.csv,
 * assignment.csv, exceptions.csv), and the whole output set as the command
 * writes it (its files at once, swapped in as one set).
 * Usage: bench_output RESIDENTS [REPEATS] [DIR] [no-advice]
 * DIR (default a new folder under /tmp) holds the city and the outputs; an
 * existing DIR/scenario.ini is reused. Prints one CSV row of medians and
 * the peak memory per resident. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "plan/plan_internal.h"
#include "poolscreen/poolscreen.h"

#define MAXW 8

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 300000;
  int repeats = argc > 2 ? atoi(argv[2]) : 1;
  if (repeats < 1 || repeats > 50)
    repeats = 1;
  char tmp[] = "/tmp/psc_bench_XXXXXX";
  const char *dir = argc > 3 ? argv[3] : mkdtemp(tmp);
  int advise = !(argc > 4 && !strcmp(argv[4], "no-advice"));
  if (!dir)
    return 1;
  char ini[1024], out[1024], one[1024];
  snprintf(ini, sizeof ini, "%s/scenario.ini", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(one, sizeof one, "%s/one", dir);
  struct stat st;
  if (stat(ini, &st) != 0 && psc_gen_city(dir, n, 20220501)) {
    fprintf(stderr, "bench_output: cannot write the city\n");
    return 1;
  }
  mkdir(one, 0777);
  size_t nw = 0;
  const psc__out_file_t *files = psc__plan_files(&nw);
  if (nw > MAXW)
    nw = MAXW;
  double tl[50], tp[50], tw[MAXW][50], ts[50];
  unsigned long long residents = 0, tubes = 0;
  for (int k = 0; k < repeats; k++) {
    psc_diags_t *d = psc_diags_create();
    psc_scenario_t *s = NULL;
    psc_plan_t *p = NULL;
    psc_plan_options_t o = psc_plan_options_default();
    o.advise = advise;
    double t0 = bench_now();
    int rc = psc_scenario_load(ini, d, &s);
    double t1 = bench_now();
    if (!rc)
      rc = psc_plan_create(s, &o, &p);
    double t2 = bench_now();
    tl[k] = t1 - t0;
    tp[k] = t2 - t1;
    /* every writer alone, as a set of one file in DIR/one/K */
    psc__plan_out_t po = {p, 0};
    for (size_t w = 0; w < nw && !rc; w++) {
      char path[1200];
      snprintf(path, sizeof path, "%s/%zu", one, w);
      double a = bench_now();
      rc = psc__write_files(path, &files[w], 1, &po);
      tw[w][k] = bench_now() - a;
    }
    double t4 = bench_now();
    if (!rc)
      rc = psc_plan_write(p, out, 1, 0);
    ts[k] = bench_now() - t4;
    if (rc) {
      fprintf(stderr, "bench_output: %s\n", psc_strerror(rc));
      return 1;
    }
    residents = psc_scenario_roster(s)->residents;
    tubes = psc_plan_tubes(p)->count;
    psc_plan_free(p);
    psc_scenario_free(s);
    psc_diags_free(d);
  }
  if (argc <= 3)
    bench_rmdir("bench_output", dir);
  double l = bench_median(tl, repeats), p = bench_median(tp, repeats);
  double w = bench_median(ts, repeats), h = bench_median(tw[0], repeats);
  printf("bench,residents,tubes,threads,repeats,advice,load_s,plan_s");
  for (size_t k = 0; k < nw; k++)
    printf(",%s_s", files[k].name);
  printf(",write_set_s,command_s,h5_only_command_s,peak_rss_bytes_per_resident\n");
  printf("output,%llu,%llu,%d,%d,%d,%.3f,%.3f", residents, tubes, omp_get_max_threads(), repeats,
         advise, l, p);
  for (size_t k = 0; k < nw; k++)
    printf(",%.3f", bench_median(tw[k], repeats));
  printf(",%.3f,%.3f,%.3f,%.1f\n", w, l + p + w, l + p + h,
         bench_peak_rss() / (double)residents);
  return 0;
}
