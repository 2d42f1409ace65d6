/* The planner's private state, shared by its modules (src/plan/). */
#ifndef POOLSCREEN_PLAN_INTERNAL_H
#define POOLSCREEN_PLAN_INTERNAL_H

#include "internal.h"
#include "poolscreen/plan.h"

/* ---- plan/hours.c: daily opening hours on the T0 time axis ----------- */
typedef struct {
  int32_t open, close; /* minutes after local midnight, as in the views */
  int32_t t0_clock;    /* minutes after midnight of T0 */
} psc__hours_t;
psc__hours_t psc__hours(int32_t open_min, int32_t close_min, int32_t t0_clock);
/* t itself when open at t, else the next opening (minutes after T0). */
double psc__hours_next_open(const psc__hours_t *h, double t);
/* When open at t: the end of that open interval (INFINITY when all day). */
double psc__hours_open_until(const psc__hours_t *h, double t);
/* The time reached after d open minutes from t. */
double psc__hours_advance(const psc__hours_t *h, double t, double d);
/* Open minutes in [a, b). */
double psc__hours_open_between(const psc__hours_t *h, double a, double b);

/* ---- plan/pack.c: swabs into tubes (independent of the schedule) ------ */
typedef struct {
  uint32_t ntubes;
  uint32_t *tube_comm;
  uint8_t *tube_stream, *tube_swabs;
  uint32_t *comm_tube_first; /* 3 * communities + 1: community c, stream k */
  uint32_t *member_first;    /* ntubes + 1 */
  uint32_t *members;         /* residents by tube, in swab order */
  uint32_t *res_tube;        /* per resident; PSC__NONE on an exception list;
                                for an array, the row tube */
  uint32_t *res_tube2;       /* per resident: the column tube of an array, or PSC__NONE */
  uint8_t *tube_kind;        /* PSC__TUBE_POOL, _ROW or _COLUMN */
  uint8_t *tube_work;        /* swabs taken for this tube (0 for a column tube) */
  uint32_t *tube_group;      /* the tube's array, or PSC__NONE */
  uint32_t narrays;
  uint8_t *res_exception;    /* psc_exception_t or 0 */
  uint32_t exceptions;
} psc__pack_t;
enum { PSC__TUBE_POOL = 0, PSC__TUBE_ROW = 1, PSC__TUBE_COLUMN = 2 };
int psc__pack(const psc_scenario_t *s, psc__pack_t *pk);
void psc__pack_free(psc__pack_t *pk);

/* ---- plan/schedule.c, plan/labs.c: one evaluation of a schedule -------- */
#define PSC__NEAR_SITES 6 /* a community is sampled at most at its 6 nearest sites */
#define PSC__NEAR_LABS 16 /* a site sends tubes to at most its 16 quickest labs */

/* What can vary between evaluations: the schedule's choices, resources
 * added by the advice, and (simulation) the round's operations. */
typedef struct {
  const double *street_open; /* per street: when its ordinary communities are released
                                (minutes after T0); NULL: all at T0 */
  double hold;               /* planned run starts: a run may wait for its plate to fill
                                up to hold x run length x its empty share */
  double align_end;          /* planned run starts aligned to this report time (minutes;
                                0: not aligned): labs.c */
  /* resources added (the cheapest fix); NULL: none */
  const uint16_t *add_inst;             /* per lab: more instruments */
  const uint16_t *add_booth;            /* per site: more booths (teams) */
  const psc__hours_t *lab_hours, *site_hours; /* opening hours; NULL: the scenario's */
  /* simulation: per-site rate multipliers (NULL: 1), run failures drawn
   * from streams (fail_seed, lab), lab outages (from the scenario) */
  const double *site_mult;
  double run_failure;
  uint64_t fail_seed;
  int outages;
} psc__variant_t;

