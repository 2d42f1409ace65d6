/* The cheapest fix: when the plan misses a deadline, the least costly set of
 * added resources (by the scenario's [costs]) with which the planner meets
 * every deadline, verified by planning with it.
 *
 * Three phases (docs/plan.md, "The cheapest fix"):
 * 1. bounds: while some unit's lower bound is past its deadline no schedule
 *    can meet it, so additions are chosen by how much they lower the
 *    overshoot of the bounds per unit of cost, then each is dropped again,
 *    dearest first, when the bounds stay within the deadlines without it
 *    (cheap: no planning);
 * 2. plans: while the plan with the additions still misses, the candidate
 *    that lowers the district's bound most per unit of cost is added and
 *    the plan redone;
 * 3. prune: each addition, dearest first, is dropped when the plan still
 *    meets every deadline without it.
 * Every plan here is one chain of the planner's search (psc__search, quick:
 * the wave order the plan chose, its margins, pacing and local search). The
 * whole search a user runs with the same additions computes that very chain
 * and keeps it unless its other chain is better, so a set verified here
 * meets every deadline in the user's plan too, with a district at least as
 * early. Sets are planned once (a memo); a small scenario plans the next set
 * a miss (phase 2) or a failed drop (phase 3) would lead to beside the
 * current one, on the second core — the plans, and so the answer and the
 * count of plans, are the same on one thread. */
#include "plan/plan_internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A candidate: one more of `kind` at `index`. */
typedef struct {
  psc_addition_kind_t kind;
  uint32_t index;
  double cost;
  int kept; /* phase 1: found needed by the bounds */
} cand_t;

/* A set of additions: per lab, per site. */
typedef struct {
  uint16_t *inst, *lab_hours; /* per lab: more instruments, hours a day */
  uint16_t *booth, *site_hours; /* per site: more booths (teams), hours a day */
} adds_t;

/* A set already planned and what its plan gave. */
typedef struct {
  adds_t a;
  uint32_t missed;
  double district;
} memo_t;

/* Working memory of one plan with additions (two run side by side in a
 * small scenario). */
typedef struct {
  adds_t a;
  psc__hours_t *lh, *sh; /* opening hours with the additions */
  double *open, *open_best;
  psc__eval_t best, own_trial, *trial;
  psc__eval_t *out; /* the plan: &best, or trial for a first guess */
  int rc;
} job_t;

/* A thread's working memory to weigh candidates by their bounds: the
 * additions, the verdicts psc__bounds_of reads and writes, hours. */
typedef struct {
  adds_t a;
  psc__eval_t e;
  psc__hours_t *lh, *sh;
  double *open;
} gauge_t;

/* The candidates weighed in one step (idx, scope, before filled by the
 * caller; after, dbound by weigh), and a gauge per thread: allocated once
 * per advice. */
typedef struct {
  uint32_t *idx;
  int64_t *scope;
  double *before, *after, *dbound;
  gauge_t *g;
  int ng;
} scale_t;

typedef struct {
  psc_plan_t *p;
  psc__eval_t *trial; /* the caller's: scratch for the bounds */
  scale_t sc;
  adds_t cur;         /* the additions being weighed */
  job_t job[2];
  uint32_t njobs;
  memo_t *memo; /* every set planned */
  uint32_t nmemo, memo_cap;
  cand_t *cand;
  uint32_t ncand;
  uint32_t plans, max_plans;
  int quick; /* psc__search's: 1 a chain, 2 a chain's first evaluation */
} fix_t;

static int all_day(const psc__hours_t *h) { return h->open == 0 && h->close == 1440; }

/* Hours h opened one more hour each day: an hour earlier, up to round the
 * clock. */
static psc__hours_t longer(psc__hours_t h, uint32_t hours) {
  int32_t span = h.close > h.open ? h.close - h.open : 1440 - h.open + h.close;
  if (span + 60 * (int32_t)hours >= 1440)
    return psc__hours(0, 1440, h.t0_clock);
  int32_t open = ((h.open - 60 * (int32_t)hours) % 1440 + 1440) % 1440;
  return psc__hours(open, h.close, h.t0_clock);
}

static int adds_alloc(adds_t *a, const psc__ctx_t *x) {
  a->inst = calloc(x->nlabs + 1, 2);
  a->lab_hours = calloc(x->nlabs + 1, 2);
  a->booth = calloc(x->nsites + 1, 2);
  a->site_hours = calloc(x->nsites + 1, 2);
  return !a->inst || !a->lab_hours || !a->booth || !a->site_hours ? PSC_ENOMEM : 0;
}

