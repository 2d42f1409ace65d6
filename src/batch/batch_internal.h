/* The batch in memory (private to the library). */
#ifndef POOLSCREEN_BATCH_INTERNAL_H
#define POOLSCREEN_BATCH_INTERNAL_H

#include "internal.h"
#include "poolscreen/batch.h"

/* A group of changes: [base], one [variant NAME], or one grid key's values
 * (a grid key has one change per value). Changes point into the batch's
 * text (one allocation per line kept). */
typedef struct {
  char *name;          /* variant name; the key for a grid axis */
  psc_override_t *set; /* changes; for a grid axis one per value */
  uint32_t n, cap;
} psc__bgroup_t;

struct psc_batch {
  char *path;          /* batch file as named */
  char *scenario;      /* resolved INI path, NULL for the default */
  int baseline;        /* run the unchanged base as variant 0 */
  psc__bgroup_t base;
  psc__bgroup_t *cases; /* [variant] sections */
  uint32_t ncases;
  psc__bgroup_t *axes;  /* [grid] keys, in file order */
  uint32_t naxes;
  char **lines;         /* copies of the file's lines the changes point into */
  uint32_t nlines;
  /* the variants: case (UINT32_MAX for baseline / grid only) and grid point */
  uint32_t nvariants;
  uint32_t *v_case;
  uint64_t *v_point; /* mixed-radix index over the axes, first axis slowest */
  char **v_name, **v_changes;
  /* after psc_batch_run */
  psc_scenario_t *base_s;
  psc_batch_result_t *res;
  uint32_t nunits;
  double *u_complete, *u_slack, *u_bound; /* nvariants x nunits */
  uint8_t *u_met;
  int ran;
};

/* batch/batchfile.c */
int psc__batch_parse(psc_batch_t *b, FILE *fp, psc_diags_t *d);
/* Names and change lists of the variants (after parsing). 0 or PSC_ENOMEM. */
int psc__batch_enumerate(psc_batch_t *b);
/* The changes of variant v in order ([base], case, grid values): writes up
 * to max into out and returns the count. */
uint32_t psc__batch_changes(const psc_batch_t *b, uint32_t v, psc_override_t *out, uint32_t max);

/* batch/batch_out.c */
int psc__batch_write_csv(const void *b, FILE *f);
int psc__batch_write_h5(const void *b, const char *path);

#endif
