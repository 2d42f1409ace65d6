/* The planner: packs once, chooses the street waves and the run-hold rule
 * by whole-plan evaluations (docs/plan.md), keeps the best plan, bounds
 * every unit, and when a deadline is missed searches the cheapest fix
 * (advice.c). */
#include "plan/plan_internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

psc_plan_options_t psc_plan_options_default(void) {
  psc_plan_options_t o = {0, 1, -1.0, -1.0, 0};
  return o;
}

void psc__eval_free(psc__eval_t *e) {
  free(e->site);
  free(e->lab);
  free(e->run);
  free(e->session);
  free(e->first_swab);
  free(e->sealed);
  free(e->departed);
  free(e->arrived);
  free(e->reported);
  free(e->run_start);
  free(e->ses_site);
  free(e->ses_comm);
  free(e->ses_residents);
  free(e->ses_tubes);
  free(e->ses_stream);
  free(e->ses_start);
  free(e->ses_end);
  free(e->ses_tube_first);
  free(e->ses_tube_list);
  free(e->run_lab);
  free(e->run_instrument);
  free(e->run_tubes);
  free(e->run_begin);
  free(e->run_end);
  free(e->comm);
  free(e->street);
  memset(e, 0, sizeof(*e));
}

int psc__runs_room(psc__eval_t *e, uint32_t more) {
  if ((uint64_t)e->nruns + more <= e->runs_cap)
    return 0;
  uint64_t cap = e->runs_cap ? e->runs_cap : 64;
  while (cap < (uint64_t)e->nruns + more)
    cap *= 2;
  void *a = realloc(e->run_lab, cap * 4), *b = realloc(e->run_instrument, cap * 4);
  void *c = realloc(e->run_tubes, cap * 4), *d = realloc(e->run_begin, cap * 8);
  void *f = realloc(e->run_end, cap * 8);
  if (a)
    e->run_lab = a;
  if (b)
    e->run_instrument = b;
  if (c)
    e->run_tubes = c;
  if (d)
    e->run_begin = d;
  if (f)
    e->run_end = f;
  if (!a || !b || !c || !d || !f)
    return PSC_ENOMEM;
  e->runs_cap = cap;
  return 0;
}

int psc__eval_alloc(psc__eval_t *e, const psc__ctx_t *x) {
  memset(e, 0, sizeof(*e));
  size_t nt = x->pk->ntubes, ns = (size_t)x->ncomm * 2 * PSC__NEAR_SITES;
  e->site = psc__malloc(nt, 4);
  e->lab = psc__malloc(nt, 4);
  e->run = psc__malloc(nt, 4);
  e->session = psc__malloc(nt, 4);
  e->first_swab = psc__malloc(nt, 8);
  e->sealed = psc__malloc(nt, 8);
  e->departed = psc__malloc(nt, 8);
  e->arrived = psc__malloc(nt, 8);
  e->reported = psc__malloc(nt, 8);
  e->run_start = psc__malloc(nt, 8);
  e->ses_site = psc__malloc(ns, 4);
  e->ses_comm = psc__malloc(ns, 4);
  e->ses_residents = psc__malloc(ns, 4);
  e->ses_tubes = psc__malloc(ns, 4);
  e->ses_stream = psc__malloc(ns, 1);
  e->ses_start = psc__malloc(ns, 8);
  e->ses_end = psc__malloc(ns, 8);
  e->ses_tube_first = psc__malloc(ns + 1, 4);
  e->ses_tube_list = psc__malloc(nt, 4);
  e->comm = psc__calloc(x->ncomm, sizeof(psc_verdict_t));
  e->street = psc__calloc(x->nstreets, sizeof(psc_verdict_t));
  /* runs are far fewer than tubes (a plate holds tens to hundreds): the run
   * arrays start small and grow as runs are formed (psc__runs_room) */
  e->runs_cap = nt / 64 + 64;
  e->run_lab = psc__malloc(e->runs_cap, 4);
  e->run_instrument = psc__malloc(e->runs_cap, 4);
  e->run_tubes = psc__malloc(e->runs_cap, 4);
  e->run_begin = psc__malloc(e->runs_cap, 8);
  e->run_end = psc__malloc(e->runs_cap, 8);
  if (!e->site || !e->lab || !e->run || !e->session || !e->first_swab || !e->sealed ||
      !e->departed || !e->arrived || !e->reported || !e->run_start || !e->ses_site ||
      !e->ses_comm || !e->ses_residents || !e->ses_tubes || !e->ses_stream || !e->ses_start ||
      !e->ses_end || !e->ses_tube_first || !e->ses_tube_list || !e->comm || !e->street ||
      !e->run_lab || !e->run_instrument || !e->run_tubes || !e->run_begin || !e->run_end) {
    psc__eval_free(e);
    return PSC_ENOMEM;
  }
  return 0;
}