static void adds_free(adds_t *a) {
  free(a->inst);
  free(a->lab_hours);
  free(a->booth);
  free(a->site_hours);
}

static void adds_copy(adds_t *to, const adds_t *from, const psc__ctx_t *x) {
  memcpy(to->inst, from->inst, x->nlabs * 2ull);
  memcpy(to->lab_hours, from->lab_hours, x->nlabs * 2ull);
  memcpy(to->booth, from->booth, x->nsites * 2ull);
  memcpy(to->site_hours, from->site_hours, x->nsites * 2ull);
}

static int adds_equal(const adds_t *a, const adds_t *b, const psc__ctx_t *x) {
  return !memcmp(a->inst, b->inst, x->nlabs * 2ull) &&
         !memcmp(a->lab_hours, b->lab_hours, x->nlabs * 2ull) &&
         !memcmp(a->booth, b->booth, x->nsites * 2ull) &&
         !memcmp(a->site_hours, b->site_hours, x->nsites * 2ull);
}

/* The plan's variant with additions a (hours into lh, sh; openings into
 * open). */
static void apply(const fix_t *F, const adds_t *a, psc__hours_t *lh, psc__hours_t *sh,
                  double *open, psc__variant_t *v) {
  const psc__ctx_t *x = &F->p->x;
  for (uint32_t l = 0; l < x->nlabs; l++)
    lh[l] = a->lab_hours[l] ? longer(x->lab_hours[l], a->lab_hours[l]) : x->lab_hours[l];
  for (uint32_t i = 0; i < x->nsites; i++)
    sh[i] = a->site_hours[i] ? longer(x->site_hours[i], a->site_hours[i]) : x->site_hours[i];
  *v = F->p->v;
  v->add_inst = a->inst;
  v->add_booth = a->booth;
  v->lab_hours = lh;
  v->site_hours = sh;
  v->street_open = open;
}

/* How many of candidate c's kind additions a hold at its place. */
static uint32_t added(const adds_t *a, const cand_t *c) {
  switch (c->kind) {
  case PSC_ADD_INSTRUMENT: return a->inst[c->index];
  case PSC_ADD_LAB_HOUR: return a->lab_hours[c->index];
  case PSC_ADD_SITE_HOUR: return a->site_hours[c->index];
  default: return a->booth[c->index];
  }
}

static void change(adds_t *a, const cand_t *c, int d) {
  switch (c->kind) {
  case PSC_ADD_INSTRUMENT: a->inst[c->index] = (uint16_t)(a->inst[c->index] + d); break;
  case PSC_ADD_BOOTH:
  case PSC_ADD_TEAM: a->booth[c->index] = (uint16_t)(a->booth[c->index] + d); break;
  case PSC_ADD_LAB_HOUR: a->lab_hours[c->index] = (uint16_t)(a->lab_hours[c->index] + d); break;
  case PSC_ADD_SITE_HOUR: a->site_hours[c->index] = (uint16_t)(a->site_hours[c->index] + d); break;
  }
}

static const memo_t *memo_find(const fix_t *F, const adds_t *a) {
  for (uint32_t k = 0; k < F->nmemo; k++)
    if (adds_equal(&F->memo[k].a, a, &F->p->x))
      return &F->memo[k];
  return NULL;
}

/* Plans one set in job j: the planner's search along the wave order the
 * plan chose (one of the whole search's two chains, or the only one above
 * 300 000 tubes), or above a million tubes that chain's first evaluation.
 * The whole search with these additions computes it and keeps the best it
 * meets, so it does at least as well: a set this plan verifies meets every
 * deadline in the plan a user gets with it too. */
static void plan_job(const fix_t *F, job_t *j) {
  psc__variant_t v, out;
  double margin;
  apply(F, &j->a, j->lh, j->sh, j->open, &v);
  j->out = F->quick == 2 ? j->trial : &j->best;
  j->rc = psc__search(F->p, &v, F->quick, j->out, j->open_best, &out, &margin, j->trial, NULL,
                      NULL);
}

/* The plans of sets[0..n) (n <= 2), from the memo where planned before;
 * two new ones side by side when the scenario is small. */