/* Precomputed, read-only during evaluations. */
typedef struct {
  const psc_scenario_t *s;
  const psc__pack_t *pk;
  uint32_t ncomm, nstreets, nsites, nlabs;
  uint32_t *order;          /* communities in priority order */
  uint32_t *street_order;   /* streets in wave order */
  uint32_t *near_site;      /* PSC__NEAR_SITES per community (walk-in), PSC__NONE padded */
  uint32_t *near_team;      /* PSC__NEAR_SITES per community (door-to-door) */
  uint32_t *near_lab;       /* PSC__NEAR_LABS per site, PSC__NONE padded */
  double *near_lab_min;     /* travel minutes + handover for those */
  psc__hours_t *site_hours, *lab_hours;
  uint32_t *comm_tubes;     /* all tubes of a community (3 streams) */
  uint32_t *comm_exceptions; /* residents of a community on an exception list */
  uint8_t *street_keyed;    /* per street: has a key community (opens at T0) */
  uint32_t *travel_first;   /* nsites + 1: each site's travel.csv rows ... */
  uint32_t *travel_row;     /* ... as indices into the travel table */
  uint32_t *street_lab_first; /* nstreets + 1: the labs a street's sites send to ... */
  uint32_t *street_lab;       /* ... (each once) */
} psc__ctx_t;

typedef struct {
  /* per tube */
  uint32_t *site, *lab, *run, *session;
  double *first_swab, *sealed, *departed, *arrived, *reported, *run_start;
  /* sessions: at most PSC__NEAR_SITES * 2 per community, slot-indexed, then
   * compacted */
  uint32_t nsessions;
  uint32_t *ses_site, *ses_comm, *ses_residents, *ses_tubes;
  uint8_t *ses_stream;
  double *ses_start, *ses_end;
  uint32_t *ses_tube_first, *ses_tube_list; /* CSR of tubes by session */
  /* runs */
  uint32_t nruns, failed_runs;
  uint64_t runs_cap;
  uint32_t *run_lab, *run_instrument, *run_tubes;
  double *run_begin, *run_end;
  /* verdicts */
  psc_verdict_t *comm, *street, district;
  uint32_t missed, missed_key, missed_street; /* missed = key + street + district */
  double lateness;
  uint32_t aged;
} psc__eval_t;

int psc__ctx_init(psc__ctx_t *x, const psc_scenario_t *s, const psc__pack_t *pk);
/* Minutes from site i to lab l, handover included: travel.csv's when it
 * gives the pair, else straight-line distance / speed. */
double psc__trip(const psc__ctx_t *x, uint32_t i, uint32_t l);
void psc__ctx_free(psc__ctx_t *x);
int psc__eval_alloc(psc__eval_t *e, const psc__ctx_t *x);
/* Room for `more` runs after e->nruns (the run arrays double). 0 or
 * PSC_ENOMEM (the arrays stay valid). */
int psc__runs_room(psc__eval_t *e, uint32_t more);
void psc__eval_free(psc__eval_t *e);
/* Opening hours and resources of lab l and site i under a variant. */
static inline const psc__hours_t *psc__lab_hours_v(const psc__ctx_t *x, const psc__variant_t *v,
                                                   uint32_t l) {
  return v->lab_hours ? &v->lab_hours[l] : &x->lab_hours[l];
}
static inline const psc__hours_t *psc__site_hours_v(const psc__ctx_t *x, const psc__variant_t *v,
                                                    uint32_t i) {
  return v->site_hours ? &v->site_hours[i] : &x->site_hours[i];
}
uint32_t psc__instruments(const psc__ctx_t *x, const psc__variant_t *v, uint32_t l);
uint32_t psc__booths(const psc__ctx_t *x, const psc__variant_t *v, uint32_t i);
/* Runs one evaluation: sampling, transport, labs, verdicts. */
int psc__evaluate(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e);
/* plan/schedule.c */
int psc__sample(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e);
/* plan/labs.c */
int psc__transport_and_labs(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e);
/* The lab model the pull runs on: the labs' resources and hours, the sites
 * tubes leave from and their quickest labs, and how runs start and fail. */