int psc__evaluate(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e) {
  int rc = psc__sample(x, v, e);
  if (!rc)
    rc = psc__transport_and_labs(x, v, e);
  if (!rc)
    psc__verdicts(x, e);
  return rc;
}

/* Is evaluation a better than b? Lexicographic: key communities missed,
 * then streets, then the district; then total lateness, earliest district
 * completion, fewest aged swabs. */
int psc__better(const psc__eval_t *a, const psc__eval_t *b) {
  if (a->missed_key != b->missed_key)
    return a->missed_key < b->missed_key;
  if (a->missed_street != b->missed_street)
    return a->missed_street < b->missed_street;
  if (a->district.met != b->district.met)
    return a->district.met > b->district.met;
  if (fabs(a->lateness - b->lateness) > 1e-6)
    return a->lateness < b->lateness;
  if (fabs(a->district.complete - b->district.complete) > 1e-6)
    return a->district.complete < b->district.complete;
  return a->aged < b->aged;
}

/* Water-filling: the time T at which labs ls[0..n) (free from busy[l], at
 * rate[l] tubes a minute) have together done `tubes` more; each lab used is
 * then busy until T. */
static double fill_labs(const uint32_t *ls, uint32_t n, double *busy, const double *rate,
                        double tubes) {
  double T = INFINITY;
  if (!n || tubes <= 0)
    return 0;
  /* raise the level through the labs' free times in increasing order */
  double level = INFINITY, r = 0, left = tubes;
  for (;;) {
    double next = INFINITY;
    for (uint32_t j = 0; j < n; j++)
      if (busy[ls[j]] > (isfinite(level) ? level : -INFINITY) && busy[ls[j]] < next)
        next = busy[ls[j]];
    if (!isfinite(level)) {
      level = next;
      for (uint32_t j = 0; j < n; j++)
        if (busy[ls[j]] <= level)
          r += rate[ls[j]];
      continue;
    }
    if (r > 0 && (!isfinite(next) || r * (next - level) >= left)) {
      T = level + left / r;
      break;
    }
    left -= r * (next - level);
    level = next;
    for (uint32_t j = 0; j < n; j++)
      if (busy[ls[j]] == next)
        r += rate[ls[j]];
  }
  for (uint32_t j = 0; j < n; j++)
    busy[ls[j]] = fmax(busy[ls[j]], T);
  return T;
}

/* First guess of the waves: in wave order (key communities first) each
 * street's tubes fill the labs its sites send to, as a fluid, from when
 * each lab is free; a street opens as late as its deadline allows given
 * that (key streets at T0, when their key communities start). Labs serve
 * their own region, so distant streets open in parallel. */