static int plan_sets(fix_t *F, const adds_t *const *sets, uint32_t n, const memo_t **out) {
  const psc__ctx_t *x = &F->p->x;
  uint32_t todo[2], nt = 0;
  for (uint32_t k = 0; k < n; k++)
    if (!memo_find(F, sets[k]) && (!nt || !adds_equal(sets[k], sets[todo[0]], x)))
      todo[nt++] = k;
  while (nt) {
    uint32_t batch = nt < F->njobs ? nt : F->njobs;
    for (uint32_t k = 0; k < batch; k++)
      adds_copy(&F->job[k].a, sets[todo[k]], x);
    const int64_t nb = batch;
#pragma omp parallel for schedule(static, 1) num_threads(2) if (nb > 1)
    for (int64_t k = 0; k < nb; k++)
      plan_job(F, &F->job[k]);
    for (uint32_t k = 0; k < batch; k++) {
      if (F->job[k].rc)
        return F->job[k].rc;
      F->plans++;
      if (F->nmemo == F->memo_cap) {
        uint32_t cap = F->memo_cap ? 2 * F->memo_cap : 16;
        memo_t *g = realloc(F->memo, cap * sizeof(memo_t));
        if (!g)
          return PSC_ENOMEM;
        F->memo = g;
        F->memo_cap = cap;
      }
      memo_t *m = &F->memo[F->nmemo];
      memset(m, 0, sizeof *m);
      if (adds_alloc(&m->a, x)) {
        adds_free(&m->a);
        return PSC_ENOMEM;
      }
      F->nmemo++;
      adds_copy(&m->a, sets[todo[k]], x);
      m->missed = F->job[k].out->missed;
      m->district = F->job[k].out->district.complete;
    }
    if (batch < nt)
      todo[0] = todo[1];
    nt -= batch;
  }
  for (uint32_t k = 0; k < n; k++)
    out[k] = memo_find(F, sets[k]);
  return 0;
}

/* How far the bounds are from the deadlines with additions a, over one
 * scope (PSC__BOUND_ALL, PSC__BOUND_DISTRICT or a street): units that
 * cannot be met, then the district's overshoot (minutes). The district's
 * bound is left in F->trial->district.bound. */
static int overshoot_in(const fix_t *F, const adds_t *a, int64_t scope, double *score,
                        psc__eval_t *e, psc__hours_t *lh, psc__hours_t *sh, double *open) {
  const psc_plan_t *p = F->p;
  memcpy(e->comm, p->e.comm, p->x.ncomm * sizeof(psc_verdict_t));
  memcpy(e->street, p->e.street, p->x.nstreets * sizeof(psc_verdict_t));
  e->district = p->e.district;
  psc__variant_t v;
  apply(F, a, lh, sh, open, &v);
  int rc = psc__bounds_of(&p->x, &v, e, scope);
  if (rc)
    return rc;
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  double n = 0;
  if (scope != PSC__BOUND_DISTRICT) {
    for (uint32_t c = 0; c < p->x.ncomm; c++)
      n += cm->key[c] && e->comm[c].infeasible &&
           (scope < 0 || cm->street[c] == (uint64_t)scope);
    for (uint32_t st = 0; st < p->x.nstreets; st++)
      n += e->street[st].infeasible && (scope < 0 || st == (uint64_t)scope);
  }
  *score = n * 1e6 + (scope < 0 ? fmax(0, e->district.bound - e->district.deadline) : 0);
  return 0;
}

static int overshoot(fix_t *F, const adds_t *a, int64_t scope, double *score) {
  job_t *j = &F->job[0]; /* its buffers are free between plans */
  return overshoot_in(F, a, scope, score, F->trial, j->lh, j->sh, j->open);
}

static void gauge_free(gauge_t *g) {
  adds_free(&g->a);
  free(g->e.comm);
  free(g->e.street);
  free(g->lh);
  free(g->sh);
  free(g->open);
}

static void scale_free(scale_t *sc) {
  free(sc->idx);
  free(sc->scope);
  free(sc->before);
  free(sc->after);
  free(sc->dbound);
  for (int k = 0; sc->g && k < sc->ng; k++)
    gauge_free(&sc->g[k]);
  free(sc->g);
}

