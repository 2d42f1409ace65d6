/* Benchmark: planning a scenario and writing plan.h5.
 * Usage: bench_plan default [REPEATS] [no-advice]      the embedded Shijingshan scenario
 *        bench_plan city RESIDENTS [REPEATS] [no-advice] a synthetic city (poolscreen gen)
 * no-advice: as `poolscreen plan --no-advice` (the search without the
 * cheapest-fix search).
 * Prints one CSV row: medians of load, plan (with its search, bounds and
 * advice, as `poolscreen plan` runs it) and plan.h5 write, peak memory per
 * resident, and the schedule's quality beside its lower bound: district
 * completion and bound, key communities and streets met. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "poolscreen/poolscreen.h"

int main(int argc, char **argv) {
  int city = argc > 1 && !strcmp(argv[1], "city");
  unsigned long long n = city && argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
  int repeats = atoi(argc > (city ? 3 : 2) ? argv[city ? 3 : 2] : "5");
  int advise = !(argc > (city ? 4 : 3) && !strcmp(argv[city ? 4 : 3], "no-advice"));
  if (repeats < 1 || repeats > 50)
    repeats = 5;
  char dir[] = "/tmp/psc_bench_XXXXXX";
  if (!mkdtemp(dir))
    return 1;
  char ini[256], h5[256];
  snprintf(ini, sizeof ini, "%s/scenario.ini", dir);
  snprintf(h5, sizeof h5, "%s/out/plan.h5", dir);
  if (city && psc_gen_city(dir, n, 20220501)) {
    fprintf(stderr, "bench_plan: cannot write the city\n");
    return 1;
  }
  double tl[50], tp[50], tw[50];
  unsigned long long residents = 0;
  double complete = 0, bound = 0;
  unsigned keys = 0, keys_met = 0, streets = 0, streets_met = 0;
  for (int k = 0; k < repeats; k++) {
    psc_diags_t *d = psc_diags_create();
    psc_scenario_t *s = NULL;
    double t0 = bench_now();
    int rc = city ? psc_scenario_load(ini, d, &s) : psc_scenario_load_default(d, &s);
    double t1 = bench_now();
    psc_plan_t *p = NULL;
    psc_plan_options_t o = psc_plan_options_default();
    o.advise = advise;
    if (!rc)
      rc = psc_plan_create(s, &o, &p);
    double t2 = bench_now();
    if (!rc)
      rc = psc_plan_write_h5(p, h5, 0);
    double t3 = bench_now();
    if (rc) {
      fprintf(stderr, "bench_plan: %s\n", psc_strerror(rc));
      return 1;
    }
    tl[k] = t1 - t0;
    tp[k] = t2 - t1;
    tw[k] = t3 - t2;
    residents = psc_scenario_roster(s)->residents;
    complete = psc_plan_district(p)->complete;
    bound = psc_plan_district(p)->bound;
    keys = keys_met = streets = streets_met = 0;
    const psc_communities_t *cm = psc_scenario_communities(s);
    for (uint32_t c = 0; c < cm->count; c++) {
      keys += cm->key[c] != 0;
      keys_met += cm->key[c] && psc_plan_community(p, c)->met;
    }
    for (uint32_t st = 0; st < psc_scenario_streets(s)->count; st++) {
      streets++;
      streets_met += psc_plan_street(p, st)->met;
    }
    psc_plan_free(p);
    psc_scenario_free(s);
    psc_diags_free(d);
  }
  bench_rmdir("bench_plan", dir);
  printf("bench,residents,threads,repeats,load_s,plan_s,write_h5_s,total_s,peak_rss_bytes_per_resident,"
         "district_complete_min,district_bound_min,key_met,keys,streets_met,streets\n");
  double l = bench_median(tl, repeats), p = bench_median(tp, repeats), w = bench_median(tw, repeats);
  printf("plan_%s%s,%llu,%d,%d,%.3f,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f,%u,%u,%u,%u\n",
         city ? "city" : "default", advise ? "" : "_no_advice", residents, omp_get_max_threads(), repeats, l, p, w, l + p + w,
         bench_peak_rss() / (double)residents, complete, bound, keys_met, keys, streets_met,
         streets);
  return 0;
}
