/* The parameter table: one row per INI key. It validates input, fills
 * defaults, and is printed by `poolscreen params` for --help and the docs. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OFF(f) offsetof(psc_params_t, f)

static const psc_param_info_t TABLE[] = {
    {"scenario", "name", PSC_PARAM_STRING, 0, 0, "unnamed scenario", 0, OFF(name),
     "Name of the scenario, shown in reports and stored in outputs."},
    {"scenario", "start", PSC_PARAM_DATETIME, 0, 0, "2022-05-01 06:00", 0, OFF(start),
     "Local wall-clock time of T0, the round's start (YYYY-MM-DD HH:MM); all times are "
     "minutes after T0."},
    {"scenario", "seed", PSC_PARAM_UINT64, 0, 1.8446744073709552e19, "1", 0, OFF(seed),
     "Seed for roster synthesis and simulation."},
    {"pooling", "pool_size", PSC_PARAM_POOL, 1, 50, "10", 0, OFF(pool_size),
     "Swabs per tube for ordinary residents, or auto: the two-stage (Dorfman) size in 1..20 "
     "with the fewest expected tests at prevalence, se and sp (poolscreen otc)."},
    {"pooling", "design", PSC_PARAM_STRING, 0, 0, "dorfman", 0, OFF(design),
     "dorfman: tubes of pool_size, positives' members retested; array: walk-in residents in "
     "square arrays of array_size x array_size, one tube per row and per column, retests by "
     "the A2 rule (Kim et al. 2007)."},
    {"pooling", "array_size", PSC_PARAM_INT, 2, 32, "10", 0, OFF(array_size),
     "Rows (and columns) of an array when design = array."},
    {"pooling", "prevalence", PSC_PARAM_DOUBLE, 1e-9, 0.999999, NULL, 0, OFF(prevalence),
     "Expected prevalence; needed by pool_size = auto."},
    {"pooling", "se", PSC_PARAM_DOUBLE, 0.500001, 1, "0.99", 0, OFF(pool_se),
     "Test sensitivity for pool_size = auto (pool and individual tests)."},
    {"pooling", "sp", PSC_PARAM_DOUBLE, 0.500001, 1, "0.99", 0, OFF(pool_sp),
     "Test specificity for pool_size = auto."},
    {"pooling", "high_risk_pool_size", PSC_PARAM_INT, 1, 50, "1", 0, OFF(high_risk_pool_size),
     "Swabs per tube for close contacts and other high-risk residents."},
    {"pooling", "keep_households", PSC_PARAM_BOOL, 0, 1, "true", 0, OFF(keep_households),
     "Members of one household share a tube where the household fits."},
    {"deadlines", "key", PSC_PARAM_DOUBLE, 0.01, 8760, "12", 0, OFF(deadline_key_h),
     "Hours from T0 by which every result of each key community is reported."},
    {"deadlines", "street", PSC_PARAM_DOUBLE, 0.01, 8760, "24", 0, OFF(deadline_street_h),
     "Hours from a street's first swab by which every result of the street is reported."},
    {"deadlines", "district", PSC_PARAM_DOUBLE, 0.01, 8760, "48", 0, OFF(deadline_district_h),
     "Hours from T0 by which every result of the district is reported."},
    {"transport", "batch_minutes", PSC_PARAM_INT, 1, 1440, "60", 0, OFF(batch_minutes),
     "Sealed tubes leave each site every batch_minutes after T0."},
    {"transport", "speed_kmh", PSC_PARAM_DOUBLE, 0.1, 1000, "30", 0, OFF(speed_kmh),
     "Travel speed: travel time = straight-line distance / speed unless travel.csv gives it."},
    {"transport", "handover_minutes", PSC_PARAM_INT, 0, 1440, "15", 0, OFF(handover_minutes),
     "Minutes added once per trip for loading and handover."},
    {"lab", "report_minutes", PSC_PARAM_INT, 0, 1440, "30", 0, OFF(report_minutes),
     "Minutes from the end of a PCR run to the reported result."},
    {"lab", "max_sample_age_hours", PSC_PARAM_DOUBLE, 0.01, 8760, "24", 0,
     OFF(max_sample_age_hours),
     "A swab should reach a PCR run within this many hours; later ones are flagged."},
    {"lab", "run_start", PSC_PARAM_STRING, 0, 0, "planned", 0, OFF(run_start),
     "When a PCR run starts. planned: the planner chooses, e.g. holds a run to fill its "
     "plate when the wait costs less than the empty wells and makes no tube late; eager: as "
     "soon as an instrument is free, the lab is open and one tube waits."},
    {"costs", "instrument_96", PSC_PARAM_DOUBLE, 0, 1e9, "10", 0, OFF(cost_instrument_96),
     "Cost of one more instrument at a lab whose plates hold at most 96 wells (any unit, "
     "e.g. 10 000 CNY a round; only the ratios between costs matter)."},
    {"costs", "instrument_384", PSC_PARAM_DOUBLE, 0, 1e9, "30", 0, OFF(cost_instrument_384),
     "Cost of one more instrument at a lab whose plates hold more than 96 wells."},
    {"costs", "booth", PSC_PARAM_DOUBLE, 0, 1e9, "1", 0, OFF(cost_booth),
     "Cost of one more booth at a fixed, community or temporary site."},
    {"costs", "team", PSC_PARAM_DOUBLE, 0, 1e9, "1", 0, OFF(cost_team),
     "Cost of one more door-to-door team."},
    {"costs", "lab_hour", PSC_PARAM_DOUBLE, 0, 1e9, "2", 0, OFF(cost_lab_hour),
     "Cost of opening one lab one hour longer each day (labs open round the clock cannot)."},
    {"costs", "site_hour", PSC_PARAM_DOUBLE, 0, 1e9, "0.5", 0, OFF(cost_site_hour),
     "Cost of opening one site one hour longer each day."},
    {"simulation", "prevalence", PSC_PARAM_DOUBLE, 1e-9, 0.999999, "0.01", 0, OFF(sim_prevalence),
     "Share of residents infected (simulate)."},
    {"simulation", "secondary_attack_rate", PSC_PARAM_DOUBLE, 0, 1, "0.2", 0, OFF(sim_sar),
     "Chance that each other member of an infected household is infected too; prevalence is "
     "kept by drawing fewer index households."},
    {"simulation", "ct_mean", PSC_PARAM_DOUBLE, 5, 45, "28", 0, OFF(sim_ct_mean),
     "Mean PCR cycle threshold of an infected resident's swab (normal distribution)."},
    {"simulation", "ct_sd", PSC_PARAM_DOUBLE, 0.01, 20, "5", 0, OFF(sim_ct_sd),
     "Standard deviation of the cycle threshold."},
    {"simulation", "lod", PSC_PARAM_DOUBLE, 5, 60, "38", 0, OFF(sim_lod),
     "Limit of detection: a tube is detectable when its strongest positive's Ct, shifted by "
     "log2(swabs in the tube), is at most this."},
    {"simulation", "dilution", PSC_PARAM_BOOL, 0, 1, "true", 0, OFF(sim_dilution),
     "Apply the Ct and limit-of-detection model; false: detection is Se alone."},
    {"simulation", "se", PSC_PARAM_DOUBLE, 0.500001, 1, "0.98", 0, OFF(sim_se),
     "Sensitivity of a test of a detectable sample (other causes of failure)."},
    {"simulation", "sp", PSC_PARAM_DOUBLE, 0.500001, 1, "0.998", 0, OFF(sim_sp),
     "Specificity of a test (pooled or individual)."},
    {"simulation", "turnout", PSC_PARAM_DOUBLE, 0, 1, "1", 0, OFF(sim_turnout),
     "Share of walk-in residents who come at their slot; the others are swept door to door "
     "after their street's sampling."},
    {"simulation", "service_cv", PSC_PARAM_DOUBLE, 0, 2, "0", 0, OFF(sim_service_cv),
     "Coefficient of variation of each site's swabbing rate in a replicate (gamma); 0 = exact."},
    {"simulation", "staff_shortfall", PSC_PARAM_DOUBLE, 0, 1, "0", 0, OFF(sim_staff_shortfall),
     "Chance that each booth of a site is unstaffed in a replicate."},
    {"simulation", "run_failure", PSC_PARAM_DOUBLE, 0, 0.9, "0", 0, OFF(sim_run_failure),
     "Chance that a PCR run fails; its tubes are run again once it ends."},
    {"simulation", "outages", PSC_PARAM_STRING, 0, 0, NULL, 0, OFF(sim_outages),
     "Lab outage windows, 'LAB START END' in minutes after T0, separated by ';'."},
    {"tables", "communities", PSC_PARAM_PATH, 0, 0, NULL, 1, OFF(table_communities),
     "Path of communities.csv, relative to the INI file."},
    {"tables", "sites", PSC_PARAM_PATH, 0, 0, NULL, 1, OFF(table_sites),
     "Path of sites.csv, relative to the INI file."},
    {"tables", "labs", PSC_PARAM_PATH, 0, 0, NULL, 1, OFF(table_labs),
     "Path of labs.csv, relative to the INI file."},
    {"tables", "residents", PSC_PARAM_PATH, 0, 0, NULL, 0, OFF(table_residents),
     "Optional person-level roster; without it one is synthesised from the counts."},
    {"tables", "travel", PSC_PARAM_PATH, 0, 0, NULL, 0, OFF(table_travel),
     "Optional site-to-lab travel times overriding distance / speed."},
};

#define NPARAMS (sizeof(TABLE) / sizeof(TABLE[0]))

size_t psc_param_count(void) { return NPARAMS; }

const psc_param_info_t *psc_param_info(size_t i) { return i < NPARAMS ? &TABLE[i] : NULL; }

const psc_param_info_t *psc_param_find(const char *section, const char *key) {
  for (size_t i = 0; i < NPARAMS; i++)
    if (!strcmp(TABLE[i].section, section) && !strcmp(TABLE[i].key, key))
      return &TABLE[i];
  return NULL;
}

static void *field(psc_params_t *p, const psc_param_info_t *info) {
  return (char *)p + info->offset;
}

int psc_params_set(psc_params_t *p, const psc_param_info_t *info, const char *text, char *err,
                   size_t err_size) {
  psc__num_status_t st = PSC__NUM_OK;
  switch (info->type) {
  case PSC_PARAM_POOL:
    if (!strcasecmp(text, "auto")) {
      p->pool_auto = 1;
      p->pool_size = 0;
      return 0;
    }
    p->pool_auto = 0;
    __attribute__((fallthrough));
  case PSC_PARAM_INT: {
    double v = 0;
    uint64_t u = 0;
    st = psc__parse_u64(text, (uint64_t)info->max, &u);
    if (st == PSC__NUM_OK && u < info->min)
      st = PSC__NUM_RANGE;
    if (st != PSC__NUM_OK) {
      snprintf(err, err_size, "%s '%s' %s (expected a whole number from %g to %g)", info->key,
               text, psc__num_status_text(st), info->min, info->max);
      return PSC_EINPUT;
    }
    v = (double)u;
    *(int *)field(p, info) = (int)v;
    return 0;
  }
  case PSC_PARAM_UINT64: {
    uint64_t u;
    st = psc__parse_u64(text, UINT64_MAX, &u);
    if (st != PSC__NUM_OK) {
      snprintf(err, err_size, "%s '%s' %s (expected a whole number from 0 to 2^64-1)",
               info->key, text, psc__num_status_text(st));
      return PSC_EINPUT;
    }
    *(uint64_t *)field(p, info) = u;
    return 0;
  }
  case PSC_PARAM_DOUBLE: {
    double v;
    st = psc__parse_double(text, info->min, info->max, &v);
    if (st != PSC__NUM_OK) {
      snprintf(err, err_size, "%s '%s' %s (expected a number from %g to %g)", info->key, text,
               psc__num_status_text(st), info->min, info->max);
      return PSC_EINPUT;
    }
    *(double *)field(p, info) = v;
    return 0;
  }
  case PSC_PARAM_BOOL: {
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
      if (!strcasecmp(text, yes[i]) || !strcasecmp(text, no[i])) {
        *(int *)field(p, info) = !strcasecmp(text, yes[i]);
        return 0;
      }
    }
    snprintf(err, err_size, "%s '%s' is not a boolean (expected true or false)", info->key, text);
    return PSC_EINPUT;
  }
  case PSC_PARAM_DATETIME: {
    int mod;
    if (psc__parse_datetime(text, &mod)) {
      snprintf(err, err_size, "%s '%s' is not a valid date and time (expected YYYY-MM-DD HH:MM)",
               info->key, text);
      return PSC_EINPUT;
    }
    p->start_minute_of_day = mod;
  }
    __attribute__((fallthrough)); /* the text is kept as given */
  case PSC_PARAM_STRING:
  case PSC_PARAM_PATH: {
    if (info->type == PSC_PARAM_PATH && !*text) {
      snprintf(err, err_size, "%s: empty path", info->key);
      return PSC_EINPUT;
    }
    char *s = psc__strdup(text);
    if (!s) {
      snprintf(err, err_size, "out of memory");
      return PSC_ENOMEM;
    }
    char **slot = (char **)field(p, info);
    free(*slot);
    *slot = s;
    return 0;
  }
  }
  snprintf(err, err_size, "unknown parameter type");
  return PSC_EINVAL;
}

int psc_params_defaults(psc_params_t *p) {
  memset(p, 0, sizeof(*p));
  char err[256];
  for (size_t i = 0; i < NPARAMS; i++) {
    if (!TABLE[i].def)
      continue;
    int rc = psc_params_set(p, &TABLE[i], TABLE[i].def, err, sizeof(err));
    if (rc)
      return rc;
  }
  return 0;
}

void psc_params_clear(psc_params_t *p) {
  if (!p)
    return;
  for (size_t i = 0; i < NPARAMS; i++) {
    psc_param_type_t t = TABLE[i].type;
    if (t == PSC_PARAM_STRING || t == PSC_PARAM_PATH || t == PSC_PARAM_DATETIME)
      free(*(char **)field(p, &TABLE[i]));
  }
  memset(p, 0, sizeof(*p));
}
