/* `poolscreen simulate [SCENARIO] [--replicates R] [--threads T] [--seed S]
 * [-o OUTDIR]`: the chance of meeting each deadline, and what a round finds. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "poolscreen/simulate.h"
#include "poolscreen/report.h"

void cmd_simulate_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen simulate [SCENARIO] [--replicates R] [--threads T] [--seed S]\n"
          "                           [-o OUTDIR] [--fail-on-miss P] [--quiet] [--report]\n"
          "                           [--set S.K=V]... [--lenient]\n\n"
          "Monte Carlo of a whole round around its plan: infections with household\n"
          "clustering and Ct values, pooled detection with dilution, turnout and door-to-door\n"
          "sweeps, random site rates and staff, run failures and lab outages, and the\n"
          "retest round. Prints, per street, key community and the district, the chance\n"
          "of meeting the deadline (95 %% interval) and completion quantiles; tests per\n"
          "person, positives found and missed, time to isolation, lab utilisation and\n"
          "peak queues. The [simulation] section of the scenario sets the model\n"
          "(docs/simulate.md). Same seed, same results at any thread count.\n\n"
          "  -r, --replicates R   default 1000\n"
          "  -t, --threads T      default: all\n"
          "  -s, --seed S         default: the scenario's seed\n"
          "  -o, --output OUTDIR  sim.h5 and sim_summary.csv (default poolscreen-sim)\n"
          "      --fail-on-miss P exit status 3 when some deadline's chance of being met\n"
          "                       is below P (0.95 or 95%%); outputs are still written\n"
          "  -q, --quiet          print nothing on stdout and no progress bar\n"
          "      --report         also write report.html (charts; docs/report.md)\n" CLI_SET_HELP
          "\n"
          "On a terminal, a progress bar with the time left (ETA) is drawn on stderr.\n"
          "Without SCENARIO: " CLI_DEFAULT_SCENARIO_TEXT ".\n");
}

static void print_sim(const psc_scenario_t *s, const psc_sim_options_t *opt,
                      const psc_sim_t *sim) {
  const psc_sim_options_t o = *opt;
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  uint32_t R = psc_sim_replicates(sim);
  double tests = 0, tests2 = 0, pos = 0, found = 0, missed = 0, iso = 0, util = 0, fails = 0;
  uint32_t niso = 0;
  for (uint32_t r = 0; r < R; r++) {
    const psc_sim_replicate_t *x = psc_sim_replicate(sim, r);
    tests += x->tests_per_person;
    tests2 += x->tests_per_person * x->tests_per_person;
    pos += x->positives;
    found += x->found;
    missed += x->missed;
    util += x->lab_utilisation;
    fails += x->failed_runs;
    if (isfinite(x->isolation_mean)) {
      iso += x->isolation_mean;
      niso++;
    }
  }
  double mt = tests / R, se_t = R > 1 ? sqrt(fmax(0, tests2 / R - mt * mt) / (R - 1)) : 0;
  printf("Simulation: %u replicates of %s, seed %llu\n\n", R,
         psc_scenario_params(s)->name,
         (unsigned long long)(o.seed ? o.seed : psc_scenario_params(s)->seed));
  printf("%-10s %-28s %7s %17s %21s %21s\n", "level", "unit", "P(met)", "95 % interval",
         "p50 (local time)", "p95 (local time)");
  char a[48], b[48];
  const char *start = psc_scenario_params(s)->start;
  for (size_t i = 0; i < psc_sim_units(sim); i++) {
    const psc_sim_unit_t *u = psc_sim_unit(sim, i);
    const char *name = u->level == 0 ? cm->id[u->index] : u->level == 1 ? sv->name[u->index] : "district";
    char nm[160];
    printf("%-10s %s %7.3f   [%.3f, %.3f] %21s %21s\n",
           u->level == 0 ? "key" : u->level == 1 ? "street" : "district",
           cli_pad(nm, sizeof nm, name, 28), u->p_met,
           u->p_met_lo, u->p_met_hi, cli_clock_at(a, sizeof a, u->complete_p50, start, "-"),
           cli_clock_at(b, sizeof b, u->complete_p95, start, "-"));
  }
  printf("\nTests per person %.5f (standard error %.5f); positives %.1f, found %.1f, missed %.1f "
         "(%.2f %%) per round\n",
         mt, se_t, pos / R, found / R, missed / R, pos > 0 ? 100 * missed / pos : 0.0);
  printf("First swab to temporary control of a found positive: %.0f minutes on average\n",
         niso ? iso / niso : NAN);
  printf("Lab utilisation %.0f %%; %.1f failed runs per round\n", 100 * util / R, fails / R);
  uint32_t busiest = 0;
  const psc_sites_t *st = psc_scenario_sites(s);
  for (uint32_t i = 1; i < st->count; i++)
    if (psc_sim_peak_queue_max(sim, i) > psc_sim_peak_queue_max(sim, busiest))
      busiest = i;
  if (st->count)
    printf("Largest peak queue: %s, %.0f residents on average, %.0f at most\n", st->id[busiest],
           psc_sim_peak_queue_mean(sim, busiest), psc_sim_peak_queue_max(sim, busiest));
}

#ifdef PSC_HAVE_MPI
static int get_record(void *sim, uint32_t r, double *rec) { return psc_sim_record_get(sim, r, rec); }
static int put_record(void *sim, uint32_t r, const double *rec) {
  return psc_sim_record_put(sim, r, rec);
}
#endif

int cmd_simulate(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"replicates", required_argument, NULL, 'r'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"fail-on-miss", required_argument, NULL, 'F'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"set", required_argument, NULL, 1000},
                                       {"lenient", no_argument, NULL, 1001},
                                       {"report", no_argument, NULL, 1002},
                                       {NULL, 0, NULL, 0}};
  static cli_sets_t sets;
  memset(&sets, 0, sizeof sets);
  double fail_below = 0;
  psc_sim_options_t o = psc_sim_options_default();
  const char *outdir = "poolscreen-sim";
  char *end;
  int ch, report = 0;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "hr:t:s:o:q", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      cmd_simulate_help(stdout);
      return CLI_OK;
    case 'r': {
      unsigned long v = strtoul(optarg, &end, 10);
      if (*end || v < 1 || v > 10000000)
        return cli_usage_error("simulate", "--replicates takes a whole number from 1 to 10000000");
      o.replicates = (uint32_t)v;
      break;
    }
    case 't':
      o.threads = (int)strtol(optarg, &end, 10);
      if (*end || o.threads < 1 || o.threads > 1024)
        return cli_usage_error("simulate", "--threads takes a whole number from 1 to 1024");
      break;
    case 's':
      o.seed = strtoull(optarg, &end, 10);
      if (*end || !o.seed)
        return cli_usage_error("simulate", "--seed takes a whole number above 0");
      break;
    case 'o':
      outdir = optarg;
      break;
    case 'F':
      if (cli_parse_probability(optarg, &fail_below))
        return cli_usage_error("simulate", "--fail-on-miss takes a probability P with "
                                           "0 < P <= 1, such as 0.95 or 95%%");
      break;
    case 'q':
      cli_quiet = 1;
      break;
    case 1000:
      if (cli_add_set(&sets, "simulate", argc, argv, optarg))
        return CLI_USAGE;
      break;
    case 1001:
      sets.opt.lenient = 1;
      break;
    case 1002:
      report = 1;
      break;
    default:
      return cli_usage_error("simulate", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error("simulate", "expected at most one SCENARIO");
  int rank = 0, size = 1, mpi = 0;
#ifdef PSC_HAVE_MPI
  mpi = cli_mpi_start(&argc, &argv, &rank, &size);
  if (mpi < 0) {
    fprintf(stderr, "poolscreen simulate: cannot initialise MPI\n");
    return CLI_FAILURE;
  }
  o.rank = rank;
  o.nranks = size;
#endif
  psc_scenario_t *s = NULL;
  int rc = CLI_OK;
  if (rank == 0) {
    rc = cli_load_scenario_with(optind < argc ? argv[optind] : NULL, &sets, &s);
  } else {
    /* every rank reads the same files; rank 0 alone reports on them */
    psc_diags_t *quiet = psc_diags_create();
    int lrc = quiet ? psc_scenario_load_with(optind < argc ? argv[optind] : NULL, &sets.opt,
                                             quiet, &s)
                    : PSC_ENOMEM;
    rc = lrc == PSC_EINPUT ? CLI_USAGE : lrc ? CLI_FAILURE : CLI_OK;
    psc_diags_free(quiet);
  }
