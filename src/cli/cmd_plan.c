/* `poolscreen plan [SCENARIO] [-o OUTDIR] [--threads N]`: plan a round,
 * print verdicts per street, key communities and the district, write the
 * plan files. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "poolscreen/plan.h"
#include "poolscreen/report.h"

void cmd_plan_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen plan [SCENARIO] [-o OUTDIR] [--threads N] [--margin HOURS]\n"
          "                       [--hold F] [--no-advice] [--no-csv] [--fail-on-miss]\n"
          "                       [--quiet] [--json] [--report] [--set S.K=V]... [--lenient]\n\n"
          "Plans one screening round: assigns communities to sites and hours, packs swabs\n"
          "into tubes, routes tubes to labs and PCR runs, and checks every deadline.\n"
          "Prints verdicts per street, key community and district with each unit's lower\n"
          "bound (what any schedule of these resources could do) and the gap to it, the\n"
          "bottleneck, and with a missed deadline the cheapest set of added resources\n"
          "(by the scenario's [costs]) with which the planner meets every deadline.\n\n"
          "  -o, --output OUTDIR  write plan.h5, summary.csv, site_schedule.csv,\n"
          "                       tubes.csv, assignment.csv, exceptions.csv\n"
          "                       (default: %s)\n"
          "  -t, --threads N      OpenMP threads (default: all); outputs are identical\n"
          "      --margin HOURS   open each street this long after the latest time its\n"
          "                       deadline allows, instead of searching it\n"
          "      --hold F         with run_start = planned, hold a run for its plate up\n"
          "                       to F x run length x empty share (default: searched)\n"
          "      --no-advice      do not search for the cheapest fix of a miss\n"
          "      --no-csv         write plan.h5 only\n"
          "      --fail-on-miss   exit status 3 when a deadline is missed (outputs are\n"
          "                       still written), for CI jobs and scripts\n"
          "  -q, --quiet          print nothing on stdout; problems still go to stderr\n"
          "      --json           print a JSON summary on stdout instead of the tables:\n"
          "                       verdicts, lower bound, bottleneck, advice\n"
          "                       (docs/output.md)\n"
          "      --report         also write report.html (charts; docs/report.md)\n" CLI_SET_HELP
          "  -h, --help           this text\n\n"
          "Without SCENARIO: " CLI_DEFAULT_SCENARIO_TEXT ".\n",
          "poolscreen-out");
}

/* met, MISSED, or MISSED (infeasible): no schedule of these resources meets it */
static const char *verdict_word(const psc_verdict_t *v) {
  return v->met ? "met" : v->infeasible ? "MISSED (infeasible with these resources)" : "MISSED";
}

