/* `poolscreen gen --residents N -o DIR [--seed S]`: write a synthetic city. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cmd_gen_help(FILE *out) {
  fprintf(out, "Usage: poolscreen gen --residents N -o DIR [--seed S]\n\n"
               "Writes a synthetic city of N residents as a scenario in DIR: streets of about\n"
               "100 000 residents, communities of 3 000-7 000, 2+N sites and door-to-door teams\n"
               "per street, and labs sized to test the city in about two days.\n"
               "  -q, --quiet  print nothing on stdout\n");
}

int cmd_gen(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"residents", required_argument, NULL, 'n'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {NULL, 0, NULL, 0}};
  unsigned long long n = 0, seed = 1;
  const char *dir = NULL;
  char *end;
  int ch;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "hn:o:s:q", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      cmd_gen_help(stdout);
      return CLI_OK;
    case 'n':
      n = strtoull(optarg, &end, 10);
      if (*end || n < 1 || n > 200000000ULL)
        return cli_usage_error("gen", "--residents takes a whole number from 1 to 200000000");
      break;
    case 'o':
      dir = optarg;
      break;
    case 's':
      seed = strtoull(optarg, &end, 10);
      if (*end)
        return cli_usage_error("gen", "--seed takes a whole number");
      break;
    case 'q':
      cli_quiet = 1;
      break;
    default:
      return cli_usage_error("gen", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (!n || !dir || optind < argc)
    return cli_usage_error("gen", "--residents and -o are required, and nothing else");
  int rc = psc_gen_city(dir, n, seed);
  if (rc) {
    fprintf(stderr, "poolscreen gen: cannot write %s: %s\n", dir, psc_strerror(rc));
    return CLI_FAILURE;
  }
  if (!cli_quiet)
    printf("Written: %s/scenario.ini (%llu residents)\n", dir, n);
  return CLI_OK;
}
