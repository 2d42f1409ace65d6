/* The scenario: communities, sites, labs, travel times and the person-level
 * roster, loaded from scenario.ini and its CSV tables and fully validated. */
#ifndef POOLSCREEN_SCENARIO_H
#define POOLSCREEN_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/error.h"
#include "poolscreen/export.h"
#include "poolscreen/params.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psc_scenario psc_scenario_t;

typedef enum {
  PSC_SITE_FIXED = 0,
  PSC_SITE_COMMUNITY = 1,
  PSC_SITE_TEMPORARY = 2,
  PSC_SITE_DOOR_TO_DOOR = 3,
  PSC_SITE_KINDS = 4
} psc_site_kind_t;

/* Flags of one resident in the roster. */
enum { PSC_RES_DOOR_TO_DOOR = 1, PSC_RES_HIGH_RISK = 2 };

/* The views below are struct-of-arrays, read-only for callers and valid as
 * long as the scenario lives; element i of each array describes item i.
 * Clock times are minutes after local midnight (close may be 1440 for 24:00;
 * close <= open means the hours run past midnight; 0 and 1440 is all day). */
typedef struct {
  uint32_t count;
  char **id, **name;
  uint32_t *street;       /* index into the streets view */
  uint32_t *population, *households, *door_to_door, *high_risk;
  uint8_t *key;           /* 1 for a key community */
  double *x_km, *y_km;
  uint32_t *line;         /* line of the row in communities.csv */
} psc_communities_t;

typedef struct {
  uint32_t count;
  char **name;           /* in order of first appearance in communities.csv */
} psc_streets_t;

typedef struct {
  uint32_t count;
  char **id;
  uint32_t *street;
  uint8_t *kind;          /* psc_site_kind_t */
  uint32_t *booths;
  double *rate;           /* swabs (or residents for door_to_door) per booth-hour */
  int32_t *open_min, *close_min;
  double *x_km, *y_km;
} psc_sites_t;

typedef struct {
  uint32_t count;
  char **id, **name;
  uint32_t *instruments, *wells, *run_minutes;
  int32_t *open_min, *close_min;
  double *x_km, *y_km;
} psc_labs_t;

typedef struct {
  uint32_t count;         /* overrides from travel.csv */
  uint32_t *site, *lab;
  double *minutes;
} psc_travel_t;

/* The roster, grouped by community, then household. Residents of household h
 * are hh_first[h] .. hh_first[h+1]-1; households of community c are
 * comm_hh_first[c] .. comm_hh_first[c+1]-1. */
typedef struct {
  uint32_t residents, households;
  uint32_t *hh_first;      /* households + 1 */
  uint32_t *hh_community;  /* households */
  uint32_t *comm_hh_first; /* communities + 1 */
  uint32_t *res_household; /* residents */
  uint8_t *res_flags;      /* residents: PSC_RES_* */
  int synthesised;         /* 1 when made from counts, 0 when read from residents.csv */
} psc_roster_t;

/* Loads and validates the scenario at ini_path. Every problem found goes to
 * diags (errors and warnings, each with file, line and column); the function
 * keeps checking after the first. Returns 0 and a new scenario in *out (free
 * it with psc_scenario_free), PSC_EINPUT when diags holds errors (*out NULL),
 * or PSC_ENOMEM. Thread-safe for distinct arguments; uses OpenMP threads for
 * roster synthesis, with results independent of the thread count. */
PSC_API int psc_scenario_load(const char *ini_path, psc_diags_t *diags, psc_scenario_t **out);

/* Loads the default scenario compiled into the library (Shijingshan
 * district, data/shijingshan/ in the source tree). Same contract as
 * psc_scenario_load. */
PSC_API int psc_scenario_load_default(psc_diags_t *diags, psc_scenario_t **out);

/* One change to a scenario as it is loaded, written as on the command line
 * (`--set NAME=VALUE`) or in a batch file (docs/batch.md):
 * - a parameter, NAME = "section.key" (any row of `poolscreen params`),
 *   VALUE parsed and range-checked through the parameter table;
 * - a table edit, NAME = "labs.ID.FIELD", "sites.ID.FIELD" or
 *   "streets.NAME.FIELD" (ID or NAME "*" for every row), VALUE "N" (set),
 *   "+N" / "-N" (add, subtract) or "xF" (scale) for numbers, "HH:MM" or
 *   "HH:MM-HH:MM" for open, close and hours, "true" for labs.ID.drop.
 * Problems are reported at file:line:column (the place the change was
 * written; file may name the command line). */
typedef struct {
  const char *name;
  const char *value;
  const char *file;
  uint32_t line, column;
} psc_override_t;

typedef struct {
  int lenient;                     /* 1: unknown INI sections and keys are warnings, not errors */
  const psc_override_t *overrides; /* applied in order after the INI and tables are read */
  size_t noverrides;
} psc_scenario_options_t;