static void print_plan(const psc_plan_t *p, int margin_searched) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_params_t *par = psc_scenario_params(s);
  const psc_streets_t *sv = psc_scenario_streets(s);
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_tubes_t *t = psc_plan_tubes(p);
  const psc_verdict_t *d = psc_plan_district(p);
  char a[32], b[32], c[32], e[32], f[32];
  uint32_t single = 0, pooled = 0, d2d = 0;
  for (uint32_t i = 0; i < t->count; i++) {
    single += t->stream[i] == PSC_STREAM_HIGH_RISK;
    pooled += t->stream[i] == PSC_STREAM_WALK_IN;
    d2d += t->stream[i] == PSC_STREAM_DOOR_TO_DOOR;
  }
  printf("Plan: %s (%s), T0 %s\n", par->name, cli_scenario_label(s), par->start);
  char how[64];
  if (!strcmp(par->design, "array"))
    snprintf(how, sizeof how, "in %dx%d arrays (row and column tubes)", par->array_size,
             par->array_size);
  else
    snprintf(how, sizeof how, "pooled 1:%d", par->pool_size);
  printf("%s residents in %s tubes: %s %s at sites, %s door to door, %s high-risk "
         "1:%d; %u on exception lists\n",
         cli_count(a, sizeof a, d->residents), cli_count(b, sizeof b, t->count),
         cli_count(c, sizeof c, pooled), how, cli_count(e, sizeof e, d2d),
         cli_count(f, sizeof f, single), par->high_risk_pool_size, d->exceptions);
  char aligned[64] = "", partner[160] = "";
  if (psc_plan_align_end(p) > 0)
    snprintf(aligned, sizeof aligned, ", the labs aligned to end by %s",
             cli_clock(a, sizeof a, psc_plan_align_end(p), "-"));
  if (psc_plan_partner(p) != UINT32_MAX)
    snprintf(partner, sizeof partner, ", but %s, which opens at T0 beside the key streets",
             psc_scenario_streets(s)->name[psc_plan_partner(p)]);
  printf("Streets open in waves (order below), each %.1f h after the latest opening its "
         "deadline allows%s%s; runs start %s%s.\n\n",
         psc_plan_margin_hours(p), margin_searched ? " (searched)" : "", partner,
         par->run_start_eager ? "eagerly (run_start = eager)" : "as planned (run_start = planned)",
         aligned);
  printf("%-14s %9s %7s %-17s %9s %11s %9s %8s %9s %6s  %s\n", "street", "residents", "tubes",
         "sampling", "complete", "local time", "deadline", "slack", "bound", "gap", "verdict");
  const uint32_t *order = psc_plan_street_order(p);
  for (uint32_t k = 0; k < sv->count; k++) {
    uint32_t st = order[k];
    const psc_verdict_t *v = psc_plan_street(p, st);
    char span[40];
    snprintf(span, sizeof span, "%s-%s", cli_clock(a, sizeof a, v->sampling_start, "-"),
             cli_duration(b, sizeof b, v->sampling_end, 0));
    char g1[32], g2[32], nm[128], at[32];
    printf("%s %9s %7u %-17s %9s %11s %9s %8s %9s %6s  %s\n", cli_pad(nm, sizeof nm, sv->name[st], 14),
           cli_count(c, sizeof c, v->residents), v->tubes, span,
           cli_clock(e, sizeof e, v->complete, "-"), cli_local(at, sizeof at, v->complete, par->start, "-"),
           cli_clock(f, sizeof f, v->deadline, "-"),
           cli_duration(a, sizeof a, v->slack, 1), cli_clock(g1, sizeof g1, v->bound, "-"),
           cli_duration(g2, sizeof g2, v->complete - v->bound, 0), verdict_word(v));
  }
  uint32_t nkey = 0, kmet = 0;
  double worst = INFINITY;
  uint32_t worst_c = 0;
  for (uint32_t i = 0; i < cm->count; i++) {
    if (!cm->key[i])
      continue;
    const psc_verdict_t *v = psc_plan_community(p, i);
    nkey++;
    kmet += v->met;
    if (v->tubes && v->slack < worst) {
      worst = v->slack;
      worst_c = i;
    }
  }
  printf("\nKey communities: %u of %u met the %g h deadline", kmet, nkey, par->deadline_key_h);
  if (nkey && isfinite(worst))
    printf("; tightest %s (%s), complete %s, slack %s", cm->id[worst_c], cm->name[worst_c],
           cli_clock_at(a, sizeof a, psc_plan_community(p, worst_c)->complete, par->start, "-"),
           cli_duration(b, sizeof b, worst, 1));
  printf(".\n");
  for (uint32_t i = 0; i < cm->count; i++) {
    const psc_verdict_t *v = psc_plan_community(p, i);
    if (cm->key[i] && !v->met)
      printf("  %s %s (%s): complete %s, late by %s, bound %s\n", verdict_word(v), cm->id[i],
             cm->name[i], cli_clock_at(a, sizeof a, v->complete, par->start, "-"),
             cli_duration(b, sizeof b, -v->slack, 0), cli_clock(c, sizeof c, v->bound, "-"));
  }
  if (nkey) {
    double kb = -INFINITY;
    for (uint32_t i = 0; i < cm->count; i++)
      if (cm->key[i] && psc_plan_community(p, i)->tubes)
        kb = fmax(kb, psc_plan_community(p, i)->bound);
    printf("  Latest key-community bound: %s.\n", cli_clock(a, sizeof a, kb, "-"));
  }
  printf("District: complete %s, deadline %s, slack %s: %s\n",
         cli_clock_at(a, sizeof a, d->complete, par->start, "-"),
         cli_clock_at(b, sizeof b, d->deadline, par->start, "-"),
         cli_duration(c, sizeof c, d->slack, 1), verdict_word(d));
  printf("Lower bound (whole runs, plates, hours, earliest arrivals, sampling): %s; the plan "
         "is %s above it.\n",
         cli_clock(a, sizeof a, d->bound, "-"), cli_duration(b, sizeof b, d->complete - d->bound, 0));
  const psc_utilisation_t *u = psc_plan_utilisation(p);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_labs_t *lb_ = psc_scenario_labs(s);
  const char *bn = cli_plan_bottleneck(p);
  printf("Bottleneck: %s. Utilisation to completion: labs %.0f %% (busiest %s %.0f %%, "
         "plates %.0f %% full), sampling sites %.0f %% (busiest %s %.0f %%), door-to-door %.0f "
         "%%.\n",
         bn, 100 * u->lab, u->busiest_lab < lb_->count ? lb_->id[u->busiest_lab] : "-",
         100 * u->busiest_lab_util, 100 * u->lab_fill, 100 * u->sampling,
         u->busiest_site < st->count ? st->id[u->busiest_site] : "-", 100 * u->busiest_site_util,
         100 * u->door_to_door);
  printf("Mean minutes per tube: %.0f waiting for transport, %.0f travelling, %.0f waiting "
         "for a run, %.0f in the run and reporting.\n",
         u->wait_transport, u->travel, u->wait_lab, u->run_and_report);
  uint32_t aged = psc_plan_aged_tubes(p);
  if (aged)
    printf("%u tubes waited more than %g h from first swab to their run.\n", aged,
           par->max_sample_age_hours);
  const psc_advice_t *adv = psc_plan_advice(p);
  if (adv->needed) {
    if (adv->found)
      printf("Cheapest fix found (cost %g, verified by planning with it, %u plan%s searched): "
             "%s -> every deadline met, district complete %s.\n",
             adv->cost, adv->plans, adv->plans == 1 ? "" : "s", adv->what, cli_clock(a, sizeof a, adv->district_after, "-"));
    else if (adv->count && adv->missed_after < adv->missed_before)
      printf("No fix found within the search (%u plan%s); best found (cost %g): %s -> %u of %u "
             "missed deadlines left, district %s.\n",
             adv->plans, adv->plans == 1 ? "" : "s", adv->cost, adv->what, adv->missed_after, adv->missed_before,
             cli_clock(a, sizeof a, adv->district_after, "-"));
    else
      printf("No fix found within the search (%u plan%s): no addition among the candidates "
             "helps.\n", adv->plans, adv->plans == 1 ? "" : "s");
  }
}

