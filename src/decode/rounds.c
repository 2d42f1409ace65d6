/* Round folders: each decode round writes its own complete set, marked by
 * decode_round.txt (the round, the plan it decodes and the input file). A
 * folder that holds another round's outputs, another plan's, or decode
 * outputs without a mark is refused unless the caller asks to replace
 * them; replacing removes the other round's files, so a folder never holds
 * a mixed set. */
#define _DEFAULT_SOURCE /* realpath */
#include "decode/decode_internal.h"
#include "poolscreen/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK "decode_round.txt"

/* Every file a decode round may write. */
static const char *const outputs[] = {"decode.h5",   "control.csv",  "retests.csv",
                                      "rerun.csv",   "pending.csv",  "confirmed.csv",
                                      "released.csv", "households.csv", MARK};
static const char *const round1_only[] = {"control.csv", "retests.csv"};
static const char *const round2_only[] = {"confirmed.csv", "released.csv", "households.csv"};

/* What identifies the plan a decode belongs to: its identity (a plan.h5
 * and the decode.h5 made from it carry the same). */
static void plan_signature(const psc__plan_view_t *v, char *buf, size_t n) {
  snprintf(buf, n, "%s", v->identity);
}

int psc__w_round_mark(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  char sig[160];
  plan_signature(&dc->v, sig, sizeof sig);
  char *abs = realpath(dc->input, NULL);
  fprintf(f,
          "# poolscreen decode: the round and the plan these outputs belong to\n"
          "round = %d\nplan = %s\ninput = %s\n",
          dc->sum.round, sig, abs ? abs : dc->input);
  free(abs);
  return 0;
}

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* Reads the mark's round and plan; 0, or -1 when there is no readable mark. */
static int read_mark(const char *path, int *round, char *plan, size_t n) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char line[512];
  *round = 0;
  plan[0] = '\0';
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!strncmp(line, "round = ", 8))
      *round = atoi(line + 8);
    else if (!strncmp(line, "plan = ", 7))
      snprintf(plan, n, "%s", line + 7);
  }
  fclose(f);
  return 0;
}

/* Whether outdir may take dc's set: 0 (free, or this round of this plan),
 * 1 (another round's, plan's or unmarked outputs, and replace is set), or
 * PSC_EINPUT (refused; an error in diags when not NULL). */
static int check_folder(const psc_decode_t *dc, const char *outdir, int replace,
                        psc_diags_t *diags) {
  char *mark = join(outdir, MARK);
  if (!mark)
    return PSC_ENOMEM;
  char sig[160], theirs[512];
  plan_signature(&dc->v, sig, sizeof sig);
  int their_round = 0, conflict = 0;
  if (read_mark(mark, &their_round, theirs, sizeof theirs) == 0) {
    conflict = their_round != dc->sum.round || strcmp(theirs, sig) != 0;
    if (conflict && !replace && diags) {
      if (their_round != dc->sum.round)
        psc__error(diags, mark, 1, 1,
                   "%s holds round %d's outputs; this is round %d: choose another output "
                   "folder (-o), or replace them (--replace)",
                   outdir, their_round, dc->sum.round);
      else
        psc__error(diags, mark, 1, 1,
                   "%s holds the outputs of another plan (%s; this one is %s): choose another "
                   "output folder (-o), or replace them (--replace)",
                   outdir, theirs, sig);
    }
  } else {
    for (size_t k = 0; k < sizeof outputs / sizeof outputs[0] && !conflict; k++) {
      char *p = join(outdir, outputs[k]);
      if (p && access(p, F_OK) == 0) {
        conflict = 1;
        if (!replace && diags)
          psc__error(diags, p, 1, 1,
                     "%s holds decode outputs of an unknown round or plan (no %s): choose "
                     "another output folder (-o), or replace them (--replace)",
                     outdir, MARK);
      }
      free(p);
    }
  }
  free(mark);
  return conflict && !replace ? PSC_EINPUT : conflict;
}

/* After replacing: the other round's own files go. */
static int drop_other_round(const psc_decode_t *dc, const char *outdir) {
  const char *const *other = dc->sum.round == 1 ? round2_only : round1_only;
  size_t n = dc->sum.round == 1 ? sizeof round2_only / sizeof round2_only[0]
                                : sizeof round1_only / sizeof round1_only[0];
  int rc = 0;
  for (size_t k = 0; k < n; k++) {
    char *p = join(outdir, other[k]);
    if (p && unlink(p) != 0 && errno != ENOENT)
      rc = PSC_EIO;
    free(p);
  }
  return rc;
}

int psc_decode_write_round_to(const psc_decode_t *dc, struct psc_outset *set, int replace,
                              psc_diags_t *diags) {
  if (!dc || !set)
    return PSC_EINVAL;
  const char *outdir = psc_outset_dir(set);
  int conflict = check_folder(dc, outdir, replace, diags);
  if (conflict < 0)
    return conflict;
  int rc = psc_decode_write_to(dc, set);
  if (!rc && conflict)
    rc = drop_other_round(dc, outdir);
  return rc;
}

int psc_decode_write_round(const psc_decode_t *dc, const char *outdir, int replace,
                           psc_diags_t *diags) {
  if (!dc || !outdir)
    return PSC_EINVAL;
  int conflict = check_folder(dc, outdir, replace, diags);
  if (conflict < 0)
    return conflict;
  int rc = psc__decode_write_set(dc, outdir);
  if (!rc && conflict)
    rc = drop_other_round(dc, outdir);
  return rc;
}

int psc_decode_write(const psc_decode_t *dc, const char *outdir) {
  return psc_decode_write_round(dc, outdir, 0, NULL);
}
