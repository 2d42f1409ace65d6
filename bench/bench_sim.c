/* Benchmark: `poolscreen simulate` on the default scenario.
 * Usage: bench_sim [REPLICATES] [REPEATS]; one CSV row. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>

#include "poolscreen/poolscreen.h"

int main(int argc, char **argv) {
  uint32_t R = argc > 1 ? (uint32_t)atoi(argv[1]) : 1000;
  int repeats = argc > 2 ? atoi(argv[2]) : 3;
  if (repeats < 1 || repeats > 20)
    repeats = 3;
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  if (psc_scenario_load_default(d, &s))
    return 1;
  double t[20];
  for (int k = 0; k < repeats; k++) {
    psc_sim_options_t o = psc_sim_options_default();
    o.replicates = R;
    psc_sim_t *sim = NULL;
    double t0 = bench_now();
    if (psc_sim_run(s, &o, &sim))
      return 1;
    t[k] = bench_now() - t0;
    psc_sim_free(sim);
  }
  double med = bench_median(t, repeats);
  uint32_t residents = psc_scenario_roster(s)->residents;
  printf("bench,replicates,threads,repeats,median_s,resident_replicates_per_s\n");
  printf("simulate,%u,%d,%d,%.3f,%.0f\n", R, omp_get_max_threads(), repeats, med,
         (double)R * residents / med);
  psc_scenario_free(s);
  psc_diags_free(d);
  return 0;
}