static int initial_openings(const psc__ctx_t *x, const psc__variant_t *v, const uint32_t *order,
                            double margin, const psc__sampling_curve_t *curve, double *open,
                            double *rates) {
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  double tail = par->report_minutes, first = par->batch_minutes + par->handover_minutes;
  for (uint32_t l = 0; l < x->nlabs; l++)
    tail = fmax(tail, lb->run_minutes[l] + par->report_minutes);
  psc__lab_rates(x, v, rates);
  const double street_min = par->deadline_street_h * 60.0;
  double *busy = psc__malloc(x->nlabs + 1, 8), *tubes = calloc(2 * (size_t)x->nstreets + 2, 8);
  int rc = !busy || !tubes ? PSC_ENOMEM : 0;
  if (!rc) {
    const uint32_t *sl = x->street_lab, *f = x->street_lab_first;
    for (uint32_t l = 0; l < x->nlabs; l++)
      busy[l] = first;
    for (uint32_t c = 0; c < x->ncomm; c++)
      tubes[2 * cm->street[c] + !cm->key[c]] += x->comm_tubes[c];
    for (uint32_t k = 0; k < x->nstreets; k++) /* key tubes first, everywhere */
      fill_labs(sl + f[k], f[k + 1] - f[k], busy, rates, tubes[2 * k]);
    for (uint32_t w = 0; w < x->nstreets; w++) {
      uint32_t k = order[w];
      double done = fill_labs(sl + f[k], f[k + 1] - f[k], busy, rates, tubes[2 * k + 1]) + tail;
      open[k] = tubes[2 * k] > 0 || !isfinite(done)
                    ? 0
                    : fmax(0, done - street_min + margin);
      if (curve && !(tubes[2 * k] > 0)) /* sampling, a batch, a run and the report in time */
        open[k] = psc__feasible_opening(curve, k, open[k], street_min - margin - first - tail);
    }
  }
  free(busy);
  free(tubes);
  return rc;
}

/* Keeps the evaluation in *trial as the best: the buffers swap (no copy)
 * and its openings become the best openings. */
void psc__keep_trial(const psc__ctx_t *x, psc__eval_t *best, psc__eval_t *trial, double *best_open,
                     const double *open) {
  psc__eval_t tmp = *best;
  *best = *trial;
  *trial = tmp;
  memcpy(best_open, open, x->nstreets * sizeof(double));
}

int psc__pace(const psc__ctx_t *x, psc__variant_t *v, double margin, int rounds,
              const psc__sampling_curve_t *curve, const uint8_t *pinned, psc__eval_t *best,
              psc__eval_t *trial, double *open_best, int *have, int *improved) {
  const psc_params_t *par = psc_scenario_params(x->s);
  double *open = (double *)v->street_open;
  const uint8_t *keyed = x->street_keyed;
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  double tail = par->batch_minutes + par->handover_minutes + par->report_minutes;
  for (uint32_t l = 0; l < x->nlabs; l++)
    tail = fmax(tail, par->batch_minutes + par->handover_minutes + par->report_minutes +
                          lb->run_minutes[l]);
  int rc = 0;
  for (int round = 0; round < rounds; round++) {
    if ((rc = psc__evaluate(x, v, trial)) != 0)
      break;
    const psc__eval_t *last = trial;
    if (!*have || psc__better(trial, best)) {
      psc__keep_trial(x, best, trial, open_best, open);
      *have = 1;
      *improved = 1;
      last = best;
    }
    /* each street opens as late as its own clock allows, given when the
     * labs finished it this round; but the street that ends the round, when
     * its own sampling decides that (its last swab is within a run and a few
     * hours of its last result), opens an hour earlier: its sampling, not
     * the labs, is what is late */
    double moved = 0;
    for (uint32_t st = 0; st < x->nstreets; st++) {
      const psc_verdict_t *sv = &last->street[st];
      if (keyed[st] || (pinned && pinned[st]) || !sv->tubes || !isfinite(sv->complete))
        continue;
      double want = fmax(0, sv->complete - par->deadline_street_h * 60.0 + margin);
      if (sv->complete >= last->district.complete - 1e-6 &&
          sv->complete - sv->sampling_end < tail + 180.0)
        want = fmax(0, fmin(want, open[st] - 60.0));
      else if (curve) /* its sampling and `tail` within its deadline less the margin */
        want = psc__feasible_opening(curve, st, want,
                                     par->deadline_street_h * 60.0 - margin - tail);
      moved = fmax(moved, fabs(want - open[st]));
      open[st] = want;
    }
    if (moved < 1.0)
      break;
  }
  return rc;
}