/* F->sc for F's candidates and the calling thread's team. */
static int scale_alloc(fix_t *F) {
  const psc__ctx_t *x = &F->p->x;
  scale_t *sc = &F->sc;
  size_t n = F->ncand + 1;
  sc->ng = omp_get_max_threads() > 1 ? omp_get_max_threads() : 1;
  sc->idx = malloc(n * sizeof(uint32_t));
  sc->scope = malloc(n * sizeof(int64_t));
  sc->before = malloc(n * sizeof(double));
  sc->after = malloc(n * sizeof(double));
  sc->dbound = malloc(n * sizeof(double));
  sc->g = calloc((size_t)sc->ng, sizeof(gauge_t));
  if (!sc->idx || !sc->scope || !sc->before || !sc->after || !sc->dbound || !sc->g)
    return PSC_ENOMEM;
  for (int k = 0; k < sc->ng; k++) {
    gauge_t *g = &sc->g[k];
    g->e.comm = psc__malloc(x->ncomm + 1, sizeof(psc_verdict_t));
    g->e.street = psc__malloc(x->nstreets + 1, sizeof(psc_verdict_t));
    g->lh = psc__malloc(x->nlabs + 1, sizeof(psc__hours_t));
    g->sh = psc__malloc(x->nsites + 1, sizeof(psc__hours_t));
    g->open = psc__malloc(x->nstreets + 1, 8);
    if (adds_alloc(&g->a, x) || !g->e.comm || !g->e.street || !g->lh || !g->sh || !g->open)
      return PSC_ENOMEM;
  }
  return 0;
}

/* Candidates F->sc.idx[0..n) each added once to a, weighed side by side:
 * the overshoot of scope[k] after into after[k], the district's bound after
 * into dbound[k] (meaningful for scopes < 0). The same numbers at any
 * thread count: each is one bound computation of its own. */
static int weigh(fix_t *F, const adds_t *a, uint32_t n) {
  scale_t *sc = &F->sc;
  int nt = (uint32_t)sc->ng > n ? (int)(n ? n : 1) : sc->ng, rc = 0;
  for (int k = 0; k < nt; k++)
    adds_copy(&sc->g[k].a, a, &F->p->x);
  const int64_t m = n;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (m > 1)
  for (int64_t k = 0; k < m; k++) {
    gauge_t *w = &sc->g[omp_get_thread_num()];
    const cand_t *c = &F->cand[sc->idx[k]];
    change(&w->a, c, +1);
    int r = overshoot_in(F, &w->a, sc->scope[k], &sc->after[k], &w->e, w->lh, w->sh, w->open);
    sc->dbound[k] = w->e.district.bound;
    change(&w->a, c, -1);
    if (r) {
#pragma omp atomic write
      rc = r;
    }
  }
  return rc;
}

/* What a candidate's bound-gain is judged on: a lab addition on every unit
 * in a small scenario and on the district in a large one (bounds for every
 * street of a city, per candidate, cost too much); a site addition on its
 * street. */
static int64_t scope_of(const fix_t *F, const cand_t *c) {
  if (c->kind == PSC_ADD_INSTRUMENT || c->kind == PSC_ADD_LAB_HOUR)
    return F->p->x.nstreets <= 64 ? PSC__BOUND_ALL : PSC__BOUND_DISTRICT;
  return psc_scenario_sites(F->p->s)->street[c->index];
}

/* Lab candidates weighed: all labs up to 32, else the busiest 32, or 8 in
 * a plan over a million tubes (each is weighed by a district bound, ~30 ms
 * there, in every step of phases 1 and 2). */
#define MAX_LAB_CANDIDATES 32
#define MAX_LAB_CANDIDATES_CITY 8