typedef struct {
  uint32_t nlabs, nsites;
  const uint32_t *inst, *wells, *run_min; /* per lab */
  const psc__hours_t *hours;              /* per lab */
  const uint32_t *near_lab;               /* PSC__NEAR_LABS per site, PSC__NONE padded */
  const double *near_lab_min;             /* travel + handover for those */
  const psc_scenario_t *outages;          /* its [simulation] lab outages apply; NULL: none */
  double report_min;
  int planned;  /* [lab] run_start = planned: a run may be held for its plate */
  double hold;
  double align_end; /* psc__variant_t's */
  double run_failure; /* a run fails with this probability (simulation) */
  uint64_t fail_seed, fail_domain;
  const double *inst_free; /* per instrument, labs in order: busy until; NULL: free at 0 */
  int retests; /* class 0 holds retests (psc__lab_replay): no run is held while one is due */
} psc__labmodel_t;
/* The pull itself: tubes by_site (CSR site_first, each site's tubes in
 * departure order; e->site, e->departed) into runs, earliest deadline
 * (class cls[t], ncls classes, earliest first) first. Fills e's per-tube
 * lab, arrived, run, run_start, reported (a tube never run keeps run =
 * PSC__NONE) and its runs in formation order; e->run_* must hold a run per
 * tube and per failed run (4 x ntubes is always enough). */
int psc__pull_labs(const psc__labmodel_t *m, const uint32_t *by_site, const uint32_t *site_first,
                   uint32_t ntubes, const double *deadline, const uint32_t *cls, uint32_t ncls,
                   psc__eval_t *e);
/* Lab capacity in tubes per minute while open, with the variant applied. */
double psc__lab_rate(const psc__ctx_t *x, const psc__variant_t *v, uint32_t lab);
/* Fills rates[l] with every lab's rate under the variant. */
void psc__lab_rates(const psc__ctx_t *x, const psc__variant_t *v, double *rates);
/* plan/verdict.c */
void psc__verdicts(const psc__ctx_t *x, psc__eval_t *e);

/* ---- plan/replay.c: a plan's lab schedule again, with retests ---------- *
 * The plan's runs that started before the first retest can reach their lab
 * are kept; every later run is dissolved and its tubes, pinned to the lab the
 * plan gave them and arriving when the plan had them arrive, are pulled
 * again by the same lab model (psc__pull_labs) together with the retest
 * tubes, which leave their site when sampled, may go to any of its
 * PSC__NEAR_LABS quickest labs and come first in every run. */
typedef struct {
  psc__labmodel_t m;  /* the labs and the sites retests leave from; m.inst_free is
                         ignored (the kept runs set it) */
  uint32_t nruns;     /* the plan's runs */
  const uint32_t *run_lab, *run_inst;
  const double *run_start, *run_end;
  uint32_t ntubes;    /* the plan's tubes */
  const uint32_t *tube_lab, *tube_run;
  const double *tube_arrived, *tube_deadline, *tube_reported;
  uint32_t nretests;  /* retest tubes: their site and departure */
  const uint32_t *rt_site;
  const double *rt_departed;
} psc__replay_in_t;

typedef struct {
  double cutoff;         /* the first retest's earliest arrival at a lab; a lab's plan runs
                            that started before the first retest can reach it are kept */
  double *tube_reported; /* per plan tube, after the replay (INFINITY: never run) */
  uint32_t *rt_lab, *rt_run;
  double *rt_start, *rt_reported; /* per retest (INFINITY: never run) */
  /* every run: the kept plan runs (in plan order), then the new ones in
   * formation order; failed runs (simulation) hold 0 tubes */
  uint32_t nruns, kept, retimed; /* retimed: plan tubes pulled again */
  uint32_t *run_lab, *run_inst, *run_tubes;
  double *run_start, *run_end;
} psc__replay_out_t;

int psc__lab_replay(const psc__replay_in_t *in, psc__replay_out_t *out);
void psc__replay_out_free(psc__replay_out_t *o);

typedef struct psc__stages psc__stages_t;

struct psc_plan {
  const psc_scenario_t *s;
  psc__pack_t pk;
  psc__ctx_t x;
  psc__eval_t e;
  psc__variant_t v;
  double *street_open;       /* the waves the kept plan used (p->v.street_open) */
  double margin_min;         /* the street margin the kept plan used */
  uint32_t *wave_order;      /* streets by their first swab (psc_plan_street_order) */
  int order_won;             /* which wave order the search kept (0 largest first) */
  uint32_t partner;          /* the partner street the search kept at T0, or PSC__NONE */
  psc_plan_options_t opts;   /* as given to psc_plan_create */
  psc_tubes_t tubes;
  psc_runs_t runs;
  psc_sessions_t sessions;
  psc_utilisation_t util;
  psc_advice_t advice;
  double lower_bound;
  int threads;
  int date_code; /* YYMMDD of T0 */
  uint64_t identity; /* plan/identity.c */
  psc__stages_t *stages; /* plan/stages.c: made and written at once, or NULL */
};