static void fill_views(psc_plan_t *p) {
  psc__eval_t *e = &p->e;
  psc_tubes_t *t = &p->tubes;
  t->count = p->pk.ntubes;
  t->community = p->pk.tube_comm;
  t->stream = p->pk.tube_stream;
  t->swabs = p->pk.tube_swabs;
  t->site = e->site;
  t->lab = e->lab;
  t->run = e->run;
  t->first_swab = e->first_swab;
  t->sealed = e->sealed;
  t->departed = e->departed;
  t->arrived = e->arrived;
  t->reported = e->reported;
  p->runs = (psc_runs_t){e->nruns, e->run_lab, e->run_instrument, e->run_tubes, e->run_begin,
                         e->run_end};
  p->sessions = (psc_sessions_t){e->nsessions, e->ses_site,     e->ses_comm, e->ses_residents,
                                 e->ses_tubes, e->ses_stream,   e->ses_start, e->ses_end};
}

/* The margins (hours after the latest opening a street's deadline allows)
 * and run-hold factors the planner tries; each point is paced over rounds
 * by the labs' progress in the round before (a fixed point of the waves).
 * With `spill` the pacing also moves a street past openings from which its
 * walk-in sampling would run on into the night (openings.c); without it a
 * street may open late in the day and the local search decides. A plan
 * over 300 000 tubes tries one point, with the spill rule and a margin of
 * LARGE_MARGIN_H: four pacing rounds over a city's hundreds of streets
 * leave each street's completion only roughly where the last round put it,
 * and the larger margin absorbs that (docs/plan.md). Measured: the spill
 * rule takes a 25.7 M city from 57 to 165 of 257 streets met (three pacing
 * rounds), and the point without it keeps the default scenario's district
 * where it was; a margin of 3.5 h instead of 0.5 h takes the 25.7 M city
 * from 194 to 243 of 257 streets met (four rounds). */
static const struct {
  double hours;
  int spill; /* pacing skips openings whose sampling would spill into the night */
} MARGINS[] = {{0.5, 1}, {2.0, 0}};
static const double HOLDS[] = {1.0};
#define NMARGINS (sizeof(MARGINS) / sizeof(MARGINS[0]))
#define NHOLDS (sizeof(HOLDS) / sizeof(HOLDS[0]))
#define PACING_ROUNDS 6
/* Above 300 000 tubes: one point, no local search, and fewer rounds (each
 * is a whole plan). On the 25.7 M city, 1 to 6 rounds leave 220, 152, 92,
 * 63, 47, 39 street deadlines missed at about 0.65 s a round; four keep the
 * plan with its advice within 6 s (docs/performance.md). */
#define PACING_ROUNDS_LARGE 4
#define LARGE_MARGIN_H 3.5

/* One wave order's search: paced over the grid of margins and holds, then
 * searched locally, the night fed and the end aligned (refine.c). Its best
 * into c->eval (openings c->open_best). With `partner`, a paced plan that
 * misses a deadline also has a partner at T0 tried (refine.c), as a task
 * beside the rest of the chain: into c->partner, ready once the enclosing
 * parallel region (psc__search's) has ended. */
typedef struct {
  psc__eval_t *eval, *trial;
  double *open_best, *open, *rates;
  const psc__sampling_curve_t *curve; /* the search's, under its base resources */
  psc__variant_t v;
  double margin;
  int have, rc;
  psc__partner_t partner;
} chain_t;