static int add_candidates(fix_t *F) {
  psc_plan_t *p = F->p;
  const psc__ctx_t *x = &p->x;
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  const psc_sites_t *st = psc_scenario_sites(p->s);
  const psc_params_t *par = psc_scenario_params(p->s);
  const psc_communities_t *cm = psc_scenario_communities(p->s);
  uint8_t *late = calloc(x->nstreets + 1, 1);
  F->cand = calloc(2 * (x->nlabs + x->nsites) + 1, sizeof(cand_t));
  if (!late || !F->cand) {
    free(late);
    return PSC_ENOMEM;
  }
  /* sites matter only in streets with a miss (a key community's or the
   * street's own) */
  for (uint32_t s2 = 0; s2 < x->nstreets; s2++)
    late[s2] = !p->e.street[s2].met;
  for (uint32_t c = 0; c < x->ncomm; c++)
    if (cm->key[c] && !p->e.comm[c].met)
      late[cm->street[c]] = 1;
  /* labs: all of them, or in a city the busiest ones (each candidate is
   * weighed by a bound computed for it) */
  double *busy = calloc(x->nlabs + 1, sizeof(double));
  if (!busy) {
    free(late);
    return PSC_ENOMEM;
  }
  for (uint32_t r = 0; r < p->e.nruns; r++)
    busy[p->e.run_lab[r]] += (p->e.run_end[r] - p->e.run_begin[r]) / lb->instruments[p->e.run_lab[r]];
  double cut = -1;
  uint32_t most = p->pk.ntubes > 1000000 ? MAX_LAB_CANDIDATES_CITY : MAX_LAB_CANDIDATES;
  if (x->nlabs > most) {
    double *sorted = malloc(x->nlabs * sizeof(double));
    if (!sorted) {
      free(busy);
      free(late);
      return PSC_ENOMEM;
    }
    memcpy(sorted, busy, x->nlabs * sizeof(double));
    for (uint32_t i = 0; i < most; i++) /* partial selection: the top ones */
      for (uint32_t j = i + 1; j < x->nlabs; j++)
        if (sorted[j] > sorted[i]) {
          double t = sorted[i];
          sorted[i] = sorted[j];
          sorted[j] = t;
        }
    cut = sorted[most - 1];
    free(sorted);
  }
  for (uint32_t l = 0; l < x->nlabs; l++) {
    if (busy[l] < cut)
      continue;
    F->cand[F->ncand++] = (cand_t){PSC_ADD_INSTRUMENT, l,
                                   lb->wells[l] > 96 ? par->cost_instrument_384 : par->cost_instrument_96, 0};
    if (!all_day(&x->lab_hours[l]))
      F->cand[F->ncand++] = (cand_t){PSC_ADD_LAB_HOUR, l, par->cost_lab_hour, 0};
  }
  for (uint32_t i = 0; i < x->nsites; i++) {
    if (!late[st->street[i]])
      continue;
    int team = st->kind[i] == PSC_SITE_DOOR_TO_DOOR;
    F->cand[F->ncand++] = (cand_t){team ? PSC_ADD_TEAM : PSC_ADD_BOOTH, i,
                                   team ? par->cost_team : par->cost_booth, 0};
    if (!all_day(&x->site_hours[i]))
      F->cand[F->ncand++] = (cand_t){PSC_ADD_SITE_HOUR, i, par->cost_site_hour, 0};
  }
  free(late);
  free(busy);
  return 0;
}

/* Phase 1: additions until no bound is past its deadline: the candidate
 * that lowers the bounds' overshoot most per unit of cost each time. */
