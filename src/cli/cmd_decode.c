/* `poolscreen decode PLAN.h5 RESULTS.csv [-o OUTDIR] [--replace]`: lab
 * results into temporary control and retests; with a decode.h5 and retest
 * results, confirmations and releases. Each round goes to its own folder. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "poolscreen/decode.h"

void cmd_decode_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen decode PLAN.h5 RESULTS.csv [-o OUTDIR] [--replace]\n"
          "       poolscreen decode ROUND1/decode.h5 RETEST_RESULTS.csv [-o OUTDIR] [--replace]\n\n"
          "Round 1 (a plan.h5): every member of a positive tube goes under temporary\n"
          "control and to an individual retest, scheduled on the door-to-door teams of\n"
          "their street and run with priority; invalid tubes are listed for a rerun;\n"
          "tubes without a result are pending (never negative). Writes control.csv,\n"
          "retests.csv, rerun.csv, pending.csv and decode.h5 (the plan with a decode\n"
          "group).\n"
          "Round 2 (a decode.h5 and the retests' results): confirmed.csv, released.csv,\n"
          "households.csv (everyone in a confirmed positive's household), rerun.csv\n"
          "(invalid retests, and positive pools whose members all tested negative),\n"
          "pending.csv (round 1's invalid and pending pool tubes carried forward), and\n"
          "decode.h5 with a confirm group.\n\n"
          "Each round writes its own complete set, with decode_round.txt naming the\n"
          "round and the plan, into its own folder: by default poolscreen-decode/round-1,\n"
          "and round-2 beside the round-1 folder decode.h5 comes from. A folder that\n"
          "holds another round's or another plan's outputs is refused (exit 2).\n\n"
          "RESULTS.csv: tube,result,ct (result positive, negative or invalid, or\n"
          "阳性, 阴性 or 无效; ct optional; column names in any case).\n"
          "  -o, --output OUTDIR  this round's folder (default: see above)\n"
          "      --replace        replace another round's or plan's outputs in OUTDIR\n"
          "  -q, --quiet          print nothing on stdout\n");
}

int cmd_decode(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"replace", no_argument, NULL, 'R'},
                                       {NULL, 0, NULL, 0}};
  const char *outdir = NULL;
  int ch, replace = 0;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "ho:q", opts, NULL)) != -1) {
    if (ch == 'h') {
      cmd_decode_help(stdout);
      return CLI_OK;
    }
    if (ch == 'o') {
      outdir = optarg;
      continue;
    }
    if (ch == 'q') {
      cli_quiet = 1;
      continue;
    }
    if (ch == 'R') {
      replace = 1;
      continue;
    }
    return cli_usage_error("decode", "unknown or incomplete option '%s'", argv[optind - 1]);
  }
  if (argc - optind != 2)
    return cli_usage_error("decode", "expected PLAN.h5 and RESULTS.csv");
  /* a folder given is checked before the work; the default one depends on
   * the round */
  psc_outset_t *set = NULL;
  int rc = outdir ? cli_open_output("decode", outdir, &set) : 0;
  if (rc)
    return rc;
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  rc = psc_decode_run(argv[optind], argv[optind + 1], d, &dc);
  /* round 2 goes beside the round-1 folder its decode.h5 comes from */
  char *def = NULL;
  if (!rc && !outdir) {
    int round = psc_decode_summary(dc)->round;
    char *in = strdup(argv[optind]);
    char *folder = in ? strdup(dirname(in)) : NULL; /* the input's folder */
    char *top = folder ? strdup(folder) : NULL;
    int beside = round == 2 && folder && top && !strcmp(basename(folder), "round-1");
    const char *parent = beside ? dirname(top) : "poolscreen-decode";
    size_t n = strlen(parent) + 16;
    if ((def = malloc(n)))
      snprintf(def, n, "%s/round-%d", parent, round);
    free(in);
    free(folder);
    free(top);
    outdir = def ? def : "poolscreen-decode";
    if ((rc = cli_open_output("decode", outdir, &set))) {
      psc_diags_free(d);
      psc_decode_free(dc);
      free(def);
      return rc;
    }
  }
  /* the round's set, unless its folder holds another round's or plan's */
  int wrc = rc ? 0 : psc_decode_write_round_to(dc, set, replace, d);
  if (wrc == PSC_EINPUT)
    rc = PSC_EINPUT;
  psc_diags_sort(d);
  cli_print_diags(d);
  size_t errors = psc_diags_errors(d);
  psc_diags_free(d);
  if (rc) {
    psc_outset_free(set);
    psc_decode_free(dc);
    free(def);
  }
  if (rc == PSC_EINPUT) {
    fprintf(stderr, "poolscreen: %zu error%s; nothing written\n", errors, errors == 1 ? "" : "s");
    return CLI_USAGE;
  }
  if (rc) {
    fprintf(stderr, "poolscreen decode: %s\n", psc_strerror(rc));
    return CLI_FAILURE;
  }
  const psc_decode_summary_t *s = psc_decode_summary(dc);
  char a[48], b[48];
  const char *start = s->start;
  if (!cli_quiet && s->round == 1) {
    printf("Decode of %u tubes: %u positive, %u negative, %u invalid (rerun), %u pending "
           "(no result: not negative)\n",
           s->tubes, s->positive_tubes, s->negative_tubes, s->invalid_tubes, s->pending_tubes);
    printf("%u residents under temporary control, %u individual retests scheduled\n",
           s->under_control, s->retests);
    printf("Deadlines met (key communities, streets, district): %u of %u before retests, %u of "
           "%u after\n",
           s->units_met_before, s->units, s->units_met_after, s->units);
    printf("District complete: %s before retests, %s after\n",
           cli_clock_at(a, sizeof a, s->district_complete_before, start, "incomplete"),
           cli_clock_at(b, sizeof b, s->district_complete_after, start, "incomplete"));
  } else if (!cli_quiet) {
    printf("Retest results: %u confirmed positive, %u released from control, %u invalid "
           "(rerun), %u pending (still under control)\n",
           s->confirmed, s->released, s->retests_invalid, s->retests_pending);
    printf("%u residents in confirmed positives' households; %u positive pools whose members "
           "all tested negative, flagged for a rerun\n",
           s->household_members, s->pools_all_negative);
    if (s->pools_invalid || s->pools_pending)
      printf("Carried forward from round 1: %u invalid pool tubes (rerun.csv), %u pool tubes "
             "without a result (pending.csv)\n",
             s->pools_invalid, s->pools_pending);
  }
  rc = cli_written("decode", set, wrc, "");
  free(def);
  psc_decode_free(dc);
  return rc;
}
