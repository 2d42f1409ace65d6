/* Benchmark: the optimal-design searches of `poolscreen otc`, on one core.
 * Usage: bench_otc [REPEATS]. Prints one CSV row per search: the median
 * time and the configurations it evaluated. */
#include "bench_util.h"

#include <stdio.h>

#include "poolscreen/otc.h"

static void run(const char *name, uint32_t mask, uint32_t kmin, uint32_t kmax, int repeats,
                int inner) {
  psc_accuracy_t a = {{0.95, 0.95, 0.95}, {0.98, 0.98, 0.98}};
  psc_ranked_t top[10];
  size_t n = 0;
  double t[101];
  volatile double sink = 0;
  for (int r = 0; r < repeats; r++) {
    double t0 = bench_now();
    for (int i = 0; i < inner; i++) {
      psc_otc_search(mask, kmin, kmax, 0.01 + 1e-9 * i, &a, NULL, PSC_A2M_EXACT, top, 10, &n);
      sink += top[0].oc.tests_per_person;
    }
    t[r] = (bench_now() - t0) / inner;
  }
  char best[64];
  psc_design_format(&top[0].design, best, sizeof best);
  printf("%s,%u:%u,%d,%.3f,%s\n", name, kmin, kmax, repeats, bench_median(t, repeats) * 1e6, best);
  (void)sink;
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 21;
  if (repeats < 1 || repeats > 101)
    repeats = 21;
  printf("search,sizes,repeats,median_us,best\n");
  run("D2", 1u << PSC_D2, 3, 30, repeats, 2000);
  run("D3", 1u << PSC_D3, 3, 30, repeats, 5);
  run("A2", 1u << PSC_A2, 3, 20, repeats, 500);
  run("A2M", 1u << PSC_A2M, 3, 20, repeats, 500);
  run("all", 0xF, 3, 30, repeats, 5);
  return 0;
}