static int by_bounds(fix_t *F, uint32_t *steps) {
  const psc__ctx_t *x = &F->p->x;
  const psc_communities_t *cm = psc_scenario_communities(F->p->s);
  const psc_sites_t *st = psc_scenario_sites(F->p->s);
  double now;
  /* per street: the overshoot of its scope (NAN: not yet computed this
   * round), and whether one of its units is infeasible (a site addition
   * gains nothing elsewhere: its scope is its street) */
  double *before = malloc((x->nstreets + 1) * sizeof(double));
  uint8_t *needy = malloc(x->nstreets + 1);
  scale_t *sc = &F->sc;
  if (!before || !needy) {
    free(before);
    free(needy);
    return PSC_ENOMEM;
  }
  int rc = overshoot(F, &F->cur, PSC__BOUND_ALL, &now);
  while (!rc && now > 1e-9 && *steps < 4 * PSC_ADVICE_MAX) {
    double best_gain = 0, lab_before = NAN;
    int32_t best = -1;
    for (uint32_t k = 0; k < x->nstreets; k++) {
      before[k] = NAN;
      needy[k] = F->trial->street[k].infeasible;
    }
    for (uint32_t c = 0; c < x->ncomm; c++)
      needy[cm->street[c]] |= cm->key[c] && F->trial->comm[c].infeasible;
    uint32_t nw = 0;
    for (uint32_t k = 0; k < F->ncand && !rc; k++) {
      const cand_t *c = &F->cand[k];
      if (c->kind == PSC_ADD_BOOTH || c->kind == PSC_ADD_SITE_HOUR)
        continue; /* walk-in sampling is rarely what a bound waits for: kept for phase 2 */
      double *b = &lab_before;
      if (c->kind == PSC_ADD_TEAM) {
        uint32_t s2 = st->street[c->index];
        if (!needy[s2])
          continue;
        b = &before[s2];
      }
      sc->scope[nw] = scope_of(F, c);
      if (isnan(*b)) {
        if (sc->scope[nw] == PSC__BOUND_ALL)
          *b = now;
        else if ((rc = overshoot(F, &F->cur, sc->scope[nw], b)) != 0)
          break;
      }
      sc->before[nw] = *b;
      sc->idx[nw++] = k;
    }
    if (!rc)
      rc = weigh(F, &F->cur, nw);
    for (uint32_t w = 0; w < nw && !rc; w++) {
      double gain = (sc->before[w] - sc->after[w]) / fmax(F->cand[sc->idx[w]].cost, 1e-9);
      if (gain > 1e-12 && gain > best_gain) {
        best_gain = gain;
        best = (int32_t)sc->idx[w];
      }
    }
    if (rc || best < 0)
      break;
    change(&F->cur, &F->cand[best], +1);
    (*steps)++;
    rc = overshoot(F, &F->cur, PSC__BOUND_ALL, &now);
  }
  free(before);
  free(needy);
  /* what a later, larger addition made unnecessary goes again: each kind,
   * dearest first, while the bounds stay within the deadlines without it */
  for (int done = rc || now > 1e-9; !done;) {
    done = 1;
    int32_t dear = -1;
    for (uint32_t k = 0; k < F->ncand; k++)
      if (added(&F->cur, &F->cand[k]) && !F->cand[k].kept &&
          (dear < 0 || F->cand[k].cost > F->cand[dear].cost))
        dear = (int32_t)k;
    if (dear < 0)
      break;
    change(&F->cur, &F->cand[dear], -1);
    if ((rc = overshoot(F, &F->cur, PSC__BOUND_ALL, &now)) != 0)
      break;
    if (now > 1e-9) {
      change(&F->cur, &F->cand[dear], +1);
      F->cand[dear].kept = 1;
    }
    done = 0;
  }
  return rc;
}

/* The addition phase 2 makes to additions a (-1: none): the lab candidate
 * that lowers the district's bound most per unit of cost, else the
 * cheapest site of a late street. Bounds only, so the sets phase 2 will
 * plan are known before their plans. */
static int next_addition(fix_t *F, adds_t *a, int32_t *out) {
  double before;
  int32_t best = -1, cheapest_site = -1;
  double best_gain = 0;
  int rc = overshoot(F, a, PSC__BOUND_DISTRICT, &before);
  double b0 = F->trial->district.bound;
  scale_t *sc = &F->sc;
  uint32_t nw = 0;
  for (uint32_t k = 0; k < F->ncand && !rc; k++) {
    const cand_t *c = &F->cand[k];
    if (c->kind != PSC_ADD_INSTRUMENT && c->kind != PSC_ADD_LAB_HOUR) {
      if (cheapest_site < 0 || c->cost < F->cand[cheapest_site].cost)
        cheapest_site = (int32_t)k;
      continue;
    }
    sc->scope[nw] = PSC__BOUND_DISTRICT;
    sc->idx[nw++] = k;
  }
  if (!rc)
    rc = weigh(F, a, nw);
  for (uint32_t w = 0; w < nw && !rc; w++) {
    double gain = (b0 - sc->dbound[w]) / fmax(F->cand[sc->idx[w]].cost, 1e-9);
    if (gain > 1e-12 && gain > best_gain) {
      best_gain = gain;
      best = (int32_t)sc->idx[w];
    }
  }
  *out = best >= 0 ? best : cheapest_site;
  return rc;
}

/* Phase 2: while the plan with the current additions misses, add what
 * next_addition says and plan again. In a small scenario the next set is
 * planned beside the current one (it is what a miss leads to). Ends with
 * the current set planned, or *budget = 1 when the plans ran out first;
 * the best set planned (fewest misses, then earliest district) into best. */