static int search_order(const psc_plan_t *p, const psc__variant_t *base, const uint32_t *order,
                        int first_only, int partner, chain_t *c) {
  const psc__ctx_t *x = &p->x;
  const psc_plan_options_t *o = &p->opts;
  const int eager = psc_scenario_params(p->s)->run_start_eager;
  uint32_t nt = p->pk.ntubes;
  /* larger plans try fewer points: each is a whole plan per round */
  size_t nm = nt <= 300000 ? NMARGINS : 1, nh = eager ? 1 : nt <= 300000 ? NHOLDS : 1;
  int rounds = nt <= 300000 ? PACING_ROUNDS : PACING_ROUNDS_LARGE, rc = 0;
  if (first_only) /* the chain's first evaluation: its first guess */
    nm = nh = 1, rounds = 1;
  for (size_t i = 0; !rc && i < nm; i++) {
    for (size_t k = 0; !rc && k < nh; k++) {
      if ((o->margin_hours >= 0 && i) || (o->hold >= 0 && k))
        continue; /* a fixed margin or hold is one point of its axis */
      double margin = (o->margin_hours >= 0 ? o->margin_hours
                       : nt <= 300000     ? MARGINS[i].hours
                                          : LARGE_MARGIN_H) *
                      60.0;
      psc__variant_t v = *base;
      v.street_open = c->open;
      v.align_end = 0; /* a base from a plan (the advice) is searched afresh */
      v.hold = eager ? 0 : o->hold >= 0 ? o->hold : HOLDS[k];
      if ((rc = initial_openings(x, &v, order, margin, c->curve, c->open, c->rates)) != 0)
        break;
      int improved = 0;
      rc = psc__pace(x, &v, margin, rounds, MARGINS[i].spill ? c->curve : NULL, NULL, c->eval,
                     c->trial, c->open_best, &c->have, &improved);
      if (!rc && improved) {
        c->v = v;
        c->margin = margin;
      }
    }
  }
  c->partner.st = PSC__NONE;
  if (!rc && partner && c->have && c->eval->missed && !eager && nt <= 300000 && !first_only) {
    /* the partner's margin: the larger one searched, or the one given */
    double margin = (o->margin_hours >= 0 ? o->margin_hours : MARGINS[NMARGINS - 1].hours) * 60.0;
    psc__variant_t v = c->v;
    v.street_open = c->open_best;
    rc = psc__partner_prepare(x, &v, c->curve, margin, c->eval, c->open_best, &c->partner);
    psc__partner_t *t = &c->partner;
    if (!rc && t->st != PSC__NONE) {
#pragma omp task default(none) firstprivate(x, t)
      t->rc = psc__partner_run(x, t);
    }
  }
  if (!rc && c->have && o->margin_hours < 0 && nt <= 300000 && !first_only) {
    rc = psc__local_search(x, c->v, c->eval, c->open_best, c->trial, c->open);
    if (!rc)
      rc = psc__feed_the_night(x, c->v, c->curve, c->margin, c->eval, c->open_best, c->trial,
                               c->open);
    if (!rc && !eager)
      rc = psc__align_the_end(x, &c->v, c->eval, c->open_best, c->trial, c->open);
  }
  c->v.street_open = c->open_best;
  return rc;
}

