/* Scenario parameters (the INI keys) and the one table that describes them. */
#ifndef POOLSCREEN_PARAMS_H
#define POOLSCREEN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every scalar a scenario.ini sets. Strings are owned by whoever filled the
 * struct (a scenario owns its own; psc_params_clear() frees them). */
typedef struct {
  /* [scenario] */
  char *name;
  char *start;             /* "YYYY-MM-DD HH:MM", local wall-clock time of T0 */
  int start_minute_of_day; /* derived from start: minutes after local midnight */
  uint64_t seed;
  /* [pooling] */
  int pool_size;    /* the size in use: given, or chosen when pool_auto */
  int pool_auto;    /* pool_size = auto: the Dorfman optimum in 1..20 */
  double prevalence; /* 0 when not given */
  char *design;      /* "dorfman" (default) or "array" */
  int array_size;    /* rows (= columns) of an array */
  double pool_se, pool_sp;
  int high_risk_pool_size;
  int keep_households;
  /* [deadlines], in hours */
  double deadline_key_h;
  double deadline_street_h;
  double deadline_district_h;
  /* [transport] */
  int batch_minutes;
  double speed_kmh;
  int handover_minutes;
  /* [lab] */
  int report_minutes;
  double max_sample_age_hours;
  char *run_start;     /* "planned" (default) or "eager" */
  int run_start_eager; /* derived: run_start is eager */
  /* [costs]: what one more resource costs, for the cheapest-fix advice */
  double cost_instrument_96, cost_instrument_384, cost_booth, cost_team;
  double cost_lab_hour, cost_site_hour;
  /* [simulation] */
  double sim_prevalence, sim_sar, sim_ct_mean, sim_ct_sd, sim_lod, sim_se, sim_sp;
  double sim_turnout, sim_service_cv, sim_run_failure, sim_staff_shortfall;
  int sim_dilution;
  char *sim_outages; /* "LAB START END; ..." minutes after T0, or NULL */
  /* [tables], paths relative to the INI file as written there */
  char *table_communities;
  char *table_sites;
  char *table_labs;
  char *table_residents; /* NULL when absent */
  char *table_travel;    /* NULL when absent */
} psc_params_t;

typedef enum {
  PSC_PARAM_INT,
  PSC_PARAM_UINT64,
  PSC_PARAM_DOUBLE,
  PSC_PARAM_BOOL,
  PSC_PARAM_STRING,
  PSC_PARAM_DATETIME,
  PSC_PARAM_PATH,
  PSC_PARAM_POOL /* a whole number, or "auto" */
} psc_param_type_t;

/* One row of the parameter table. */
typedef struct {
  const char *section;
  const char *key;
  psc_param_type_t type;
  double min, max;        /* inclusive range for numbers */
  const char *def;        /* default as text; NULL when the key is required or optional-without-default */
  int required;
  size_t offset;          /* offset of the field in psc_params_t */
  const char *description;
} psc_param_info_t;

/* Number of rows in the parameter table. */
PSC_API size_t psc_param_count(void);
/* Row i of the table, or NULL when out of range. Static storage. */
PSC_API const psc_param_info_t *psc_param_info(size_t i);
/* Finds a row by section and key (case-sensitive); NULL when unknown. */
PSC_API const psc_param_info_t *psc_param_find(const char *section, const char *key);
/* Fills every field with its default (strings NULL unless defaulted).
 * Returns 0 or PSC_ENOMEM. */
PSC_API int psc_params_defaults(psc_params_t *p);
/* Parses text as the value of one parameter and stores it. On failure
 * returns PSC_EINPUT and writes a message (without position) to err. */
PSC_API int psc_params_set(psc_params_t *p, const psc_param_info_t *info, const char *text,
                           char *err, size_t err_size);
/* Frees the strings held by p and zeroes it; accepts NULL. */
PSC_API void psc_params_clear(psc_params_t *p);

#ifdef __cplusplus
}
#endif
#endif