static int by_plans(fix_t *F, uint32_t *steps, adds_t *spec, adds_t *best, int *have_best) {
  const psc__ctx_t *x = &F->p->x;
  const memo_t *r[2];
  uint32_t top_missed = 0;
  double top_district = 0;
  int rc = 0;
  int32_t known = -2; /* next_addition of F->cur when already computed (-2: not) */
  for (;;) {
    const memo_t *m = memo_find(F, &F->cur); /* valid until the next plan_sets */
    if (m) {
      if (!*have_best || m->missed < top_missed ||
          (m->missed == top_missed && m->district < top_district)) {
        top_missed = m->missed;
        top_district = m->district;
        adds_copy(best, &F->cur, x);
        *have_best = 1;
      }
      int32_t c = known;
      if (!m->missed || *steps >= 4 * PSC_ADVICE_MAX ||
          (c == -2 && (rc = next_addition(F, &F->cur, &c)) != 0) || c < 0)
        break;
      change(&F->cur, &F->cand[c], +1);
      known = -2;
      (*steps)++;
      continue;
    }
    if (F->plans >= F->max_plans)
      break;
    const adds_t *sets[2] = {&F->cur, spec};
    uint32_t n = 1;
    int32_t c;
    if (F->njobs > 1 && F->plans + 1 < F->max_plans) {
      if ((rc = next_addition(F, &F->cur, &c)) != 0)
        break;
      known = c; /* the current set's next addition, should its plan miss */
      if (c >= 0) {
        adds_copy(spec, &F->cur, x);
        change(spec, &F->cand[c], +1);
        n = 2;
      }
    }
    if ((rc = plan_sets(F, sets, n, r)) != 0)
      break;
  }
  return rc;
}

/* Phase 3: drop additions, dearest first, while the plan still meets every
 * deadline without them; in a small scenario the next drop (should this
 * one fail) is planned beside it. */
static int prune(fix_t *F, adds_t *spec) {
  const psc__ctx_t *x = &F->p->x;
  int rc = 0;
  uint8_t *tried = calloc(F->ncand + 1, 1);
  if (!tried)
    return PSC_ENOMEM;
  for (;;) {
    int32_t dear[2] = {-1, -1};
    for (uint32_t k = 0; k < F->ncand; k++) {
      const cand_t *c = &F->cand[k];
      if (!added(&F->cur, c) || tried[k])
        continue;
      if (dear[0] < 0 || c->cost > F->cand[dear[0]].cost) {
        dear[1] = dear[0];
        dear[0] = (int32_t)k;
      } else if (dear[1] < 0 || c->cost > F->cand[dear[1]].cost) {
        dear[1] = (int32_t)k;
      }
    }
    if (dear[0] < 0)
      break;
    const adds_t *sets[2] = {&F->cur, spec};
    uint32_t n = 1;
    if (F->njobs > 1 && dear[1] >= 0) {
      adds_copy(spec, &F->cur, x);
      change(spec, &F->cand[dear[1]], -1);
      n = 2;
    }
    change(&F->cur, &F->cand[dear[0]], -1);
    const memo_t *r[2];
    if ((rc = plan_sets(F, sets, n, r)) != 0)
      break;
    if (r[0]->missed) {
      change(&F->cur, &F->cand[dear[0]], +1);
      tried[dear[0]] = 1;
    }
  }
  free(tried);
  return rc;
}

static void describe(const fix_t *F, const adds_t *set, psc_advice_t *a) {
  psc_plan_t *p = F->p;
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  const psc_sites_t *st = psc_scenario_sites(p->s);
  a->count = 0;
  a->cost = 0;
  size_t o = 0;
  a->what[0] = 0;
  for (uint32_t k = 0; k < F->ncand; k++) {
    const cand_t *c = &F->cand[k];
    uint32_t n = added(set, c);
    if (!n)
      continue;
    if (a->count < PSC_ADVICE_MAX)
      a->items[a->count++] = (psc_addition_t){c->kind, c->index, n, n * c->cost};
    a->cost += n * c->cost;
    char one[160];
    uint32_t l = c->index;
    switch (c->kind) {
    case PSC_ADD_INSTRUMENT:
      snprintf(one, sizeof one, "%u more instrument%s at lab %s (%u wells per %u-minute run)", n,
               n > 1 ? "s" : "", lb->id[l], lb->wells[l], lb->run_minutes[l]);
      break;
    case PSC_ADD_LAB_HOUR:
      snprintf(one, sizeof one, "lab %s open %u h longer a day", lb->id[l], n);
      break;
    case PSC_ADD_BOOTH:
      snprintf(one, sizeof one, "%u more booth%s at site %s", n, n > 1 ? "s" : "", st->id[l]);
      break;
    case PSC_ADD_TEAM:
      snprintf(one, sizeof one, "%u more door-to-door team%s at %s", n, n > 1 ? "s" : "", st->id[l]);
      break;
    case PSC_ADD_SITE_HOUR:
      snprintf(one, sizeof one, "site %s open %u h longer a day", st->id[l], n);
      break;
    }
    if (o < sizeof a->what)
      o += (size_t)snprintf(a->what + o, sizeof a->what - o, "%s%s", o ? ", " : "", one);
  }
}