int psc__search(const psc_plan_t *p, const psc__variant_t *base, int quick, psc__eval_t *best,
                double *best_open, psc__variant_t *best_v, double *best_margin,
                psc__eval_t *trial, int *order_won, uint32_t *partner) {
  const psc__ctx_t *x = &p->x;
  size_t ns = x->nstreets + 1;
  uint32_t nt = p->pk.ntubes;
  /* wave orders: ordinary streets largest first (the first guess's), and
   * smallest first (small streets can open with the key streets at T0 and
   * feed the labs while they start); a city searches the first only */
  size_t norders = nt <= 300000 && !quick ? 2 : 1;
  uint32_t *asc = psc__malloc(ns, 4);
  psc__sampling_curve_t curve = {0}; /* one for both orders: it depends on base only */
  int rc = !asc ? PSC_ENOMEM : psc__sampling_curve_init(&curve, x, base, 7 * 1440.0);
  uint32_t nk = 0; /* key streets lead either order */
  for (uint32_t k = 0; k < x->nstreets; k++)
    nk += x->street_keyed[x->street_order[k]];
  for (uint32_t k = 0; !rc && k < x->nstreets; k++)
    asc[k] = k < nk ? x->street_order[k] : x->street_order[x->nstreets - 1 - (k - nk)];
  const uint32_t *orders[2] = {x->street_order, asc};
  if (quick && p->order_won) /* quick: the order the plan itself chose */
    orders[0] = asc;
  /* the orders are searched side by side, each in its own buffers (the
   * first in the caller's), with their partners (below) */
  psc__eval_t bufs[2];
  memset(bufs, 0, sizeof bufs);
  chain_t ch[2];
  memset(ch, 0, sizeof ch);
  ch[0].curve = ch[1].curve = &curve;
  ch[0].eval = best;
  ch[0].trial = trial;
  ch[0].open_best = best_open;
  for (size_t w = 0; !rc && w < norders; w++) {
    if (w) {
      ch[w].eval = &bufs[0];
      ch[w].trial = &bufs[1];
      ch[w].open_best = psc__malloc(ns, 8);
      if (!ch[w].open_best || psc__eval_alloc(&bufs[0], x) || psc__eval_alloc(&bufs[1], x))
        rc = PSC_ENOMEM;
    }
    ch[w].open = psc__malloc(ns, 8);
    ch[w].rates = psc__malloc(x->nlabs + 1, 8);
    if (!ch[w].open || !ch[w].rates)
      rc = PSC_ENOMEM;
  }
  for (size_t w = 0; w < 2; w++)
    ch[w].partner.st = PSC__NONE;
  if (!rc) {
    /* each order a task, and each partner one (search_order); a thread
     * that has finished its order takes a waiting partner. The region's
     * barrier waits for them all */
    const int64_t n = (int64_t)norders;
    const int part = !quick;
#pragma omp parallel num_threads(2) if (n > 1 && omp_get_max_threads() > 1)
#pragma omp single
    for (int64_t w = 0; w < n; w++) {
#pragma omp task default(shared) firstprivate(w)
      ch[w].rc = search_order(p, base, orders[w], quick == 2, part, &ch[w]);
    }
    for (size_t w = 0; w < norders && !rc; w++)
      rc = ch[w].rc ? ch[w].rc : ch[w].partner.st != PSC__NONE ? ch[w].partner.rc : 0;
  }
  if (!rc) {
    /* the best of the chains and their partners, in that order (the first
     * on a tie): the result does not depend on the threads */
    const psc__eval_t *top = NULL;
    int win = -1, by_partner = 0;
    for (int k = 0; k < 2 * (int)norders; k++) {
      int w = k % (int)norders, pk = k >= (int)norders;
      const psc__eval_t *e = pk ? &ch[w].partner.best : ch[w].eval;
      int have = pk ? ch[w].partner.st != PSC__NONE && ch[w].partner.have : ch[w].have;
      if (have && (!top || psc__better(e, top)))
        top = e, win = w, by_partner = pk;
    }
    if (win < 0)
      win = 0;
    psc__eval_t *src = by_partner ? &ch[win].partner.best : ch[win].eval;
    if (src != best) {
      psc__eval_t tmp = *best;
      *best = *src;
      *src = tmp;
      memcpy(best_open, by_partner ? ch[win].partner.open_best : ch[win].open_best,
             x->nstreets * sizeof(double));
    }
    *best_v = by_partner ? ch[win].partner.v : ch[win].v;
    *best_margin = by_partner ? ch[win].partner.margin : ch[win].margin;
    if (order_won)
      *order_won = quick ? p->order_won : win;
    if (partner)
      *partner = by_partner ? ch[win].partner.st : PSC__NONE;
    best_v->street_open = best_open;
  }
  for (size_t w = 0; w < 2; w++) {
    psc__partner_free(&ch[w].partner);
    free(ch[w].open);
    free(ch[w].rates);
    if (w)
      free(ch[w].open_best);
    psc__eval_free(&bufs[w]);
  }
  free(asc);
  psc__sampling_curve_free(&curve);
  return rc;
}

typedef struct {
  double at;
  uint32_t st;
} opening_t;

static int cmp_opening(const void *a, const void *b) {
  const opening_t *x = a, *y = b;
  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return (x->st > y->st) - (x->st < y->st);
}