/* io/plan_h5.c, io/plan_csv.c: what the plan's output writers get */
typedef struct {
  const psc_plan_t *p;
  int threads;
} psc__plan_out_t;
/* Writes plan.h5 to exactly this path (the caller handles temporaries). */
int psc__plan_h5_to(const void *out /* psc__plan_out_t */, const char *path);

/* plan/verdict.c */
void psc__utilisation(const psc_plan_t *p, psc_utilisation_t *u);
/* plan/bound.c: every unit's lower bound and infeasible flag under v, into
 * e's verdicts (which must hold a plan's completions). */
int psc__bounds(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e);
/* The same for one scope: PSC__BOUND_ALL, PSC__BOUND_DISTRICT (the district
 * only), or a street index (the street and its communities only). */
enum { PSC__BOUND_ALL = -2, PSC__BOUND_DISTRICT = -1 };
int psc__bounds_of(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e, int64_t scope);
/* plan/advice.c: the cheapest fix (p->advice); trial is working memory. */
int psc__advise(psc_plan_t *p, psc__eval_t *trial);
/* plan/plan.c: a plan's shell (options, threads, date code), and the whole
 * plan made in it (packing to identity), reaching the stages on the way;
 * on failure the caller frees it. */
int psc__plan_new(const psc_scenario_t *s, const psc_plan_options_t *o, psc_plan_t **out);
int psc__plan_build(psc_plan_t *p);

/* plan/stages.c: a plan made and written at once. Stages: the packing, the
 * plan (schedule, bounds, views, identity), the advice. Without stages
 * (psc__stages_init not called) every wait returns 0 at once. */
enum { PSC__STAGE_PACKED = 1, PSC__STAGE_PLANNED = 2, PSC__STAGE_ADVISED = 3 };
int psc__stages_init(psc_plan_t *p);
void psc__stage_reach(psc_plan_t *p, int stage);
/* the plan failed with rc: waits return rc from now on */
void psc__stage_fail(psc_plan_t *p, int rc);
/* waits until stages 1 .. stage are reached: 0, or the plan's failure, or
 * for PSC__STAGE_ADVISED the advice's */
int psc__stage_wait(const psc_plan_t *p, int stage);
/* psc__advise on a thread of its own (needs stages), which takes over
 * trial (left empty) and reaches PSC__STAGE_ADVISED */
int psc__advice_start(psc_plan_t *p, psc__eval_t *trial);
/* joins the advice and frees the stages (psc_plan_free) */
void psc__stages_end(psc_plan_t *p);
/* a plan writer's team: threads (0: the runtime's default), one fewer
 * while the plan or its advice is still being made on another core */
int psc__writer_threads(const psc_plan_t *p, int threads);
/* plans s and writes its files (psc__plan_write_to_with's set) at once */
int psc__plan_create_writing(const psc_scenario_t *s, const psc_plan_options_t *o,
                             struct psc_outset *set, int with_csv, const psc__out_file_t *extra,
                             psc_plan_t **out, int *write_rc);
/* plan/plan.c: the planner's whole search under base's resources (the
 * street openings of base are ignored): both wave orders' chains side by
 * side, each with a partner at T0 (refine.c) tried from its paced plan
 * when that misses a deadline; the best of the four into best, best_open,
 * best_v, best_margin, which
 * wave order won into *order_won and the partner kept (PSC__NONE: none)
 * into *partner (either may be NULL). quick 1: only the
 * chain of the wave order p's own search chose;
 * quick 2: only that chain's first evaluation (its first guess of the
 * waves; best may then be trial itself). Either is a prefix of what the
 * whole search computes, which keeps the best it meets: the whole search
 * does at least as well by the objective. */
int psc__search(const psc_plan_t *p, const psc__variant_t *base, int quick, psc__eval_t *best,
                double *best_open, psc__variant_t *best_v, double *best_margin,
                psc__eval_t *trial, int *order_won, uint32_t *partner);
/* plan/openings.c: each street's walk-in sampling capacity over time (its
 * sites' booths, rates and hours under a variant), to tell how long its
 * sampling takes from a given opening. */
