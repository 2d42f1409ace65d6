/* `poolscreen params [--markdown]`: the parameter table, for users and docs. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *type_name(psc_param_type_t t) {
  switch (t) {
  case PSC_PARAM_INT:
    return "integer";
  case PSC_PARAM_UINT64:
    return "integer (64-bit)";
  case PSC_PARAM_DOUBLE:
    return "number";
  case PSC_PARAM_BOOL:
    return "boolean";
  case PSC_PARAM_STRING:
    return "text";
  case PSC_PARAM_DATETIME:
    return "date-time";
  case PSC_PARAM_PATH:
    return "path";
  case PSC_PARAM_POOL:
    return "integer or auto";
  }
  return "?";
}

static void range(const psc_param_info_t *p, char *buf, size_t n) {
  if (p->type == PSC_PARAM_INT || p->type == PSC_PARAM_DOUBLE || p->type == PSC_PARAM_POOL)
    snprintf(buf, n, "%g .. %g", p->min, p->max);
  else if (p->type == PSC_PARAM_UINT64)
    snprintf(buf, n, "0 .. 2^64-1");
  else
    snprintf(buf, n, "-");
}

void cmd_params_help(FILE *out) {
  fprintf(out, "Usage: poolscreen params [--markdown]\n\n"
               "Lists every scenario.ini key: section, key, type, range, default and meaning.\n"
               "--markdown prints the table docs/scenario.md includes.\n");
}

int cmd_params(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"markdown", no_argument, NULL, 'm'},
                                       {NULL, 0, NULL, 0}};
  int ch, markdown = 0;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "hm", opts, NULL)) != -1) {
    if (ch == 'h') {
      cmd_params_help(stdout);
      return CLI_OK;
    }
    if (ch == 'm') {
      markdown = 1;
      continue;
    }
    return cli_usage_error("params", "unknown option '%s'", argv[optind - 1]);
  }
  if (optind < argc)
    return cli_usage_error("params", "unexpected argument '%s'", argv[optind]);
  if (markdown)
    printf("| section | key | type | range | default | meaning |\n|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < psc_param_count(); i++) {
    const psc_param_info_t *p = psc_param_info(i);
    char r[64];
    range(p, r, sizeof r);
    const char *def = p->def ? p->def : (p->required ? "(required)" : "(none)");
    if (markdown)
      printf("| [%s] | `%s` | %s | %s | %s | %s |\n", p->section, p->key, type_name(p->type), r,
             def, p->description);
    else
      printf("[%s] %-20s %-16s %-14s default %-18s %s\n", p->section, p->key, type_name(p->type),
             r, def, p->description);
  }
  return CLI_OK;
}
