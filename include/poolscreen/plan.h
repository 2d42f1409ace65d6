/* The plan: who is sampled where and when, which tube each swab goes into,
 * which lab and PCR run each tube gets, and whether every deadline holds. */
#ifndef POOLSCREEN_PLAN_H
#define POOLSCREEN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "poolscreen/error.h"
#include "poolscreen/export.h"
#include "poolscreen/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psc_plan psc_plan_t;

/* How a swab is taken and pooled. */
typedef enum {
  PSC_STREAM_WALK_IN = 0,      /* at a fixed, community or temporary site, pool_size per tube */
  PSC_STREAM_HIGH_RISK = 1,    /* at a site, high_risk_pool_size per tube */
  PSC_STREAM_DOOR_TO_DOOR = 2, /* by a door-to-door team, pool_size per tube */
  PSC_STREAMS = 3
} psc_stream_t;

/* Why a resident is in no tube. */
typedef enum { PSC_EXC_NO_TEAM = 1 /* door-to-door resident, street has no team */ } psc_exception_t;

typedef struct {
  int threads;         /* OpenMP threads; 0 = the runtime's default */
  int advise;          /* 1: when a deadline is missed, search the cheapest set of added
                          resources that makes the planner meet every deadline */
  double margin_hours; /* < 0: search (default); >= 0: each street opens this long after
                          the latest time its own deadline allows, as the labs progress */
  double hold;         /* < 0: search (default); >= 0: with run_start = planned, a run may
                          wait for its plate up to hold x run length x its empty share */
  int background_advice; /* 1: psc_plan_create returns once the plan is made and searches
                          the advice on a thread of its own; psc_plan_advice, the
                          writers and psc_plan_free wait for it (psc_plan_advice_wait) */
} psc_plan_options_t;

/* Default options: threads 0, advise 1, margin_hours -1, hold -1,
 * background_advice 0. */
PSC_API psc_plan_options_t psc_plan_options_default(void);

/* Tubes, in packing order (by community, then stream). Times are minutes
 * after T0. run is an index into the runs view. */
typedef struct {
  uint32_t count;
  uint32_t *community, *site, *lab, *run;
  uint8_t *stream, *swabs;
  double *first_swab, *sealed, *departed, *arrived, *reported;
} psc_tubes_t;

/* PCR runs, per lab in start order. */
typedef struct {
  uint32_t count;
  uint32_t *lab, *instrument, *tubes;
  double *start, *end;
} psc_runs_t;

/* Sampling sessions: one community's stream at one site, contiguous in time.
 * Its tubes are tubes first_tube .. first_tube + tubes - 1 of the session's
 * tube list (psc_plan_session_tubes). */
typedef struct {
  uint32_t count;
  uint32_t *site, *community, *residents, *tubes;
  uint8_t *stream;
  double *start, *end;
} psc_sessions_t;

/* Verdict of one unit (community, street or the district). Times in minutes
 * after T0; NaN where the unit has no resident. `bound` is a valid lower
 * bound on the unit's completion under any schedule of these resources
 * (whole PCR runs, plate sizes, opening hours, earliest arrivals, sampling
 * capacity; docs/plan.md). `infeasible` is 1 when the deadline is below
 * what these resources allow: for a street, when the bound on the time
 * from its first swab to its last result exceeds the street deadline; an
 * ordinary community has no such verdict (0): its deadline depends on when
 * the schedule opens its street. */
typedef struct {
  uint32_t residents, tubes, exceptions;
  double sampling_start, sampling_end, complete, deadline, slack;
  int met;
  double bound;
  int infeasible;
} psc_verdict_t;

/* Utilisation of one resource over [0, district completion]. */
typedef struct {
  double sampling;       /* swab-minutes / open booth-minutes, all walk-in sites */
  double door_to_door;   /* the same for door-to-door teams */
  double lab;            /* instrument-minutes in runs / open instrument-minutes */
  double lab_fill;       /* tubes / (runs x wells) */
  uint32_t busiest_site, busiest_lab;
  double busiest_site_util, busiest_lab_util;
  /* mean minutes per tube in each stage */
  double wait_transport, travel, wait_lab, run_and_report;
} psc_utilisation_t;

