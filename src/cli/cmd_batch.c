/* `poolscreen batch BATCHFILE [-o OUTDIR] [--threads N] [--simulate R]`:
 * many variants of one scenario, planned side by side. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "poolscreen/batch.h"

void cmd_batch_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen batch BATCHFILE [-o OUTDIR] [--threads N] [--simulate R]\n"
          "                        [--no-report] [--lenient] [--fail-on-miss]\n\n"
          "Plans every variant a batch file describes (docs/batch.md): a base scenario,\n"
          "changes for all variants ([base]), named variants ([variant NAME]) and grids of\n"
          "values ([grid], every combination). Prints one line per variant and writes\n"
          "batch.csv, batch.h5 and report.html (docs/report.md). Variants run in parallel, one per thread; outputs are\n"
          "identical at any thread count.\n\n"
          "  -o, --output OUTDIR  default poolscreen-batch\n"
          "  -t, --threads N      variants at once (default: all cores)\n"
          "  -r, --simulate R     also simulate each variant with R replicates: P(met)\n"
          "                       of the weakest unit per deadline level\n"
          "      --no-report      do not write report.html\n"
          "      --fail-on-miss   exit status 3 when any variant misses a deadline (a key\n"
          "                       community, a street or the district; outputs are still\n"
          "                       written), for CI jobs and scripts\n"
          "      --lenient        unknown scenario.ini keys are warnings, not errors\n"
          "  -h, --help           this text\n\n"
          "On a terminal, a progress bar with the time left (ETA) is drawn on stderr.\n");
}

typedef struct {
  struct timespec t0;
} progress_t;

static double since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void print_table(const psc_batch_t *b) {
  uint32_t n = psc_batch_variants(b);
  int sim = n && psc_batch_result(b, 0)->replicates;
  int w = 7;
  for (uint32_t v = 0; v < n; v++) {
    int len = (int)strlen(psc_batch_variant_name(b, v));
    w = len > w ? (len < 48 ? len : 48) : w;
  }
  printf("%-4s %-*s %7s %7s %4s %9s %9s %7s %6s %-*s%s\n", "#", w, "variant", "streets", "key",
         "dist", "complete", "bound", "tubes", "t/pp", sim ? 10 : 0, "bottleneck",
         sim ? " P(key) P(street) P(district)" : "");
  char a[32], c[32];
  for (uint32_t v = 0; v < n; v++) {
    const psc_batch_result_t *r = psc_batch_result(b, v);
    char st[16], k[16];
    snprintf(st, sizeof st, "%u/%u", r->streets_met, r->streets);
    snprintf(k, sizeof k, "%u/%u", r->keys_met, r->keys);
    printf("%-4u %-*.*s %7s %7s %4s %9s %9s %7u %6.3f %-*s", v, w, w, psc_batch_variant_name(b, v),
           st, k, r->district_met ? "met" : "MISS",
           cli_clock(a, sizeof a, r->district_complete, "-"),
           cli_clock(c, sizeof c, r->lower_bound, "-"), r->tubes, r->tests_per_person,
           sim ? 10 : 0, r->bottleneck);
    if (sim)
      printf(" %6.3f %9.3f %11.3f", r->p_met[0], r->p_met[1], r->p_met[2]);
    putchar('\n');
  }
}

#ifdef PSC_HAVE_MPI
static int get_record(void *b, uint32_t v, double *rec) { return psc_batch_record_get(b, v, rec); }
static int put_record(void *b, uint32_t v, const double *rec) {
  return psc_batch_record_put(b, v, rec);
}
#endif

int cmd_batch(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"simulate", required_argument, NULL, 'r'},
                                       {"lenient", no_argument, NULL, 1000},
                                       {"no-report", no_argument, NULL, 1001},
                                       {"fail-on-miss", no_argument, NULL, 1002},
                                       {NULL, 0, NULL, 0}};
  psc_batch_options_t o = psc_batch_options_default();
  const char *outdir = "poolscreen-batch";
  char *end;
  int ch, report = 1, fail_on_miss = 0;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "ho:t:r:", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      cmd_batch_help(stdout);
      return CLI_OK;
    case 'o':
      outdir = optarg;
      break;
    case 't':
      o.threads = (int)strtol(optarg, &end, 10);
      if (*end || o.threads < 1 || o.threads > 1024)
        return cli_usage_error("batch", "--threads takes a whole number from 1 to 1024");
      break;
    case 'r': {
      unsigned long v = strtoul(optarg, &end, 10);
      if (*end || v < 1 || v > 1000000)
        return cli_usage_error("batch", "--simulate takes a whole number from 1 to 1000000");
      o.replicates = (uint32_t)v;
      break;
    }
    case 1000:
      o.lenient = 1;
      break;
    case 1001:
      report = 0;
      break;
    case 1002:
      fail_on_miss = 1;
      break;
    default:
      return cli_usage_error("batch", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind != 1)
    return cli_usage_error("batch", "expected one BATCHFILE");
  int rank = 0, size = 1, mpi = 0;
#ifdef PSC_HAVE_MPI
  mpi = cli_mpi_start(&argc, &argv, &rank, &size);
  if (mpi < 0) {
    fprintf(stderr, "poolscreen batch: cannot initialise MPI\n");
    return CLI_FAILURE;
  }
  o.rank = rank;
  o.nranks = size;
#endif
  psc_diags_t *d = psc_diags_create();
  psc_batch_t *b = NULL;
  if (!d) {
    fprintf(stderr, "poolscreen batch: %s\n", psc_strerror(PSC_ENOMEM));
    return CLI_FAILURE;
  }
  int err = psc_batch_load(argv[optind], d, &b);
  /* rank 0 writes: the place is checked before the long computation */
  psc_outset_t *set = NULL;
  int open_failed = 0;
  if (!err && rank == 0 && cli_open_output("batch", outdir, &set) != CLI_OK) {
    err = PSC_EIO;
    open_failed = 1;
  }
  progress_t pr;
  clock_gettime(CLOCK_MONOTONIC, &pr.t0);
  /* variants done and the time left, on rank 0's terminal */
  void *bar = err || rank != 0 ? NULL : cli_progress_start();
  if (bar) {
    o.progress = cli_progress;
    o.progress_ctx = bar;
  }
  if (!err)
    err = psc_batch_run(b, &o, d);
  cli_progress_end(bar);
  int all = err;