/* Loads the scenario at ini_path (NULL: the embedded default) with options
 * (NULL: none), then applies each override: parameters right after the
 * INI (so every check after it sees the new value, and its messages point
 * at the override), table edits once the tables are read, before the checks
 * that span tables and the roster. Same contract as psc_scenario_load. */
PSC_API int psc_scenario_load_with(const char *ini_path, const psc_scenario_options_t *opt,
                                   psc_diags_t *diags, psc_scenario_t **out);

/* Splits "NAME=VALUE" text (blanks around both allowed) into an override
 * located at file:line:column; name and value point into buf (size bytes),
 * which receives a copy. Returns 0, or PSC_EINPUT when there is no '=' or
 * no name. */
PSC_API int psc_override_parse(const char *text, char *buf, size_t size, const char *file,
                               uint32_t line, uint32_t column, psc_override_t *out);

/* Name of the embedded default scenario's INI as diagnostics and
 * psc_scenario_path() give it: "embedded:shijingshan/scenario.ini", which
 * is no path on disk (its tables are "embedded:shijingshan/<file>"). */
PSC_API const char *psc_scenario_default_path(void);

/* 1 when s was loaded by psc_scenario_load_default, else 0. */
PSC_API int psc_scenario_is_embedded(const psc_scenario_t *s);

/* Names of the files of the embedded default scenario, in the order
 * psc_scenario_write_default writes them; the array ends with NULL. */
PSC_API const char *const *psc_scenario_default_files(void);

/* Writes the embedded default scenario into dir (created with its parents
 * when missing) as a template to edit: scenario.ini, communities.csv,
 * sites.csv and labs.csv, byte for byte what psc_scenario_load_default
 * reads. Each file is written under a temporary name and all are renamed
 * when all are complete, replacing files of the same names (callers that
 * must not replace anything check first, as `poolscreen init` does).
 * Returns 0, PSC_EINVAL (dir NULL or empty), PSC_EIO (errno tells why) or
 * PSC_ENOMEM. Thread-safe for distinct directories. */
PSC_API int psc_scenario_write_default(const char *dir);

/* Frees a scenario; accepts NULL. */
PSC_API void psc_scenario_free(psc_scenario_t *s);

/* Read-only views; never NULL for a loaded scenario. */
PSC_API const psc_params_t *psc_scenario_params(const psc_scenario_t *s);
PSC_API const char *psc_scenario_path(const psc_scenario_t *s);
PSC_API const psc_communities_t *psc_scenario_communities(const psc_scenario_t *s);
PSC_API const psc_streets_t *psc_scenario_streets(const psc_scenario_t *s);
PSC_API const psc_sites_t *psc_scenario_sites(const psc_scenario_t *s);
PSC_API const psc_labs_t *psc_scenario_labs(const psc_scenario_t *s);
PSC_API const psc_travel_t *psc_scenario_travel(const psc_scenario_t *s);
PSC_API const psc_roster_t *psc_scenario_roster(const psc_scenario_t *s);

/* Writes the id of resident i (stable for a scenario and seed: for a
 * synthesised roster "<community id>-<n>", n counting from 1 within the
 * community) into buf. Returns the length it needed (like snprintf), or a
 * negative PSC_EINVAL when i is out of range. */
PSC_API int psc_scenario_resident_id(const psc_scenario_t *s, uint32_t i, char *buf, size_t size);
/* The same for household h ("<community id>-H<n>" when synthesised). */
PSC_API int psc_scenario_household_id(const psc_scenario_t *s, uint32_t h, char *buf, size_t size);

/* Name of a site kind ("fixed", "community", "temporary", "door_to_door"). */
PSC_API const char *psc_site_kind_name(int kind);
/* Minutes a day during which [open, close) is open (see the views above). */
PSC_API int psc_open_minutes(int32_t open_min, int32_t close_min);

/* Synthesises a roster from community counts: household sizes with a
 * realistic mix (1 + Poisson around the community's mean, capped at 20),
 * summing exactly to each population and household count, door-to-door and
 * high-risk residents drawn at random; deterministic for (seed, community)
 * and independent of the thread count. Fills *r (free with
 * psc_roster_clear). Returns 0, PSC_EINVAL for counts outside the bounds
 * scenario-format.md sets, or PSC_ENOMEM. */
PSC_API int psc_roster_synthesise(const psc_communities_t *c, uint64_t seed, psc_roster_t *r);
/* Writes a synthetic city of about `residents` residents as a scenario in
 * dir (scenario.ini, communities.csv, sites.csv, labs.csv; see
 * docs/scenario.md), deterministic for the seed. Returns 0, PSC_EINVAL,
 * PSC_EIO or PSC_ENOMEM. */
PSC_API int psc_gen_city(const char *dir, uint64_t residents, uint64_t seed);

/* Frees the arrays of a roster and zeroes it; accepts NULL. */
PSC_API void psc_roster_clear(psc_roster_t *r);

#ifdef __cplusplus
}
#endif
#endif