typedef struct {
  uint32_t nb, ns;
  double *cum;  /* per street, nb + 1 prefix sums of swabs by 15-minute buckets */
  double *work; /* per street: swabs its walk-in sites take once it opens */
} psc__sampling_curve_t;
int psc__sampling_curve_init(psc__sampling_curve_t *c, const psc__ctx_t *x,
                             const psc__variant_t *v, double horizon_min);
void psc__sampling_curve_free(psc__sampling_curve_t *c);
/* When street k's walk-in sampling ends if it opens at `open` (INFINITY:
 * past the horizon). */
double psc__sampling_end(const psc__sampling_curve_t *c, uint32_t k, double open);
/* The first opening from `from` on (15-minute steps, two days at most)
 * whose sampling ends within `window` of it; `from` when there is none. */
double psc__feasible_opening(const psc__sampling_curve_t *c, uint32_t k, double from,
                             double window);
/* Swabs street k's walk-in sites can take in [0, t) (INFINITY: past the
 * horizon). */
double psc__swabs_by(const psc__sampling_curve_t *c, uint32_t k, double t);
/* When street k opens at `open` in its night (its walk-in sites swabbing
 * under half their peak rate, only round-the-clock ones at work): the end
 * of the last 15-minute bucket of the day before (within 24 h) in which
 * they swab at least half their peak; NAN for a daytime opening or none. */
double psc__evening_before(const psc__sampling_curve_t *c, uint32_t k, double open);

/* plan/plan.c: is evaluation a better than b (the planner's objective)? */
int psc__better(const psc__eval_t *a, const psc__eval_t *b);
/* plan/plan.c: plans under v from its street openings, pacing them by the
 * labs' progress for `rounds` rounds (streets marked in `pinned`, or NULL,
 * stay where they are, as key streets do); keeps the best evaluation in
 * *best (swapping buffers with trial) and its openings in open_best. */
int psc__pace(const psc__ctx_t *x, psc__variant_t *v, double margin_min, int rounds,
              const psc__sampling_curve_t *curve, const uint8_t *pinned, psc__eval_t *best,
              psc__eval_t *trial, double *open_best, int *have, int *improved);
/* plan/plan.c: keeps the evaluation in *trial as the best (the buffers
 * swap) and `open` as its openings. */
void psc__keep_trial(const psc__ctx_t *x, psc__eval_t *best, psc__eval_t *trial, double *best_open,
                     const double *open);

/* plan/refine.c: refinements of a search's best plan (its evaluation in
 * *best, its openings in best_open; trial and open are working memory).
 * Each keeps a variant when it is better by the objective. */
int psc__local_search(const psc__ctx_t *x, psc__variant_t v, psc__eval_t *best, double *best_open,
                      psc__eval_t *trial, double *open);
int psc__feed_the_night(const psc__ctx_t *x, psc__variant_t v, const psc__sampling_curve_t *curve,
                        double margin, psc__eval_t *best, double *best_open, psc__eval_t *trial,
                        double *open);
/* Aligns the labs to an end (v->align_end when one is kept). */
int psc__align_the_end(const psc__ctx_t *x, psc__variant_t *v, psc__eval_t *best,
                       double *best_open, psc__eval_t *trial, double *open);
/* A partner street at T0 (refine.c says how). prepare chooses it for the
 * plan in *best (openings best_open; nothing is read from them after) and
 * sets up its try (t->st PSC__NONE: none); run paces and aligns it (t->have
 * when it made a plan: t->best, t->open_best, t->v); free releases it. */
typedef struct {
  psc__eval_t best, trial;
  double *open_best, *open;
  uint8_t *pin;
  psc__variant_t v;
  double margin;
  uint32_t st; /* the partner street */
  int have, rc;
} psc__partner_t;
int psc__partner_prepare(const psc__ctx_t *x, const psc__variant_t *v,
                         const psc__sampling_curve_t *curve, double margin,
                         const psc__eval_t *best, const double *best_open, psc__partner_t *t);
int psc__partner_run(const psc__ctx_t *x, psc__partner_t *t);
void psc__partner_free(psc__partner_t *t);

/* plan/identity.c: the fingerprint of scenario, options and content. */
uint64_t psc__plan_identity(const psc_plan_t *p);

#endif
