/* `poolscreen init [DIR]`: write the embedded default scenario as a
 * template to edit. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define DEFAULT_DIR "poolscreen-scenario"

void cmd_init_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen init [DIR] [--force] [--quiet]\n\n"
          "Writes the embedded default scenario (Shijingshan district, the one commands\n"
          "use without a SCENARIO) into DIR as a template to edit: scenario.ini,\n"
          "communities.csv, sites.csv and labs.csv (docs/scenario.md describes them).\n"
          "Then run, for example, 'poolscreen plan DIR/scenario.ini'.\n\n"
          "  DIR            default: %s (made if missing)\n"
          "  -f, --force    replace files of the same names; without it, nothing is\n"
          "                 written when any of them exists (exit status 2)\n"
          "  -q, --quiet    print nothing on stdout\n",
          DEFAULT_DIR);
}

int cmd_init(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {NULL, 0, NULL, 0}};
  int ch, force = 0;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "hfq", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      cmd_init_help(stdout);
      return CLI_OK;
    case 'f':
      force = 1;
      break;
    case 'q':
      cli_quiet = 1;
      break;
    default:
      return cli_usage_error("init", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind > 1)
    return cli_usage_error("init", "expected at most one DIR");
  const char *dir = optind < argc ? argv[optind] : DEFAULT_DIR;
  const char *const *names = psc_scenario_default_files();
  struct stat st;
  if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "poolscreen init: %s exists and is not a directory; nothing written\n", dir);
    return CLI_USAGE;
  }
  int clash = 0;
  for (size_t i = 0; !force && names[i]; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (lstat(path, &st) == 0) {
      fprintf(stderr, "poolscreen init: %s already exists\n", path);
      clash = 1;
    }
  }
  if (clash) {
    fprintf(stderr, "poolscreen init: nothing written (--force replaces those files)\n");
    return CLI_USAGE;
  }
  int rc = psc_scenario_write_default(dir);
  if (rc) {
    fprintf(stderr, "poolscreen init: cannot write %s: %s%s%s\n", dir, psc_strerror(rc),
            rc == PSC_EIO ? ": " : "", rc == PSC_EIO ? strerror(errno) : "");
    return CLI_FAILURE;
  }
  if (!cli_quiet) {
    printf("Written: %s (", dir);
    for (size_t i = 0; names[i]; i++)
      printf("%s%s", i ? ", " : "", names[i]);
    printf(")\nThe embedded default scenario, to edit; run 'poolscreen plan %s/scenario.ini'.\n",
           dir);
  }
  return CLI_OK;
}
