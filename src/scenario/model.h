/* The scenario as held in memory (private to the library). */
#ifndef POOLSCREEN_SCENARIO_MODEL_H
#define POOLSCREEN_SCENARIO_MODEL_H

#include "poolscreen/scenario.h"

struct psc_scenario {
  char *path; /* INI path as the user named it */
  psc_params_t params;
  psc_communities_t comm;
  psc_streets_t streets;
  psc_sites_t sites;
  psc_labs_t labs;
  psc_travel_t travel;
  psc_roster_t roster;
  /* ids read from residents.csv (NULL when synthesised): offsets into pool */
  char *id_pool;
  uint64_t id_pool_len;
  uint64_t *res_id_off, *hh_id_off;
  /* columns of population, households, door_to_door, high_risk, street in each
   * community's row, so residents.csv mismatches point at the field */
  uint32_t *comm_cols;
  /* [simulation] outages, parsed and checked against labs.csv */
  uint32_t noutages, *outage_lab;
  double *outage_start, *outage_end;
  /* display paths of the tables, for later positioned diagnostics */
  char *file_communities, *file_sites, *file_labs, *file_residents, *file_travel;
};

/* scenario/ini.c: reads scenario.ini into params; positions of each key are
 * kept for later messages. */
typedef struct {
  uint32_t line, col; /* 0 when the key was not given */
  const char *file;   /* NULL: the INI; else where an override set the key */
} psc__ini_pos_t;
/* lenient: unknown sections and keys are warnings instead of errors. */
int psc__ini_load(const psc__source_t *src, const char *path, psc_params_t *p,
                  psc__ini_pos_t *pos /* indexed like the parameter table */, int lenient,
                  psc_diags_t *d);
/* "did you mean" for an unknown section/key: writes " (did you mean
 * 'section.key'?)" or "" into buf. section_known: the section exists. */
void psc__param_suggest(const char *section, const char *key, char *buf, size_t size);

/* scenario/override.c: --set and batch changes (psc_override_t). */
int psc__is_table_edit(const char *name);
/* Parameters: sets each non-table override in p, recording its position in
 * pos. Errors go to d. 0 or PSC_ENOMEM. */
int psc__apply_param_overrides(psc_params_t *p, psc__ini_pos_t *pos, const psc_override_t *o,
                               size_t n, psc_diags_t *d);
/* Table edits, on loaded tables. Errors go to d. 0 or PSC_ENOMEM. */
int psc__apply_table_edits(psc_scenario_t *s, const psc_override_t *o, size_t n, psc_diags_t *d);

/* scenario/tables.c: the CSV tables. Each returns 0, PSC_EINPUT (errors in d)
 * or PSC_ENOMEM. */
int psc__load_communities(psc_scenario_t *s, FILE *fp, psc_diags_t *d);
int psc__load_sites(psc_scenario_t *s, FILE *fp, psc_diags_t *d);
int psc__load_labs(psc_scenario_t *s, FILE *fp, psc_diags_t *d);
int psc__load_travel(psc_scenario_t *s, FILE *fp, psc_diags_t *d);
/* scenario/residents.c */
int psc__load_residents(psc_scenario_t *s, FILE *fp, psc_diags_t *d);

#endif