/* A resource the advice adds. */
typedef enum {
  PSC_ADD_INSTRUMENT = 0, /* one more instrument at lab `index` */
  PSC_ADD_BOOTH = 1,      /* one more booth at walk-in site `index` */
  PSC_ADD_TEAM = 2,       /* one more door-to-door team at site `index` */
  PSC_ADD_LAB_HOUR = 3,   /* lab `index` opens one hour longer a day */
  PSC_ADD_SITE_HOUR = 4   /* site `index` opens one hour longer a day */
} psc_addition_kind_t;

typedef struct {
  psc_addition_kind_t kind;
  uint32_t index; /* lab or site */
  uint32_t count; /* how many of this kind at this place */
  double cost;    /* count x the unit cost from the scenario's [costs] */
} psc_addition_t;

#define PSC_ADVICE_MAX 16

/* The cheapest fix: the least costly set of additions, by the scenario's
 * [costs], with which the planner meets every deadline, verified by
 * planning with it. */
typedef struct {
  int needed;        /* 1 when the plan misses a deadline */
  int found;         /* 1 when a set was found and verified (or none was needed) */
  uint32_t count;    /* additions, kinds and places apart */
  psc_addition_t items[PSC_ADVICE_MAX];
  double cost;       /* their total cost */
  uint32_t plans;    /* whole plans evaluated by the search */
  char what[512];    /* in words: "2 more instruments at lab L04 (...), ..." */
  uint32_t missed_before, missed_after;
  double district_before, district_after;
} psc_advice_t;

/* Plans a scenario. Returns 0 and a new plan in *out (free with
 * psc_plan_free), PSC_EINVAL for NULL arguments, PSC_ENOMEM. The plan keeps
 * a pointer to s: free the plan before the scenario. Deterministic: the same
 * scenario and options give the same plan at any thread count. */
PSC_API int psc_plan_create(const psc_scenario_t *s, const psc_plan_options_t *opt,
                            psc_plan_t **out);
/* psc_plan_create, then psc_plan_write_to (poolscreen/output.h) into set,
 * in one call: the same plan and the same bytes, sooner. With more than one
 * thread the files are written on a thread of their own while the plan is
 * made (plan.h5's residents and households during the search), and the
 * advice is searched in the background while the rest is written. Returns
 * psc_plan_create's status (on failure nothing is written, *out is NULL);
 * the writers' status, as psc_plan_write_to's, goes to *write_rc. */
PSC_API int psc_plan_create_writing(const psc_scenario_t *s, const psc_plan_options_t *opt,
                                    struct psc_outset *set, int with_csv, psc_plan_t **out,
                                    int *write_rc);
/* Frees a plan; accepts NULL. */
PSC_API void psc_plan_free(psc_plan_t *p);

PSC_API const psc_scenario_t *psc_plan_scenario(const psc_plan_t *p);
PSC_API const psc_tubes_t *psc_plan_tubes(const psc_plan_t *p);
PSC_API const psc_runs_t *psc_plan_runs(const psc_plan_t *p);
PSC_API const psc_sessions_t *psc_plan_sessions(const psc_plan_t *p);
/* Tube of resident i, or UINT32_MAX when the resident is on an exception list. */
PSC_API uint32_t psc_plan_resident_tube(const psc_plan_t *p, uint32_t i);
/* The column tube of resident i in an array design, else UINT32_MAX (the
 * row tube is psc_plan_resident_tube). */
PSC_API uint32_t psc_plan_resident_tube2(const psc_plan_t *p, uint32_t i);
/* Exception reason of resident i (0 when the resident has a tube). */
PSC_API int psc_plan_resident_exception(const psc_plan_t *p, uint32_t i);
/* Residents of tube t: writes up to max indices into out; returns the count. */
PSC_API uint32_t psc_plan_tube_members(const psc_plan_t *p, uint32_t t, uint32_t *out,
                                       uint32_t max);
/* Tubes of session k, in sampling order: *first and *count index the
 * array returned by psc_plan_session_tube_list. */