#ifdef PSC_HAVE_MPI
  if (mpi)
    all = cli_mpi_worst(err);
#endif
  psc_diags_sort(d);
  /* every rank reads the same files: other ranks add only what their own
   * variants found, which is located in the batch file */
  size_t errors = 0;
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const psc_diag_t *g = psc_diags_get(d, i);
    if (rank == 0 || (b && !strcmp(g->file, argv[optind]))) {
      fprintf(stderr, "%s:%u:%u: %s: %s\n", g->file, g->line, g->column,
              g->severity == PSC_DIAG_ERROR ? "error" : "warning", g->message);
      errors += g->severity == PSC_DIAG_ERROR;
    }
  }
  psc_diags_free(d);
#ifdef PSC_HAVE_MPI
  /* the errors every rank printed (all ranks load the batch alike, so all
   * or none get here) */
  if (mpi && b)
    errors = (size_t)cli_mpi_total((long)errors);
#endif
  int rc = CLI_OK;
  if (all == PSC_EINPUT) {
    if (rank == 0)
      fprintf(stderr, "poolscreen batch: %zu error%s in the batch; nothing written\n", errors,
              errors == 1 ? "" : "s");
    rc = CLI_USAGE;
  } else if (all) {
    if (rank == 0 && !open_failed)
      fprintf(stderr, "poolscreen batch: %s\n", psc_strerror(all));
    rc = CLI_FAILURE;
  } else {
#ifdef PSC_HAVE_MPI
    if (mpi && (err = cli_mpi_gather(psc_batch_variants(b), psc_batch_record_size(b), get_record,
                                     put_record, b, rank, size)) != 0) {
      fprintf(stderr, "poolscreen batch: rank %d: gathering results: %s\n", rank,
              psc_strerror(err));
      rc = CLI_FAILURE;
    }
#endif
    if (rank == 0 && rc == CLI_OK) {
      const char *sp = psc_batch_scenario_path(b);
      printf("Batch: %s, %u variants of %s, in %.1f s", argv[optind], psc_batch_variants(b),
             sp ? sp : psc_scenario_default_path(), since(&pr.t0));
      if (size > 1)
        printf(" on %d ranks", size);
      printf("\n\n");
      print_table(b);
      rc = cli_written("batch", set, psc_batch_write_to(b, set, report),
                       report ? "batch.csv, batch.h5, report.html" : "batch.csv, batch.h5");
      set = NULL; /* cli_written freed it */
      /* --fail-on-miss: every deadline any variant missed */
      uint32_t missed = 0;
      for (uint32_t v = 0; v < psc_batch_variants(b); v++) {
        const psc_batch_result_t *r = psc_batch_result(b, v);
        missed += (r->streets - r->streets_met) + (r->keys - r->keys_met) + !r->district_met;
      }
      rc = cli_fail_on_miss(fail_on_miss, missed, rc);
    }
  }
  psc_outset_free(set);
  psc_batch_free(b);
#ifdef PSC_HAVE_MPI
  if (mpi) {
    rc = cli_mpi_share(rc);
    cli_mpi_stop();
  }
#endif
  (void)mpi;
  return rc;
}
