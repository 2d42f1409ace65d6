/* Shared pieces of the poolscreen program: commands, exit codes, output. */
#ifndef POOLSCREEN_CLI_H
#define POOLSCREEN_CLI_H

#include <stdio.h>

#include "poolscreen/poolscreen.h"

/* Exit statuses of the program. */
enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

typedef struct {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} cli_command_t;

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_otc(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_params(int argc, char **argv);

/* Prints every diagnostic as FILE:LINE:COLUMN: severity: message. */
void cli_print_diags(const psc_diags_t *d);
/* Loads the scenario at path, or the embedded default when path is NULL;
 * prints diagnostics. Returns an exit status (CLI_OK when *out is set). */
int cli_load_scenario(const char *path, psc_scenario_t **out);
/* Formats n with a space every three digits ("567 851") into buf. */
const char *cli_count(char *buf, size_t size, unsigned long long n);
/* Minutes after T0 as "T+H:MM" ("-H:MM" before T0), or none when not
 * finite, into buf. */
const char *cli_clock(char *buf, size_t size, double min, const char *none);
/* A length of time as "H:MM" ("-H:MM" when negative, "+H:MM" when positive
 * with sign set), or "-" when not finite, into buf. */
const char *cli_duration(char *buf, size_t size, double min, int sign);
/* Reports the outcome of writing a command's outputs: "Written: OUTDIR
 * (files)" on stdout, or the error on stderr. Returns the exit status. */
int cli_written(const char *cmd, const char *outdir, int err, const char *files);
/* Reports a usage error for a command and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