int cmd_plan(int argc, char **argv) {
  enum { OPT_MARGIN = 1000, OPT_NO_ADVICE, OPT_NO_CSV, OPT_HOLD, OPT_FAIL, OPT_JSON, OPT_SET,
         OPT_LENIENT, OPT_REPORT };
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"margin", required_argument, NULL, OPT_MARGIN},
                                       {"hold", required_argument, NULL, OPT_HOLD},
                                       {"no-advice", no_argument, NULL, OPT_NO_ADVICE},
                                       {"no-csv", no_argument, NULL, OPT_NO_CSV},
                                       {"fail-on-miss", no_argument, NULL, OPT_FAIL},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"json", no_argument, NULL, OPT_JSON},
                                       {"set", required_argument, NULL, OPT_SET},
                                       {"lenient", no_argument, NULL, OPT_LENIENT},
                                       {"report", no_argument, NULL, OPT_REPORT},
                                       {NULL, 0, NULL, 0}};
  static cli_sets_t sets;
  memset(&sets, 0, sizeof sets);
  psc_plan_options_t o = psc_plan_options_default();
  const char *outdir = "poolscreen-out";
  int ch, csv = 1, fail_on_miss = 0, json = 0, report = 0;
  char *end;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "ho:t:q", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      cmd_plan_help(stdout);
      return CLI_OK;
    case 'o':
      outdir = optarg;
      break;
    case 't':
      o.threads = (int)strtol(optarg, &end, 10);
      if (*end || o.threads < 1 || o.threads > 1024)
        return cli_usage_error("plan", "--threads takes a whole number from 1 to 1024");
      break;
    case OPT_MARGIN:
      o.margin_hours = strtod(optarg, &end);
      if (*end || !(o.margin_hours >= 0 && o.margin_hours <= 1e4))
        return cli_usage_error("plan", "--margin takes hours from 0 to 10000");
      break;
    case OPT_HOLD:
      o.hold = strtod(optarg, &end);
      if (*end || !(o.hold >= 0 && o.hold <= 100))
        return cli_usage_error("plan", "--hold takes a number from 0 to 100");
      break;
    case OPT_NO_ADVICE:
      o.advise = 0;
      break;
    case OPT_NO_CSV:
      csv = 0;
      break;
    case OPT_FAIL:
      fail_on_miss = 1;
      break;
    case 'q':
      cli_quiet = 1;
      break;
    case OPT_JSON:
      json = 1;
      break;
    case OPT_SET:
      if (cli_add_set(&sets, "plan", argc, argv, optarg))
        return CLI_USAGE;
      break;
    case OPT_LENIENT:
      sets.opt.lenient = 1;
      break;
    case OPT_REPORT:
      report = 1;
      break;
    default:
      return cli_usage_error("plan", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error("plan", "expected at most one SCENARIO");
  psc_scenario_t *s = NULL;
  int rc = cli_load_scenario_with(optind < argc ? argv[optind] : NULL, &sets, &s);
  if (rc)
    return rc;
  psc_outset_t *set = NULL;
  if ((rc = cli_open_output("plan", outdir, &set))) {
    psc_scenario_free(s);
    return rc;
  }
  psc_plan_t *p = NULL;
  if (json)
    cli_quiet = 1; /* stdout carries the JSON alone */
  /* the files are written while the plan and its advice are made */
  int written = 0;
  int err = report ? psc_report_plan_create_writing(s, &o, set, csv, &p, &written)
                   : psc_plan_create_writing(s, &o, set, csv, &p, &written);
  if (err) {
    fprintf(stderr, "poolscreen plan: %s\n", psc_strerror(err));
    psc_outset_free(set);
    psc_scenario_free(s);
    return CLI_FAILURE;
  }
  /* a failed advice failed the writers too: nothing is written */
  if ((err = psc_plan_advice_wait(p)) != 0 ||
      (json && cli_plan_json(stdout, p, o.margin_hours >= 0) && (err = PSC_ENOMEM))) {
    fprintf(stderr, "poolscreen plan: %s\n", psc_strerror(err));
    psc_plan_free(p);
    psc_outset_free(set);
    psc_scenario_free(s);
    return CLI_FAILURE;
  }
  if (!json && !cli_quiet)
    print_plan(p, o.margin_hours < 0);
  err = cli_written("plan", set, written,
                    csv ? report ? "plan.h5, summary.csv, site_schedule.csv, tubes.csv, "
                                   "assignment.csv, exceptions.csv, report.html"
                                 : "plan.h5, summary.csv, site_schedule.csv, tubes.csv, "
                                   "assignment.csv, exceptions.csv"
                    : report ? "plan.h5, report.html"
                             : "plan.h5");
  err = cli_fail_on_miss(fail_on_miss, cli_plan_missed(p), err);
  psc_plan_free(p);
  psc_scenario_free(s);
  return err;
}