PSC_API const uint32_t *psc_plan_session_tube_list(const psc_plan_t *p);
PSC_API uint32_t psc_plan_session_first(const psc_plan_t *p, uint32_t k);

PSC_API const psc_verdict_t *psc_plan_community(const psc_plan_t *p, uint32_t c);
PSC_API const psc_verdict_t *psc_plan_street(const psc_plan_t *p, uint32_t st);
PSC_API const psc_verdict_t *psc_plan_district(const psc_plan_t *p);
/* Street opening order (the waves): street indices, first opened first. */
PSC_API const uint32_t *psc_plan_street_order(const psc_plan_t *p);

PSC_API const psc_utilisation_t *psc_plan_utilisation(const psc_plan_t *p);
/* Lower bound on the district's completion (minutes after T0): the
 * district verdict's `bound`. */
PSC_API double psc_plan_lower_bound(const psc_plan_t *p);
/* The street margin the plan used, in hours (see psc_plan_options_t). */
PSC_API double psc_plan_margin_hours(const psc_plan_t *p);
/* The run-hold factor the plan used (0 with run_start = eager). */
PSC_API double psc_plan_hold(const psc_plan_t *p);
/* The end the labs were aligned to (minutes after T0; 0 when they were
 * not: docs/plan.md, "Aligning the end"). */
PSC_API double psc_plan_align_end(const psc_plan_t *p);
/* The ordinary street the search opened at T0 beside the key streets in
 * place of a smaller one (a partner: docs/plan.md), or UINT32_MAX. */
PSC_API uint32_t psc_plan_partner(const psc_plan_t *p);
/* When street st's ordinary communities were released (minutes after T0). */
PSC_API double psc_plan_street_open(const psc_plan_t *p, uint32_t st);
/* Tubes whose first swab waited longer than max_sample_age_hours for a run. */
PSC_API uint32_t psc_plan_aged_tubes(const psc_plan_t *p);
/* The cheapest fix; with background_advice, waits for its search first. */
PSC_API const psc_advice_t *psc_plan_advice(const psc_plan_t *p);
/* Waits for a background advice (at once without one) and returns its
 * status: 0, or PSC_ENOMEM when the search ran out of memory (the advice
 * then says no fix was found). Anything but the advice may be read, and the
 * plan's files written, while it runs; the writers wait for it before the
 * advice they carry and fail with its status. */
PSC_API int psc_plan_advice_wait(const psc_plan_t *p);
/* Writes a barcode-like tube id (19 digits: date of T0 as YYMMDD, the
 * plan's 4-digit tag from its identity, an 8-digit sequence and a Luhn
 * check digit; docs/output.md) into buf; returns the length like snprintf. */
PSC_API int psc_plan_tube_id(const psc_plan_t *p, uint32_t t, char *buf, size_t size);

/* Writes the plan to path (OUTDIR/plan.h5; see docs/output.md), creating
 * the directory if needed. Written to a temporary name and renamed.
 * threads > 0 sets the OpenMP threads used to format large columns.
 * Returns 0, PSC_EIO or PSC_EHDF5. */
PSC_API int psc_plan_write_h5(const psc_plan_t *p, const char *path, int threads);
/* Writes OUTDIR/summary.csv, site_schedule.csv, tubes.csv, assignment.csv
 * and exceptions.csv as one set (output.h: made in a staging folder and
 * swapped in; plan.h5 and other files in OUTDIR are kept). Returns 0,
 * PSC_EIO or PSC_ENOMEM. */
PSC_API int psc_plan_write_csv(const psc_plan_t *p, const char *outdir);
/* Writes a plan's whole output set into outdir: plan.h5 and (with_csv) the
 * five CSVs, swapped in together (output.h), so a failure leaves no part of
 * a plan. threads as for psc_plan_write_h5. Returns 0, PSC_EIO, PSC_EHDF5
 * or PSC_ENOMEM; psc_plan_write_to reports which path failed and why. */
PSC_API int psc_plan_write(const psc_plan_t *p, const char *outdir, int with_csv, int threads);

#ifdef __cplusplus
}
#endif
#endif
