/* poolscreen: plan and simulate city-wide pooled nucleic-acid screening. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command_t COMMANDS[] = {
    {"plan", "plan sampling, tubes, transport and lab runs; check the deadlines", cmd_plan},
    {"simulate", "Monte Carlo of the round: chance of each deadline, positives found", cmd_simulate},
    {"validate", "check a scenario and print a summary of it", cmd_validate},
    {"gen", "write a synthetic city of any size as a scenario", cmd_gen},
    {"decode", "lab results into temporary control, retests, reruns; then confirmations", cmd_decode},
    {"otc", "operating characteristics and the optimal pooling design", cmd_otc},
    {"params", "list every scenario.ini key with its type, range and default", cmd_params},
};
#define NCOMMANDS (sizeof(COMMANDS) / sizeof(COMMANDS[0]))

static void usage(FILE *out) {
  fprintf(out, "Usage: poolscreen COMMAND [options]\n"
               "       poolscreen COMMAND --help\n\n"
               "Plans and simulates city-wide pooled nucleic-acid screening.\n"
               "Without a SCENARIO argument, a command uses the embedded default\n"
               "scenario (Shijingshan district, %s).\n\nCommands:\n",
          psc_scenario_default_path());
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
  fprintf(out, "\nOptions:\n  -h, --help     this text\n  -V, --version  the version\n\n"
               "Exit status: 0 done, 1 failure while running, 2 bad input or usage.\n");
}

int main(int argc, char **argv) {
  /* GSL's default handler aborts; the library reports errors itself. */
  gsl_set_error_handler_off();
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage(stdout);
    return CLI_OK;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    printf("poolscreen %s\n", psc_version());
    return CLI_OK;
  }
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(cmd, COMMANDS[i].name))
      return COMMANDS[i].run(argc - 1, argv + 1);
  fprintf(stderr, "poolscreen: unknown command '%s'\n\n", cmd);
  usage(stderr);
  return CLI_USAGE;
}
