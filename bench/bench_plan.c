/* Benchmark: planning a scenario and writing plan.h5.
 * Usage: bench_plan default [REPEATS] [no-advice]      the embedded Shijingshan scenario
 *        bench_plan city RESIDENTS [REPEATS] [no-advice] a synthetic city (poolscreen gen)
 * no-advice: as `poolscreen plan --no-advice` (the search without the
 * cheapest-fix search).
 * Prints one CSV row: medians of load, plan (with its search, bounds and
 * advice, as `poolscreen plan` runs it) and plan.h5 write, peak memory per
 * resident, and the schedule's quality beside its lower bound: district
 * completion and bound, key communities and streets met, and the labs'
 * share of the gap: the least completion any lab schedule could reach with
 * this plan's own tube arrivals (labs_bound_min: whole runs on each
 * instrument's latest grid, from the first arrival, any tube free to go to
 * any instrument, opening hours relaxed; filled in start order, a greedy
 * optimal for this relaxation). district_complete_min - labs_bound_min is
 * what the labs lose, labs_bound_min - district_bound_min what the waves and
 * sampling lose. */
#include "bench_util.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poolscreen/poolscreen.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  double start;
  uint32_t wells;
} slot_t;

static int cmp_slot(const void *a, const void *b) {
  return cmp_double(&((const slot_t *)a)->start, &((const slot_t *)b)->start);
}

/* Tubes every instrument's latest grid of whole runs reporting by T can
 * take, in start order, each run only tubes arrived by its start. */
static uint64_t grid_count(const psc_labs_t *lb, double report, const double *arr, uint32_t n,
                           double T, slot_t *slots, uint32_t cap) {
  uint32_t ns = 0;
  for (uint32_t l = 0; l < lb->count; l++)
    for (uint32_t i = 0; i < lb->instruments[l]; i++)
      for (double st = T - report - lb->run_minutes[l]; st >= arr[0] - 1e-9 && ns < cap;
           st -= lb->run_minutes[l])
        slots[ns++] = (slot_t){st, lb->wells[l]};
  qsort(slots, ns, sizeof *slots, cmp_slot);
  uint64_t done = 0;
  uint32_t j = 0;
  for (uint32_t r = 0; r < ns && done < n; r++) {
    while (j < n && arr[j] <= slots[r].start)
      j++;
    uint64_t room = j - done;
    done += room < slots[r].wells ? room : slots[r].wells;
  }
  return done;
}

/* The labs' bound for the plan's own arrivals (minutes after T0), to a
 * hundredth of a minute; NAN when a tube never arrives. */
static double labs_bound(const psc_plan_t *p) {
  const psc_tubes_t *tb = psc_plan_tubes(p);
  const psc_labs_t *lb = psc_scenario_labs(psc_plan_scenario(p));
  double report = psc_scenario_params(psc_plan_scenario(p))->report_minutes;
  uint32_t n = tb->count, cap = 0;
  double hi = 0;
  double *arr = malloc((size_t)n * sizeof(double) + 1);
  if (!arr || !n) {
    free(arr);
    return NAN;
  }
  for (uint32_t t = 0; t < n; t++) {
    arr[t] = tb->arrived[t];
    hi = fmax(hi, tb->reported[t]);
  }
  qsort(arr, n, sizeof(double), cmp_double);
  if (!isfinite(arr[n - 1]) || !isfinite(hi)) {
    free(arr);
    return NAN;
  }
  for (uint32_t l = 0; l < lb->count; l++)
    cap += lb->instruments[l] * (uint32_t)(hi / lb->run_minutes[l] + 2);
  slot_t *slots = malloc((size_t)cap * sizeof(slot_t) + 1);
  double lo = arr[0];
  /* the plan itself reports everything by hi: the bound lies in [lo, hi] */
  while (slots && hi - lo > 0.01) {
    double mid = 0.5 * (lo + hi);
    if (grid_count(lb, report, arr, n, mid, slots, cap) >= n)
      hi = mid;
    else
      lo = mid;
  }
  free(slots);
  free(arr);
  return hi;
}

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
  double complete = 0, bound = 0, labs = NAN;
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
    if (k == repeats - 1) /* after the timing */
      labs = labs_bound(p);
    psc_plan_free(p);
    psc_scenario_free(s);
    psc_diags_free(d);
  }
  bench_rmdir("bench_plan", dir);
  printf("bench,residents,threads,repeats,load_s,plan_s,write_h5_s,total_s,peak_rss_bytes_per_resident,"
         "district_complete_min,district_bound_min,labs_bound_min,key_met,keys,streets_met,"
         "streets\n");
  double l = bench_median(tl, repeats), p = bench_median(tp, repeats), w = bench_median(tw, repeats);
  printf("plan_%s%s,%llu,%d,%d,%.3f,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f,%.1f,%u,%u,%u,%u\n",
         city ? "city" : "default", advise ? "" : "_no_advice", residents, omp_get_max_threads(), repeats, l, p, w, l + p + w,
         bench_peak_rss() / (double)residents, complete, bound, labs, keys_met, keys, streets_met,
         streets);
  return 0;
}
