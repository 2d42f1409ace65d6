/* Benchmark: roster synthesis for a city of N residents.
 * Usage: bench_roster [RESIDENTS] [REPEATS]; prints one CSV row. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>

#include "poolscreen/poolscreen.h"

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 25000000ULL;
  int repeats = argc > 2 ? atoi(argv[2]) : 5;
  if (repeats < 1 || repeats > 100)
    repeats = 5;
  /* communities of 5 000 residents at 2.35 per household, 1 % door to door */
  uint32_t per = 5000, count = (uint32_t)((n + per - 1) / per);
  uint32_t *pop = malloc(count * 4ull), *hh = malloc(count * 4ull), *d2d = malloc(count * 4ull),
           *hr = calloc(count, 4);
  for (uint32_t i = 0; i < count; i++) {
    pop[i] = i + 1 < count ? per : (uint32_t)(n - (unsigned long long)per * (count - 1));
    hh[i] = (uint32_t)(pop[i] / 2.35);
    if (hh[i] < (pop[i] + 19) / 20)
      hh[i] = (pop[i] + 19) / 20;
    d2d[i] = pop[i] / 100;
  }
  psc_communities_t c = {.count = count, .population = pop, .households = hh,
                         .door_to_door = d2d, .high_risk = hr};
  double t[100];
  for (int k = 0; k < repeats; k++) {
    psc_roster_t r;
    double t0 = bench_now();
    if (psc_roster_synthesise(&c, 20220501, &r)) {
      fprintf(stderr, "bench_roster: synthesis failed\n");
      return 1;
    }
    t[k] = bench_now() - t0;
    psc_roster_clear(&r);
  }
  double med = bench_median(t, repeats);
  printf("bench,residents,threads,repeats,median_s,residents_per_s,peak_rss_bytes_per_resident\n");
  printf("roster,%llu,%d,%d,%.4f,%.0f,%.2f\n", n, omp_get_max_threads(), repeats, med, n / med,
         bench_peak_rss() / (double)n);
  free(pop);
  free(hh);
  free(d2d);
  free(hr);
  return 0;
}