/* The waves as planned: streets by their first swab (key streets, open at
 * T0, first), ties in the first guess's order. */
static int wave_order(psc_plan_t *p) {
  const psc__ctx_t *x = &p->x;
  opening_t *o = psc__malloc(x->nstreets + 1, sizeof(opening_t));
  uint32_t *rank = psc__malloc(x->nstreets + 1, 4);
  p->wave_order = psc__malloc(x->nstreets + 1, 4);
  if (!o || !rank || !p->wave_order) {
    free(o);
    free(rank);
    return PSC_ENOMEM;
  }
  for (uint32_t k = 0; k < x->nstreets; k++)
    rank[x->street_order[k]] = k;
  for (uint32_t st = 0; st < x->nstreets; st++) {
    double first = p->e.street[st].sampling_start;
    o[st] = (opening_t){isfinite(first) ? first : INFINITY, rank[st]};
  }
  qsort(o, x->nstreets, sizeof *o, cmp_opening);
  for (uint32_t k = 0; k < x->nstreets; k++)
    p->wave_order[k] = x->street_order[o[k].st];
  free(o);
  free(rank);
  return 0;
}

int psc__plan_new(const psc_scenario_t *s, const psc_plan_options_t *o, psc_plan_t **out) {
  psc_plan_t *p = calloc(1, sizeof(*p));
  if (!p)
    return PSC_ENOMEM;
  p->opts = *o;
  p->partner = PSC__NONE;
  p->s = s;
  p->threads = o->threads > 0 ? o->threads : omp_get_max_threads();
  const psc_params_t *par = psc_scenario_params(s);
  p->date_code = 0;
  if (par->start && strlen(par->start) >= 10)
    p->date_code = ((par->start[2] - '0') * 10 + (par->start[3] - '0')) * 10000 +
                   ((par->start[5] - '0') * 10 + (par->start[6] - '0')) * 100 +
                   ((par->start[8] - '0') * 10 + (par->start[9] - '0'));
  *out = p;
  return 0;
}

int psc__plan_build(psc_plan_t *p) {
  const psc_scenario_t *s = p->s;
  const psc_plan_options_t o = p->opts;
  int saved = omp_get_max_threads();
  omp_set_num_threads(p->threads);
  psc__eval_t trial;
  memset(&trial, 0, sizeof(trial));
  int rc = psc__pack(s, &p->pk), advising = 0;
  if (!rc)
    psc__stage_reach(p, PSC__STAGE_PACKED);
  if (!rc)
    rc = psc__ctx_init(&p->x, s, &p->pk);
  if (!rc)
    rc = psc__eval_alloc(&p->e, &p->x);
  if (!rc)
    rc = psc__eval_alloc(&trial, &p->x);
  if (!rc)
    rc = !(p->street_open = psc__calloc(p->x.nstreets + 1, 8)) ? PSC_ENOMEM : 0;
  if (!rc) {
    psc__variant_t none = {0};
    rc = psc__search(p, &none, 0, &p->e, p->street_open, &p->v, &p->margin_min, &trial,
                     &p->order_won, &p->partner);
  }
  if (!rc)
    rc = wave_order(p);
  if (rc)
    goto fail;
  if ((rc = psc__bounds(&p->x, &p->v, &p->e)) != 0)
    goto fail;
  snprintf(p->advice.what, sizeof p->advice.what, "every deadline is met");
  p->advice.found = 1;
  p->advice.missed_before = p->advice.missed_after = p->e.missed;
  p->advice.district_before = p->advice.district_after = p->e.district.complete;
  /* a background advice starts as soon as the plan and its bounds are made
   * (it reads nothing else); the views, utilisation and identity are
   * computed beside it */
  if (p->e.missed && o.advise) {
    advising = o.background_advice && p->stages;
    rc = advising ? psc__advice_start(p, &trial) : psc__advise(p, &trial);
  }
  if (rc)
    goto fail;
  fill_views(p);
  psc__utilisation(p, &p->util);
  p->lower_bound = p->e.district.bound;
  p->identity = psc__plan_identity(p);
  psc__eval_free(&trial);
  omp_set_num_threads(saved);
  psc__stage_reach(p, PSC__STAGE_PLANNED);
  if (!advising)
    psc__stage_reach(p, PSC__STAGE_ADVISED);
  return 0;
fail:
  omp_set_num_threads(saved);
  psc__eval_free(&trial);
  return rc;
}

