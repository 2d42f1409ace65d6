/* The cheapest fix: when the plan misses a deadline, the least costly set of
 * added resources (by the scenario's [costs]) with which the planner meets
 * every deadline, verified by planning with it.
 *
 * Three phases (docs/plan.md, "The cheapest fix"):
 * 1. bounds: while some unit's lower bound is past its deadline no schedule
 *    can meet it, so additions are chosen by how much they lower the
 *    overshoot of the bounds per unit of cost (cheap: no planning);
 * 2. plans: while the planner (its whole search, as a user would run it
 *    with the additions) still misses, the candidate that lowers the
 *    district's bound most per unit of cost is added and the plan redone;
 * 3. prune: each addition, dearest first, is dropped when the planner
 *    still meets every deadline without it.
 * The result is verified: the last plan with exactly those additions met
 * every deadline, or `found` stays 0 and the text says what is left. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A candidate: one more of `kind` at `index`. */
typedef struct {
  psc_addition_kind_t kind;
  uint32_t index;
  double cost;
} cand_t;

typedef struct {
  psc_plan_t *p;
  psc__eval_t *trial, best;
  uint16_t *inst, *booth;         /* additions per lab, per site */
  psc__hours_t *lh, *sh;           /* opening hours with additions */
  uint16_t *lab_hours, *site_hours; /* hours added per lab, per site */
  double *open, *open_best;
  cand_t *cand;
  uint32_t ncand;
  uint32_t plans, max_plans;
  int planned_whole; /* F->best is the whole search's plan of the current additions */
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

static void apply(fix_t *F, psc__variant_t *v) {
  const psc__ctx_t *x = &F->p->x;
  for (uint32_t l = 0; l < x->nlabs; l++)
    F->lh[l] = F->lab_hours[l] ? longer(x->lab_hours[l], F->lab_hours[l]) : x->lab_hours[l];
  for (uint32_t i = 0; i < x->nsites; i++)
    F->sh[i] = F->site_hours[i] ? longer(x->site_hours[i], F->site_hours[i]) : x->site_hours[i];
  *v = F->p->v;
  v->add_inst = F->inst;
  v->add_booth = F->booth;
  v->lab_hours = F->lh;
  v->site_hours = F->sh;
  v->street_open = F->open;
}

/* How many of candidate c's kind the current additions hold at its place. */
static uint32_t added(const fix_t *F, const cand_t *c) {
  switch (c->kind) {
  case PSC_ADD_INSTRUMENT: return F->inst[c->index];
  case PSC_ADD_LAB_HOUR: return F->lab_hours[c->index];
  case PSC_ADD_SITE_HOUR: return F->site_hours[c->index];
  default: return F->booth[c->index];
  }
}

static void change(fix_t *F, const cand_t *c, int d) {
  F->planned_whole = 0;
  switch (c->kind) {
  case PSC_ADD_INSTRUMENT: F->inst[c->index] = (uint16_t)(F->inst[c->index] + d); break;
  case PSC_ADD_BOOTH:
  case PSC_ADD_TEAM: F->booth[c->index] = (uint16_t)(F->booth[c->index] + d); break;
  case PSC_ADD_LAB_HOUR: F->lab_hours[c->index] = (uint16_t)(F->lab_hours[c->index] + d); break;
  case PSC_ADD_SITE_HOUR: F->site_hours[c->index] = (uint16_t)(F->site_hours[c->index] + d); break;
  }
}

/* Plans with the current additions: quick (the wave order the plan chose,
 * paced and searched locally) while searching, or by the planner's whole
 * search — the plan a user would get with these resources — to verify. */
static int plan_with(fix_t *F, int whole) {
  /* above 300 000 tubes the search has one wave order: quick is whole */
  int same = F->p->pk.ntubes > 300000;
  if (whole && F->planned_whole)
    return 0;
  psc__variant_t v, out;
  apply(F, &v);
  double margin;
  F->plans++;
  int rc = psc__search(F->p, &v, !whole, &F->best, F->open_best, &out, &margin, F->trial, NULL);
  F->planned_whole = !rc && (whole || same);
  return rc;
}

/* How far the bounds are from the deadlines with the current additions,
 * over one scope (PSC__BOUND_ALL, PSC__BOUND_DISTRICT or a street): units
 * that cannot be met, then the district's overshoot (minutes). */
static int overshoot(fix_t *F, int64_t scope, double *score) {
  psc_plan_t *p = F->p;
  psc__eval_t *e = F->trial;
  memcpy(e->comm, p->e.comm, p->x.ncomm * sizeof(psc_verdict_t));
  memcpy(e->street, p->e.street, p->x.nstreets * sizeof(psc_verdict_t));
  e->district = p->e.district;
  psc__variant_t v;
  apply(F, &v);
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

/* What a candidate's bound-gain is judged on: a lab addition on every unit
 * in a small scenario and on the district in a large one (bounds for every
 * street of a city, per candidate, cost too much); a site addition on its
 * street. */
static int64_t scope_of(const fix_t *F, const cand_t *c) {
  if (c->kind == PSC_ADD_INSTRUMENT || c->kind == PSC_ADD_LAB_HOUR)
    return F->p->x.nstreets <= 64 ? PSC__BOUND_ALL : PSC__BOUND_DISTRICT;
  return psc_scenario_sites(F->p->s)->street[c->index];
}

/* The gain of one more of candidate c per unit of cost, by the bounds. */
static int bound_gain(fix_t *F, const cand_t *c, double *gain) {
  double before, after;
  int64_t scope = scope_of(F, c);
  int rc = overshoot(F, scope, &before);
  if (!rc) {
    change(F, c, +1);
    rc = overshoot(F, scope, &after);
    change(F, c, -1);
  }
  *gain = rc ? 0 : (before - after) / fmax(c->cost, 1e-9);
  return rc;
}

#define MAX_LAB_CANDIDATES 32

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
  if (x->nlabs > MAX_LAB_CANDIDATES) {
    double *sorted = malloc(x->nlabs * sizeof(double));
    if (!sorted) {
      free(busy);
      free(late);
      return PSC_ENOMEM;
    }
    memcpy(sorted, busy, x->nlabs * sizeof(double));
    for (uint32_t i = 0; i < MAX_LAB_CANDIDATES; i++) /* partial selection: the top ones */
      for (uint32_t j = i + 1; j < x->nlabs; j++)
        if (sorted[j] > sorted[i]) {
          double t = sorted[i];
          sorted[i] = sorted[j];
          sorted[j] = t;
        }
    cut = sorted[MAX_LAB_CANDIDATES - 1];
    free(sorted);
  }
  for (uint32_t l = 0; l < x->nlabs; l++) {
    if (busy[l] < cut)
      continue;
    F->cand[F->ncand++] = (cand_t){PSC_ADD_INSTRUMENT, l,
                                   lb->wells[l] > 96 ? par->cost_instrument_384 : par->cost_instrument_96};
    if (!all_day(&x->lab_hours[l]))
      F->cand[F->ncand++] = (cand_t){PSC_ADD_LAB_HOUR, l, par->cost_lab_hour};
  }
  for (uint32_t i = 0; i < x->nsites; i++) {
    if (!late[st->street[i]])
      continue;
    int team = st->kind[i] == PSC_SITE_DOOR_TO_DOOR;
    F->cand[F->ncand++] = (cand_t){team ? PSC_ADD_TEAM : PSC_ADD_BOOTH, i,
                                   team ? par->cost_team : par->cost_booth};
    if (!all_day(&x->site_hours[i]))
      F->cand[F->ncand++] = (cand_t){PSC_ADD_SITE_HOUR, i, par->cost_site_hour};
  }
  free(late);
  free(busy);
  return 0;
}

/* Phase 1: additions until no bound is past its deadline: the candidate
 * that lowers the bounds' overshoot most per unit of cost each time. */
static int by_bounds(fix_t *F, uint32_t *steps) {
  double now;
  int rc = overshoot(F, PSC__BOUND_ALL, &now);
  while (!rc && now > 1e-9 && *steps < 4 * PSC_ADVICE_MAX) {
    double best_gain = 0;
    int32_t best = -1;
    for (uint32_t k = 0; k < F->ncand && !rc; k++) {
      if (F->cand[k].kind == PSC_ADD_BOOTH || F->cand[k].kind == PSC_ADD_SITE_HOUR)
        continue; /* walk-in sampling is rarely what a bound waits for: kept for phase 2 */
      double gain;
      rc = bound_gain(F, &F->cand[k], &gain);
      if (!rc && gain > 1e-12 && gain > best_gain) {
        best_gain = gain;
        best = (int32_t)k;
      }
    }
    if (rc || best < 0)
      break;
    change(F, &F->cand[best], +1);
    (*steps)++;
    rc = overshoot(F, PSC__BOUND_ALL, &now);
  }
  return rc;
}

/* Phase 2: while the planner's whole search still misses, add the
 * candidate whose bound-gain per unit of cost is largest (a site of a late
 * street when no addition lowers a bound), then plan again. */
static int by_plans(fix_t *F, uint32_t *steps) {
  int rc = plan_with(F, 0);
  while (!rc && F->best.missed && *steps < 4 * PSC_ADVICE_MAX && F->plans < F->max_plans) {
    double best_gain = 0, before, after;
    int32_t best = -1, cheapest_site = -1;
    rc = overshoot(F, PSC__BOUND_DISTRICT, &before);
    double b0 = F->trial->district.bound;
    for (uint32_t k = 0; k < F->ncand && !rc; k++) {
      const cand_t *c = &F->cand[k];
      double gain;
      if (c->kind == PSC_ADD_INSTRUMENT || c->kind == PSC_ADD_LAB_HOUR) {
        /* what a lab adds is judged on the district's bound */
        change(F, c, +1);
        rc = overshoot(F, PSC__BOUND_DISTRICT, &after);
        change(F, c, -1);
        gain = (b0 - F->trial->district.bound) / fmax(c->cost, 1e-9);
      } else {
        if (cheapest_site < 0 || c->cost < F->cand[cheapest_site].cost)
          cheapest_site = (int32_t)k;
        continue;
      }
      if (!rc && gain > 1e-12 && gain > best_gain) {
        best_gain = gain;
        best = (int32_t)k;
      }
    }
    if (!rc && best < 0)
      best = cheapest_site;
    if (rc || best < 0)
      break;
    change(F, &F->cand[best], +1);
    (*steps)++;
    rc = plan_with(F, 0);
  }
  return rc;
}

/* Phase 3: drop additions, dearest first, while the planner still meets
 * every deadline without them. Leaves F->best planned by the whole search
 * with the result (the verification). */
static int prune(fix_t *F) {
  int rc = 0;
  uint8_t *tried = calloc(F->ncand + 1, 1);
  if (!tried)
    return PSC_ENOMEM;
  for (;;) {
    int32_t dear = -1;
    for (uint32_t k = 0; k < F->ncand; k++) {
      const cand_t *c = &F->cand[k];
      uint32_t have = added(F, c);
      if (have && !tried[k] && (dear < 0 || c->cost > F->cand[dear].cost))
        dear = (int32_t)k;
    }
    if (dear < 0)
      break;
    change(F, &F->cand[dear], -1);
    if ((rc = plan_with(F, 0)) != 0)
      break;
    if (F->best.missed) {
      change(F, &F->cand[dear], +1);
      tried[dear] = 1;
    }
  }
  free(tried);
  /* the verification: the whole search with exactly these additions */
  return rc ? rc : plan_with(F, 1);
}

static void describe(fix_t *F, psc_advice_t *a) {
  psc_plan_t *p = F->p;
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  const psc_sites_t *st = psc_scenario_sites(p->s);
  a->count = 0;
  a->cost = 0;
  size_t o = 0;
  a->what[0] = 0;
  for (uint32_t k = 0; k < F->ncand; k++) {
    const cand_t *c = &F->cand[k];
    uint32_t n = added(F, c);
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

int psc__advise(psc_plan_t *p, psc__eval_t *trial) {
  const psc__ctx_t *x = &p->x;
  psc_advice_t *a = &p->advice;
  fix_t F;
  memset(&F, 0, sizeof F);
  F.p = p;
  F.trial = trial;
  /* each plan is the planner's whole search: a few of them */
  F.max_plans = p->pk.ntubes > 1000000 ? 2 : p->pk.ntubes > 300000 ? 5 : 8;
  F.inst = calloc(x->nlabs + 1, 2);
  F.lab_hours = calloc(x->nlabs + 1, 2);
  F.booth = calloc(x->nsites + 1, 2);
  F.site_hours = calloc(x->nsites + 1, 2);
  F.lh = psc__malloc(x->nlabs + 1, sizeof(psc__hours_t));
  F.sh = psc__malloc(x->nsites + 1, sizeof(psc__hours_t));
  F.open = psc__malloc(x->nstreets + 1, 8);
  F.open_best = psc__malloc(x->nstreets + 1, 8);
  int rc = !F.inst || !F.lab_hours || !F.booth || !F.site_hours || !F.lh || !F.sh || !F.open ||
                   !F.open_best
               ? PSC_ENOMEM
               : psc__eval_alloc(&F.best, x);
  uint32_t steps = 0;
  a->needed = 1;
  a->missed_before = p->e.missed;
  a->district_before = p->e.district.complete;
  if (!rc)
    rc = add_candidates(&F);
  if (!rc)
    rc = by_bounds(&F, &steps);
  if (!rc)
    rc = by_plans(&F, &steps);
  if (!rc && !F.best.missed)
    rc = prune(&F);
  else if (!rc)
    rc = plan_with(&F, 1); /* what the whole search makes of the best set found */
  if (!rc) {
    describe(&F, a);
    a->found = F.best.missed == 0;
    a->missed_after = F.best.missed;
    a->district_after = F.best.district.complete;
    a->plans = F.plans;
    if (!a->count)
      snprintf(a->what, sizeof a->what, "no addition among the candidates helps");
  }
  psc__eval_free(&F.best);
  free(F.inst);
  free(F.lab_hours);
  free(F.booth);
  free(F.site_hours);
  free(F.lh);
  free(F.sh);
  free(F.open);
  free(F.open_best);
  free(F.cand);
  return rc;
}
