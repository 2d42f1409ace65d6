/* `poolscreen validate [SCENARIO]`: check a scenario, summarise it. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cmd_validate_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen validate [SCENARIO] [--set S.K=V]... [--lenient]\n\n"
          "Loads SCENARIO (an INI file), checks every table, and prints a summary:\n"
          "residents, households, streets, communities, sites by kind, booths and\n"
          "sampling capacity, labs and PCR capacity. Every problem is printed as\n"
          "FILE:LINE:COLUMN: message; exit status 2 then.\n\n"
          "  -q, --quiet      print nothing but the problems (exit status tells)\n" CLI_SET_HELP
          "\nWithout SCENARIO: " CLI_DEFAULT_SCENARIO_TEXT ".\n");
}

static void summary(const psc_scenario_t *s) {
  const psc_params_t *p = psc_scenario_params(s);
  const psc_communities_t *c = psc_scenario_communities(s);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_labs_t *l = psc_scenario_labs(s);
  const psc_roster_t *r = psc_scenario_roster(s);
  char a[32], b[32], e[32];
  unsigned long long d2d = 0, hr = 0;
  unsigned keys = 0;
  for (uint32_t i = 0; i < c->count; i++) {
    d2d += c->door_to_door[i];
    hr += c->high_risk[i];
    keys += c->key[i];
  }
  unsigned nkind[PSC_SITE_KINDS] = {0};
  unsigned long long booths = 0, teams = 0;
  double per_hour = 0, team_hour = 0;
  for (uint32_t i = 0; i < st->count; i++) {
    nkind[st->kind[i]]++;
    if (st->kind[i] == PSC_SITE_DOOR_TO_DOOR) {
      teams += st->booths[i];
      team_hour += st->booths[i] * st->rate[i];
    } else {
      booths += st->booths[i];
      per_hour += st->booths[i] * st->rate[i];
    }
  }
  unsigned long long instruments = 0;
  double tubes_day = 0;
  for (uint32_t i = 0; i < l->count; i++) {
    instruments += l->instruments[i];
    tubes_day += (double)l->instruments[i] * l->wells[i] *
                 psc_open_minutes(l->open_min[i], l->close_min[i]) / l->run_minutes[i];
  }
  printf("Scenario        %s\n", p->name);
  printf("File            %s\n", cli_scenario_label(s));
  printf("Start (T0)      %s, seed %llu\n", p->start, (unsigned long long)p->seed);
  printf("Residents       %s in %s households (%s, %.2f per household)\n",
         cli_count(a, sizeof a, r->residents), cli_count(b, sizeof b, r->households),
         r->synthesised ? "synthesised from counts" : "from residents.csv",
         r->households ? (double)r->residents / r->households : 0.0);
  printf("Streets         %u\n", psc_scenario_streets(s)->count);
  printf("Communities     %u (%u key)\n", c->count, keys);
  printf("Door to door    %s residents; high risk (pool of %d) %s residents\n",
         cli_count(a, sizeof a, d2d), p->high_risk_pool_size, cli_count(b, sizeof b, hr));
  printf("Sites           %u: %u fixed, %u community, %u temporary, %u door_to_door\n", st->count,
         nkind[PSC_SITE_FIXED], nkind[PSC_SITE_COMMUNITY], nkind[PSC_SITE_TEMPORARY],
         nkind[PSC_SITE_DOOR_TO_DOOR]);
  printf("Booths          %s booths, sampling capacity %s swabs/hour\n",
         cli_count(a, sizeof a, booths), cli_count(b, sizeof b, (unsigned long long)(per_hour + 0.5)));
  printf("Door-to-door    %s teams, %s residents/hour\n", cli_count(a, sizeof a, teams),
         cli_count(b, sizeof b, (unsigned long long)(team_hour + 0.5)));
  printf("Labs            %u labs, %s instruments\n", l->count,
         cli_count(a, sizeof a, instruments));
  printf("PCR capacity    %s tubes/day = %s people/day at 1:%d pooling\n",
         cli_count(b, sizeof b, (unsigned long long)(tubes_day + 0.5)),
         cli_count(e, sizeof e, (unsigned long long)(tubes_day * p->pool_size + 0.5)),
         p->pool_size);
  if (p->pool_auto)
    printf("Pooling         1:%d, chosen for prevalence %g (Se %g, Sp %g) by the optimiser\n",
           p->pool_size, p->prevalence, p->pool_se, p->pool_sp);
  printf("Deadlines       key %g h, street %g h, district %g h\n", p->deadline_key_h,
         p->deadline_street_h, p->deadline_district_h);
}

int cmd_validate(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"set", required_argument, NULL, 1000},
                                       {"lenient", no_argument, NULL, 1001},
                                       {NULL, 0, NULL, 0}};
  static cli_sets_t sets;
  memset(&sets, 0, sizeof sets);
  int ch;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
    if (ch == 'h') {
      cmd_validate_help(stdout);
      return CLI_OK;
    }
    if (ch == 'q') {
      cli_quiet = 1;
      continue;
    }
    if (ch == 1000 && !cli_add_set(&sets, "validate", argc, argv, optarg))
      continue;
    if (ch == 1000)
      return CLI_USAGE;
    if (ch == 1001) {
      sets.opt.lenient = 1;
      continue;
    }
    return cli_usage_error("validate", "unknown option '%s'", argv[optind - 1]);
  }
  if (argc - optind > 1)
    return cli_usage_error("validate", "expected at most one SCENARIO");
  psc_scenario_t *s = NULL;
  int rc = cli_load_scenario_with(optind < argc ? argv[optind] : NULL, &sets, &s);
  if (rc)
    return rc;
  if (!cli_quiet)
    summary(s);
  psc_scenario_free(s);
  return CLI_OK;
}