int psc_plan_create(const psc_scenario_t *s, const psc_plan_options_t *opt, psc_plan_t **out) {
  if (!s || !out)
    return PSC_EINVAL;
  *out = NULL;
  psc_plan_options_t o = opt ? *opt : psc_plan_options_default();
  psc_plan_t *p = NULL;
  int rc = psc__plan_new(s, &o, &p);
  if (!rc && o.background_advice && o.advise)
    rc = psc__stages_init(p);
  if (!rc)
    rc = psc__plan_build(p);
  if (rc) {
    psc_plan_free(p);
    return rc;
  }
  *out = p;
  return 0;
}

void psc_plan_free(psc_plan_t *p) {
  if (!p)
    return;
  psc__stages_end(p);
  psc__eval_free(&p->e);
  free(p->street_open);
  free(p->wave_order);
  psc__ctx_free(&p->x);
  psc__pack_free(&p->pk);
  free(p);
}

const psc_scenario_t *psc_plan_scenario(const psc_plan_t *p) { return p->s; }
const psc_tubes_t *psc_plan_tubes(const psc_plan_t *p) { return &p->tubes; }
const psc_runs_t *psc_plan_runs(const psc_plan_t *p) { return &p->runs; }
const psc_sessions_t *psc_plan_sessions(const psc_plan_t *p) { return &p->sessions; }
const psc_verdict_t *psc_plan_community(const psc_plan_t *p, uint32_t c) { return &p->e.comm[c]; }
const psc_verdict_t *psc_plan_street(const psc_plan_t *p, uint32_t st) { return &p->e.street[st]; }
const psc_verdict_t *psc_plan_district(const psc_plan_t *p) { return &p->e.district; }
const uint32_t *psc_plan_street_order(const psc_plan_t *p) { return p->wave_order; }
const psc_utilisation_t *psc_plan_utilisation(const psc_plan_t *p) { return &p->util; }
double psc_plan_lower_bound(const psc_plan_t *p) { return p->lower_bound; }
double psc_plan_margin_hours(const psc_plan_t *p) { return p->margin_min / 60.0; }
double psc_plan_hold(const psc_plan_t *p) { return p->v.hold; }
double psc_plan_align_end(const psc_plan_t *p) { return p->v.align_end; }
uint32_t psc_plan_partner(const psc_plan_t *p) { return p->partner; }
double psc_plan_street_open(const psc_plan_t *p, uint32_t st) { return p->street_open[st]; }
uint32_t psc_plan_aged_tubes(const psc_plan_t *p) { return p->e.aged; }
const psc_advice_t *psc_plan_advice(const psc_plan_t *p) {
  psc_plan_advice_wait(p);
  return &p->advice;
}
const uint32_t *psc_plan_session_tube_list(const psc_plan_t *p) { return p->e.ses_tube_list; }
uint32_t psc_plan_session_first(const psc_plan_t *p, uint32_t k) { return p->e.ses_tube_first[k]; }

uint32_t psc_plan_resident_tube(const psc_plan_t *p, uint32_t i) { return p->pk.res_tube[i]; }
uint32_t psc_plan_resident_tube2(const psc_plan_t *p, uint32_t i) { return p->pk.res_tube2[i]; }
int psc_plan_resident_exception(const psc_plan_t *p, uint32_t i) { return p->pk.res_exception[i]; }

uint32_t psc_plan_tube_members(const psc_plan_t *p, uint32_t t, uint32_t *out, uint32_t max) {
  uint32_t n = p->pk.tube_swabs[t], first = p->pk.member_first[t];
  for (uint32_t j = 0; j < n && j < max; j++)
    out[j] = p->pk.members[first + j];
  return n;
}
