/* Shared pieces of the poolscreen program: commands, exit codes, output. */
#ifndef POOLSCREEN_CLI_H
#define POOLSCREEN_CLI_H

#include <stdio.h>

#include "poolscreen/poolscreen.h"
#include <stdint.h>

/* Exit statuses of the program (main.c's usage text and the man page list
 * them). CLI_MISSED: with --fail-on-miss, a deadline was missed (the
 * outputs are still written). */
enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2, CLI_MISSED = 3 };

typedef struct {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
  /* prints the command's --help text; the man page is made from it too */
  void (*help)(FILE *out);
} cli_command_t;

/* Every command, in the order --help and the man page list them. */
extern const cli_command_t cli_commands[];
extern const size_t cli_ncommands;
/* The program's own usage text (poolscreen --help). */
void cli_usage(FILE *out);
/* Writes the man page poolscreen(1), made from cli_usage() and every
 * command's help text, so that page and --help cannot differ. */
void cli_man(FILE *out);

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_otc(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_init(int argc, char **argv);
void cmd_validate_help(FILE *out);
void cmd_plan_help(FILE *out);
void cmd_gen_help(FILE *out);
void cmd_otc_help(FILE *out);
void cmd_decode_help(FILE *out);
void cmd_simulate_help(FILE *out);
void cmd_params_help(FILE *out);
void cmd_init_help(FILE *out);
void cmd_batch_help(FILE *out);

/* --quiet: when set, cli_written and the commands print nothing on stdout
 * (errors still go to stderr; --json output still goes to stdout). */
extern int cli_quiet;

#ifdef PSC_HAVE_MPI
/* mpi.c: MPI for poolscreen batch and simulate. cli_mpi_start initialises
 * MPI when the program runs under a launcher (returns 1; 0 otherwise, rank
 * 0 of 1; -1 on failure). cli_mpi_worst: the most severe (lowest) error
 * code of all ranks; cli_mpi_total: the sum over ranks. cli_mpi_gather:
 * items 0..n-1 (item i computed on rank i % size) read as records of rs
 * doubles with get on their rank and given to put on rank 0; 0 or a PSC_E*
 * code. cli_mpi_share: rank 0's value on every rank. */
typedef int (*cli_record_fn)(void *ctx, uint32_t i, double *rec);
typedef int (*cli_record_put_fn)(void *ctx, uint32_t i, const double *rec);
int cli_mpi_start(int *argc, char ***argv, int *rank, int *size);
int cli_mpi_worst(int err);
long cli_mpi_total(long n);
int cli_mpi_gather(uint32_t n, size_t rs, cli_record_fn get, cli_record_put_fn put, void *ctx,
                   int rank, int size);
int cli_mpi_share(int value);
void cli_mpi_stop(void);
#endif

/* Prints every diagnostic as FILE:LINE:COLUMN: severity: message. */
void cli_print_diags(const psc_diags_t *d);
/* Loads the scenario at path, or the embedded default when path is NULL;
 * prints diagnostics. Returns an exit status (CLI_OK when *out is set). */
int cli_load_scenario(const char *path, psc_scenario_t **out);
/* How messages name a scenario: its INI path, or "the embedded default
 * scenario" for the one compiled in (which has no path on disk). */
const char *cli_scenario_label(const psc_scenario_t *s);
/* The text help texts use for the scenario a command runs without one. */
#define CLI_DEFAULT_SCENARIO_TEXT                                              \
  "the embedded default scenario (Shijingshan district;\n"                    \
  "'poolscreen init DIR' writes it out as a template to edit)"

/* --fail-on-miss, for plan, simulate and batch (exit status CLI_MISSED).
 * The number of deadlines a plan misses: the district, each street and
 * each key community whose verdict is not met. */
uint32_t cli_plan_missed(const psc_plan_t *p);
/* The number of deadlines whose simulated chance of being met is below
 * min_p (0 < min_p <= 1): every unit psc_sim_unit lists. */
uint32_t cli_sim_missed(const psc_sim_t *sim, double min_p);
/* Parses --fail-on-miss's probability for simulate: a number in (0, 1]
 * ("0.95") or a percentage ("95%"). 0 and *p set, or -1. */
int cli_parse_probability(const char *text, double *p);
/* The exit status a command returns after writing its outputs (status, the
 * result of cli_written): status unless it is CLI_OK and missed > 0 with
 * fail_on_miss set, then CLI_MISSED; prints which deadlines on stderr. */
int cli_fail_on_miss(int fail_on_miss, uint32_t missed, int status);

/* --json for plan: verdicts, lower bound, bottleneck, advice as one JSON
 * object on out (see docs/output.md). 0, or -1 when out of memory. */
int cli_plan_json(FILE *out, const psc_plan_t *p, int margin_fixed);
/* The resource that limits a plan, in words ("labs", "sampling",
 * "door-to-door teams", "transport"), as plan prints and --json writes it. */
const char *cli_plan_bottleneck(const psc_plan_t *p);

/* A progress bar with an ETA on stderr, drawn only when stderr is a terminal
 * and not quiet. cli_progress_start returns NULL when there is to be no
 * bar; cli_progress is a psc_sim_options_t progress callback (ctx the
 * value cli_progress_start returned). */
void *cli_progress_start(void);
void cli_progress(void *ctx, uint32_t done, uint32_t total);
void cli_progress_end(void *ctx);
/* Formats an ETA of seconds as "ETA 1:05:09", "ETA 4:07" or "ETA 0:09". */
const char *cli_eta(char *buf, size_t size, double seconds);
/* --set NAME=VALUE (repeatable) and --lenient, shared by the commands that
 * load a scenario. */
#define CLI_MAX_SETS 64
typedef struct {
  psc_override_t set[CLI_MAX_SETS];
  char text[CLI_MAX_SETS][512];
  size_t n;
  psc_scenario_options_t opt;
} cli_sets_t;
/* Adds the --set whose value is optarg (an argument of argv, which starts at
 * the command's name), located at "command line:1:COLUMN" of the line as
 * typed. Returns CLI_OK or, after a message, CLI_USAGE. */
int cli_add_set(cli_sets_t *sets, const char *cmd, int argc, char **argv, const char *optarg_);
/* Loads the scenario like cli_load_scenario, with sets' changes and
 * leniency (sets may be NULL). */
int cli_load_scenario_with(const char *path, cli_sets_t *sets, psc_scenario_t **out);
/* The help lines of --set and --lenient. */
#define CLI_SET_HELP                                                                              \
  "      --set S.K=V      change one parameter (poolscreen params) or table field\n"             \
  "                       (labs.ID.instruments=+2; docs/batch.md); repeatable\n"                \
  "      --lenient        unknown scenario.ini keys are warnings, not errors\n"

/* Formats n with a space every three digits ("567 851") into buf. */
const char *cli_count(char *buf, size_t size, unsigned long long n);
/* Minutes after T0 as "T+H:MM" ("-H:MM" before T0), or none when not
 * finite, into buf. */
const char *cli_clock(char *buf, size_t size, double min, const char *none);
/* The local clock time min minutes after T0 as "MM-DD HH:MM", counted from
 * the scenario's start ("YYYY-MM-DD HH:MM", local time as given, no time
 * zone or daylight saving) and rounded to the minute as cli_clock rounds;
 * none when min is not finite or start is not such a time. */
const char *cli_local(char *buf, size_t size, double min, const char *start, const char *none);
/* cli_clock followed by the local clock time: "T+20:54 (05-02 02:54)";
 * cli_clock's text alone when there is no clock time. */
const char *cli_clock_at(char *buf, size_t size, double min, const char *start,
                         const char *none);
/* A length of time as "H:MM" ("-H:MM" when negative, "+H:MM" when positive
 * with sign set), or "-" when not finite, into buf. */
const char *cli_duration(char *buf, size_t size, double min, int sign);
/* Opens the output set of a command before its long computation, so that a
 * place it cannot write is reported at once ("cannot write PATH: reason" on
 * stderr). Returns an exit status (CLI_OK when *set is ready). */
int cli_open_output(const char *cmd, const char *outdir, psc_outset_t **set);
/* Reports the outcome of writing a command's outputs: "Written: OUTDIR
 * (files)" on stdout, or the failing path and its reason on stderr; frees
 * the set. Returns the exit status. */
int cli_written(const char *cmd, psc_outset_t *set, int err, const char *files);
/* s fitted to width terminal columns into buf: East Asian wide characters
 * (Chinese names) count two columns; a text too wide is cut before the
 * first character that does not fit, never inside one (UTF-8 stays valid),
 * and padded with spaces to exactly width columns. */
const char *cli_pad(char *buf, size_t size, const char *s, int width);

/* Reports a usage error for a command and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
