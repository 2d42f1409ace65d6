/* poolscreen: plan and simulate city-wide pooled nucleic-acid screening. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const cli_command_t cli_commands[] = {
    {"plan", "plan sampling, tubes, transport and lab runs; check the deadlines", cmd_plan,
     cmd_plan_help},
    {"simulate", "Monte Carlo of the round: chance of each deadline, positives found",
     cmd_simulate, cmd_simulate_help},
    {"batch", "many variants of a scenario planned side by side (grids, table edits)", cmd_batch,
     cmd_batch_help},
    {"validate", "check a scenario and print a summary of it", cmd_validate, cmd_validate_help},
    {"init", "write the embedded default scenario into a directory, to edit", cmd_init,
     cmd_init_help},
    {"gen", "write a synthetic city of any size as a scenario", cmd_gen, cmd_gen_help},
    {"decode", "lab results into temporary control, retests, reruns; then confirmations",
     cmd_decode, cmd_decode_help},
    {"otc", "operating characteristics and the optimal pooling design", cmd_otc, cmd_otc_help},
    {"params", "list every scenario.ini key with its type, range and default", cmd_params,
     cmd_params_help},
};
const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

void cli_usage(FILE *out) {
  fprintf(out, "Usage: poolscreen COMMAND [options]\n"
               "       poolscreen COMMAND --help\n\n"
               "Plans and simulates city-wide pooled nucleic-acid screening.\n"
               "Without a SCENARIO argument, a command uses\n" CLI_DEFAULT_SCENARIO_TEXT ".\n\n"
               "Commands:\n");
  for (size_t i = 0; i < cli_ncommands; i++)
    fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
  fprintf(out, "\nOptions:\n  -h, --help     this text\n  -V, --version  the version\n"
               "      --man      write the manual page poolscreen(1) (roff) on stdout\n\n"
               "Exit status: 0 done; 1 failure while running; 2 bad input or usage (nothing\n"
               "written); 3 a deadline missed, with --fail-on-miss (see each command's\n"
               "--help; the outputs are written).\n");
}

int main(int argc, char **argv) {
  /* one malloc arena for every thread: plan writes its files and searches
   * its advice on threads of their own (plan/stages.c), and with an arena
   * each they took fresh memory beside what the search had freed in the
   * main one: 25.7 M city 50.9 instead of 44.9 B/resident, no faster
   * (docs/performance.md) */
  mallopt(M_ARENA_MAX, 1);
  if (argc < 2) {
    cli_usage(stderr);
    return CLI_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    cli_usage(stdout);
    return CLI_OK;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    printf("poolscreen %s\n", psc_version());
    return CLI_OK;
  }
  if (!strcmp(cmd, "--man")) {
    cli_man(stdout);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
  }
  for (size_t i = 0; i < cli_ncommands; i++)
    if (!strcmp(cmd, cli_commands[i].name))
      return cli_commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "poolscreen: unknown command '%s'\n\n", cmd);
  cli_usage(stderr);
  return CLI_USAGE;
}