static int job_alloc(job_t *j, const psc__ctx_t *x, psc__eval_t *trial, int quick) {
  j->lh = psc__malloc(x->nlabs + 1, sizeof(psc__hours_t));
  j->sh = psc__malloc(x->nsites + 1, sizeof(psc__hours_t));
  j->open = psc__malloc(x->nstreets + 1, 8);
  j->open_best = psc__malloc(x->nstreets + 1, 8);
  j->trial = trial ? trial : &j->own_trial;
  if (adds_alloc(&j->a, x) || !j->lh || !j->sh || !j->open || !j->open_best ||
      (quick != 2 && psc__eval_alloc(&j->best, x)) ||
      (!trial && psc__eval_alloc(&j->own_trial, x)))
    return PSC_ENOMEM;
  return 0;
}

static void job_free(job_t *j) {
  adds_free(&j->a);
  free(j->lh);
  free(j->sh);
  free(j->open);
  free(j->open_best);
  psc__eval_free(&j->best);
  psc__eval_free(&j->own_trial);
}

int psc__advise(psc_plan_t *p, psc__eval_t *trial) {
  const psc__ctx_t *x = &p->x;
  psc_advice_t *a = &p->advice;
  fix_t F;
  memset(&F, 0, sizeof F);
  F.p = p;
  F.trial = trial;
  /* each plan is a chain of the planner's search: a few of them; a small
   * scenario plans two sets side by side (identical results on one thread) */
  F.max_plans = p->pk.ntubes > 1000000 ? 1 : p->pk.ntubes > 300000 ? 5 : 8;
  F.njobs = p->pk.ntubes <= 300000 ? 2 : 1;
  /* a city's plans are first guesses: one evaluation each, in the caller's
   * buffer (no third evaluation in memory) */
  F.quick = p->pk.ntubes > 1000000 ? 2 : 1;
  adds_t spec, best;
  memset(&spec, 0, sizeof spec);
  memset(&best, 0, sizeof best);
  int rc = adds_alloc(&F.cur, x) || adds_alloc(&spec, x) || adds_alloc(&best, x)
               ? PSC_ENOMEM
               : 0;
  for (uint32_t k = 0; !rc && k < F.njobs; k++)
    rc = job_alloc(&F.job[k], x, k ? NULL : trial, F.quick);
  uint32_t steps = 0;
  int have_best = 0;
  a->needed = 1;
  a->missed_before = p->e.missed;
  a->district_before = p->e.district.complete;
  if (!rc)
    rc = add_candidates(&F);
  if (!rc)
    rc = scale_alloc(&F);
  if (!rc)
    rc = by_bounds(&F, &steps);
  if (!rc)
    rc = by_plans(&F, &steps, &spec, &best, &have_best);
  const memo_t *m = rc ? NULL : memo_find(&F, &F.cur);
  if (m && !m->missed)
    rc = prune(&F, &spec);
  else if (!rc && have_best)
    adds_copy(&F.cur, &best, x); /* no set met every deadline: the best planned */
  m = rc ? NULL : memo_find(&F, &F.cur);
  if (m) {
    describe(&F, &F.cur, a);
    a->found = m->missed == 0;
    a->missed_after = m->missed;
    a->district_after = m->district;
    a->plans = F.plans;
    if (!a->count)
      snprintf(a->what, sizeof a->what, "no addition among the candidates helps");
  } else if (!rc) { /* nothing planned: no candidate */
    a->found = 0;
    a->count = 0;
    a->missed_after = a->missed_before;
    a->district_after = a->district_before;
    a->plans = F.plans;
    snprintf(a->what, sizeof a->what, "no addition among the candidates helps");
  }
  for (uint32_t k = 0; k < 2; k++)
    job_free(&F.job[k]);
  for (uint32_t k = 0; k < F.nmemo; k++)
    adds_free(&F.memo[k].a);
  free(F.memo);
  adds_free(&F.cur);
  adds_free(&spec);
  adds_free(&best);
  free(F.cand);
  scale_free(&F.sc);
  return rc;
}
