/* Benchmark: a batch of the default scenario — a grid of pool sizes 5..
 * times instruments added at L04 — planned with psc_batch_run.
 * Usage: bench_batch [VARIANTS] [REPEATS] [THREADS]; VARIANTS is rounded to
 * a multiple of 10 (default 200 = 20 pool sizes x 10). One CSV row. */
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "poolscreen/poolscreen.h"

int main(int argc, char **argv) {
  int variants = argc > 1 ? atoi(argv[1]) : 200;
  int repeats = argc > 2 ? atoi(argv[2]) : 1;
  int threads = argc > 3 ? atoi(argv[3]) : 0;
  if (variants < 10 || variants > 10000)
    variants = 200;
  if (repeats < 1 || repeats > 20)
    repeats = 1;
  int pools = variants / 10;
  char dir[] = "/tmp/psc_bench_batch_XXXXXX";
  if (!mkdtemp(dir))
    return 1;
  char path[256];
  snprintf(path, sizeof path, "%s/b.batch", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return 1;
  fprintf(f, "[batch]\nscenario = default\n[grid]\npooling.pool_size = ");
  for (int k = 0; k < pools; k++) /* 5 .. 50, the table's range, cycling */
    fprintf(f, "%s%d", k ? ", " : "", 5 + k % 46);
  fprintf(f, "\nlabs.L04.instruments = +0, +1, +2, +3, +4, +5, +6, +7, +8, +9\n");
  fclose(f);
  double t[20];
  for (int k = 0; k < repeats; k++) {
    psc_diags_t *d = psc_diags_create();
    psc_batch_t *b = NULL;
    if (psc_batch_load(path, d, &b))
      return 1;
    psc_batch_options_t o = psc_batch_options_default();
    o.threads = threads;
    double t0 = bench_now();
    if (psc_batch_run(b, &o, d))
      return 1;
    t[k] = bench_now() - t0;
    psc_batch_free(b);
    psc_diags_free(d);
  }
  bench_rmdir("bench_batch", dir);
  double med = bench_median(t, repeats);
  printf("bench,variants,threads,repeats,median_s,variants_per_s\n");
  printf("batch,%d,%d,%d,%.3f,%.2f\n", pools * 10, threads ? threads : omp_get_max_threads(),
         repeats, med, pools * 10 / med);
  return 0;
}