#ifdef PSC_HAVE_MPI
  if (mpi && cli_mpi_share(rc) != rc) /* all ranks load alike; this cannot differ */
    rc = CLI_FAILURE;
  if (mpi && rc)
    cli_mpi_stop();
#endif
  if (rc)
    return rc;
  /* only rank 0 writes; the place is checked before the long computation */
  psc_outset_t *set = NULL;
  if (rank == 0)
    rc = cli_open_output("simulate", outdir, &set);
#ifdef PSC_HAVE_MPI
  if (mpi && (rc = cli_mpi_share(rc)) != 0) {
    psc_outset_free(set);
    psc_scenario_free(s);
    cli_mpi_stop();
    return rc;
  }
#endif
  if (rc) {
    psc_scenario_free(s);
    return rc;
  }
  void *bar = rank == 0 ? cli_progress_start() : NULL;
  if (bar) {
    o.progress = cli_progress;
    o.progress_ctx = bar;
  }
  psc_sim_t *sim = NULL;
  int err = psc_sim_run(s, &o, &sim);
  cli_progress_end(bar);
#ifdef PSC_HAVE_MPI
  if (mpi && !(err = cli_mpi_worst(err))) {
    err = cli_mpi_gather(o.replicates, psc_sim_record_size(sim), get_record, put_record, sim, rank,
                         size);
    if (!err && rank == 0 && size > 1) /* one rank: psc_sim_run aggregated */
      err = psc_sim_finish(sim);
  }
#endif
  if (err || rank != 0) {
    if (err && rank == 0)
      fprintf(stderr, "poolscreen simulate: %s\n", psc_strerror(err));
    psc_sim_free(sim);
    psc_outset_free(set);
    psc_scenario_free(s);
#ifdef PSC_HAVE_MPI
    if (mpi) {
      rc = cli_mpi_share(err ? CLI_FAILURE : CLI_OK);
      cli_mpi_stop();
      return rc;
    }
#endif
    return CLI_FAILURE;
  }
  if (!cli_quiet)
    print_sim(s, &o, sim);
  rc = cli_written("simulate", set,
                   report ? psc_report_write_sim_to(sim, set) : psc_sim_write_to(sim, set),
                   report ? "sim.h5, sim_summary.csv, report.html" : "sim.h5, sim_summary.csv");
  rc = cli_fail_on_miss(fail_below > 0, cli_sim_missed(sim, fail_below), rc);
  psc_sim_free(sim);
  psc_scenario_free(s);
#ifdef PSC_HAVE_MPI
  if (mpi) {
    rc = cli_mpi_share(rc);
    cli_mpi_stop();
  }
#endif
  (void)mpi;
  return rc;
}
