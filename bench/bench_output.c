/* Benchmark: the default `poolscreen plan` of a synthetic city, split into
 * its stages — load, plan (advice included unless no-advice), every writer
 * of the set alone (plan.h5, summary.csv, site_schedule.csv, tubes.csv,
 * assignment.csv, exceptions.csv), the whole output set written after the
 * plan (its files at once, swapped in as one set), and the command as a
 * user types it: `poolscreen plan CITY -o OUT -q` (command_s) and the same
 * with --no-csv (h5_only_command_s), the program run as a process of its
 * own (it makes and writes the plan at once, psc_plan_create_writing).
 * Usage: bench_output RESIDENTS [REPEATS] [DIR] [no-advice]
 * DIR (default a new folder under /tmp) holds the city and the outputs; an
 * existing DIR/scenario.ini is reused. Prints one CSV row of medians and
 * the peak memory per resident. */
#define _DEFAULT_SOURCE /* wait4: the command's own peak memory */
#include "bench_util.h"

#include <omp.h>
#include <sys/resource.h>
#include <sys/wait.h>
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
  char ini[1024], out[1024], one[1024], outh5[1024];
  snprintf(ini, sizeof ini, "%s/scenario.ini", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(outh5, sizeof outh5, "%s/out_h5", dir);
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
  double tl[50], tp[50], tw[MAXW][50], ts[50], tc[2][50];
  long command_peak_kib = 0; /* the command's own maximum resident set */
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
    /* the command, as a process of its own: every file, then plan.h5 only */
    for (int csv = 1; csv >= 0; csv--) {
      char *args[] = {PSC_CLI_PATH, "plan", ini, "-o", csv ? out : outh5, "-q",
                      advise ? (csv ? NULL : "--no-csv") : "--no-advice",
                      advise || csv ? NULL : "--no-csv", NULL};
      sync(); /* the writers' gigabytes above are flushed, not flushed into this */
      double a = bench_now();
      pid_t c = fork();
      if (c == 0) {
        execv(PSC_CLI_PATH, args);
        _exit(127);
      }
      int status = 1;
      struct rusage ru;
      memset(&ru, 0, sizeof ru);
      if (c < 0 || wait4(c, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "bench_output: %s plan failed\n", PSC_CLI_PATH);
        return 1;
      }
      tc[csv][k] = bench_now() - a;
      command_peak_kib = ru.ru_maxrss > command_peak_kib ? ru.ru_maxrss : command_peak_kib;
    }
    psc_diags_free(d);
  }
  if (argc <= 3)
    bench_rmdir("bench_output", dir);
  double l = bench_median(tl, repeats), p = bench_median(tp, repeats);
  double w = bench_median(ts, repeats);
  printf("bench,residents,tubes,threads,repeats,advice,load_s,plan_s");
  for (size_t k = 0; k < nw; k++)
    printf(",%s_s", files[k].name);
  printf(",write_set_s,command_s,h5_only_command_s,peak_rss_bytes_per_resident,"
         "command_peak_bytes_per_resident\n");
  printf("output,%llu,%llu,%d,%d,%d,%.3f,%.3f", residents, tubes, omp_get_max_threads(), repeats,
         advise, l, p);
  for (size_t k = 0; k < nw; k++)
    printf(",%.3f", bench_median(tw[k], repeats));
  printf(",%.3f,%.3f,%.3f,%.1f,%.1f\n", w, bench_median(tc[1], repeats),
         bench_median(tc[0], repeats), bench_peak_rss() / (double)residents,
         command_peak_kib * 1024.0 / (double)residents);
  return 0;
}
