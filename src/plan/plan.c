/* The planner: packs once, searches the release lead over whole-plan
 * evaluations, keeps the best plan, and when a deadline is missed looks for
 * one added resource that fixes it. */
#include "plan/plan_internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

psc_plan_options_t psc_plan_options_default(void) {
  psc_plan_options_t o = {0, 1, -1.0, -1.0};
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
  free(e->street_p0);
  free(e->street_p1);
  memset(e, 0, sizeof(*e));
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
  e->street_p0 = psc__calloc(x->nstreets, sizeof(double));
  e->street_p1 = psc__calloc(x->nstreets, sizeof(double));
  if (!e->site || !e->lab || !e->run || !e->session || !e->first_swab || !e->sealed ||
      !e->departed || !e->arrived || !e->reported || !e->run_start || !e->ses_site ||
      !e->ses_comm || !e->ses_residents || !e->ses_tubes || !e->ses_stream || !e->ses_start ||
      !e->ses_end || !e->ses_tube_first || !e->ses_tube_list || !e->comm || !e->street ||
      !e->street_p0 || !e->street_p1) {
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

/* Is evaluation a better than b? Fewer missed deadlines, then less total
 * lateness, then earlier district completion, then fewer aged swabs. */
static int better(const psc__eval_t *a, const psc__eval_t *b) {
  if (a->missed != b->missed)
    return a->missed < b->missed;
  if (fabs(a->lateness - b->lateness) > 1e-6)
    return a->lateness < b->lateness;
  if (fabs(a->district.complete - b->district.complete) > 1e-6)
    return a->district.complete < b->district.complete;
  return a->aged < b->aged;
}

/* The grid the planner searches: release lead (hours) and the weight of
 * empty wells in the lab choice. Each point is refined by PACING_ROUNDS
 * rounds that pace every street by the labs' real progress in the plan
 * before (a fixed-point iteration on the wave times). */
static const double LEADS[] = {0, 3};
static const double WASTE[] = {0, 1};
#define NLEADS (sizeof(LEADS) / sizeof(LEADS[0]))
#define NWASTE (sizeof(WASTE) / sizeof(WASTE[0]))
#define PACING_ROUNDS 4

/* Looks for one added resource (an instrument at a lab, a booth at a site of
 * a street that missed, a team) that fixes every missed deadline. */
static int advise(psc_plan_t *p, psc__eval_t *trial) {
  psc__ctx_t *x = &p->x;
  const psc_labs_t *lb = psc_scenario_labs(p->s);
  const psc_sites_t *st = psc_scenario_sites(p->s);
  psc_advice_t *a = &p->advice;
  a->missed_before = p->e.missed;
  a->district_before = p->e.district.complete;
  a->missed_after = p->e.missed;
  a->district_after = p->e.district.complete;
  psc__variant_t best = p->v;
  uint32_t best_missed = p->e.missed;
  double best_late = p->e.lateness, best_done = p->e.district.complete;
  int best_kind = 0;
  uint32_t best_idx = 0;
  /* candidates: the busiest labs (by instrument-minutes in runs), and the
   * fixed sites and teams of the streets that missed by the most */
  enum { MAX_LABS = 6, MAX_STREETS = 3 };
  uint32_t cand_lab[MAX_LABS], ncl = 0, cand_street[MAX_STREETS], ncs = 0;
  /* large plans try fewer: each try is a whole plan */
  uint32_t max_labs = p->pk.ntubes > 1000000 ? 2 : MAX_LABS;
  uint32_t max_streets = p->pk.ntubes > 1000000 ? 1 : MAX_STREETS;
  double *busy = calloc(x->nlabs + 1, sizeof(double));
  if (!busy)
    return PSC_ENOMEM;
  for (uint32_t k = 0; k < p->e.nruns; k++)
    busy[p->e.run_lab[k]] += p->e.run_end[k] - p->e.run_begin[k];
  for (uint32_t l = 0; l < x->nlabs; l++)
    busy[l] /= (double)lb->instruments[l];
  for (; ncl < max_labs && ncl < x->nlabs; ncl++) {
    uint32_t b = PSC__NONE;
    for (uint32_t l = 0; l < x->nlabs; l++)
      if (busy[l] >= 0 && (b == PSC__NONE || busy[l] > busy[b]))
        b = l;
    cand_lab[ncl] = b;
    busy[b] = -1;
  }
  free(busy);
  for (; ncs < max_streets; ncs++) {
    uint32_t b = PSC__NONE;
    for (uint32_t s2 = 0; s2 < x->nstreets; s2++) {
      int taken = 0;
      for (uint32_t j = 0; j < ncs; j++)
        taken |= cand_street[j] == s2;
      if (!taken && !p->e.street[s2].met &&
          (b == PSC__NONE || p->e.street[s2].slack < p->e.street[b].slack))
        b = s2;
    }
    if (b == PSC__NONE)
      break;
    cand_street[ncs] = b;
  }
  uint32_t ncand = ncl + x->nsites;
  for (uint32_t k = 0; k < ncand; k++) {
    psc__variant_t v = p->v;
    if (k < ncl) {
      v.extra_lab = (int32_t)cand_lab[k];
    } else {
      uint32_t i = k - ncl;
      int wanted = 0;
      for (uint32_t j = 0; j < ncs; j++)
        wanted |= st->street[i] == cand_street[j];
      if (!wanted || !(st->kind[i] == PSC_SITE_FIXED || st->kind[i] == PSC_SITE_DOOR_TO_DOOR))
        continue;
      v.extra_site = (int32_t)i;
    }
    int rc = psc__evaluate(x, &v, trial);
    if (rc)
      return rc;
    int improves = trial->missed < best_missed ||
                   (trial->missed == best_missed && trial->lateness < best_late - 1e-6) ||
                   (trial->missed == best_missed && fabs(trial->lateness - best_late) <= 1e-6 &&
                    trial->district.complete < best_done - 1e-6);
    if (improves) {
      best = v;
      best_missed = trial->missed;
      best_late = trial->lateness;
      best_done = trial->district.complete;
      best_kind = k < ncl ? 1 : 2;
      best_idx = k < ncl ? cand_lab[k] : k - ncl;
    }
  }
  a->found = best_missed == 0;
  a->missed_after = best_missed;
  a->district_after = best_done;
  if (best_kind == 1)
    snprintf(a->what, sizeof a->what,
             "1 more instrument at lab %s (%u wells per %u-minute run: +%.0f tubes/day)",
             lb->id[best_idx], lb->wells[best_idx], lb->run_minutes[best_idx],
             lb->wells[best_idx] * psc_open_minutes(lb->open_min[best_idx], lb->close_min[best_idx]) /
                 (double)lb->run_minutes[best_idx]);
  else if (best_kind == 2)
    snprintf(a->what, sizeof a->what, "1 more %s at site %s (+%.0f %s/hour)",
             st->kind[best_idx] == PSC_SITE_DOOR_TO_DOOR ? "team" : "booth", st->id[best_idx],
             st->rate[best_idx],
             st->kind[best_idx] == PSC_SITE_DOOR_TO_DOOR ? "residents" : "swabs");
  else
    snprintf(a->what, sizeof a->what, "no single added instrument, booth or team helps");
  (void)best;
  return 0;
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

/* The search: each point of the grid (lead, waste weight), paced over
 * rounds by the labs' progress in the round before, is a whole plan; the
 * best is kept in p->e with its variant in p->v (and its pacing in
 * p->best_p0/p1). trial is working memory. */
static int search(psc_plan_t *p, const psc_plan_options_t *o, psc__eval_t *trial) {
  p->v = (psc__variant_t){.lead_min = o->lead_hours >= 0 ? o->lead_hours * 60.0 : 0,
                          .waste_weight = o->waste_weight >= 0 ? o->waste_weight : 0,
                          .extra_lab = -1,
                          .extra_site = -1};
  int have = 0, rc = 0;
  psc__variant_t best = p->v;
  size_t ns = p->x.nstreets + 1;
  double *p0 = psc__malloc(ns, 8), *p1 = psc__malloc(ns, 8);
  p->best_p0 = psc__malloc(ns, 8);
  p->best_p1 = psc__malloc(ns, 8);
  if (!p0 || !p1 || !p->best_p0 || !p->best_p1)
    rc = PSC_ENOMEM;
  /* larger plans search a smaller grid, so that a 25-million-resident city
   * is planned in seconds: up to 200 000 tubes the whole grid, up to a
   * million the leads only, beyond that one point */
  uint32_t nt = p->pk.ntubes;
  size_t nleads = nt <= 1000000 ? NLEADS : 1, nwaste = nt <= 200000 ? NWASTE : 1;
  int rounds = nt <= 200000 ? PACING_ROUNDS : nt <= 1000000 ? 3 : 2;
  for (size_t i = 0; !rc && i < nleads; i++) {
    for (size_t k = 0; !rc && k < nwaste; k++) {
      if ((o->lead_hours >= 0 && i) || (o->waste_weight >= 0 && k))
        continue; /* a fixed lead or weight is one point of its axis */
      psc__variant_t v = p->v;
      if (o->lead_hours < 0)
        v.lead_min = LEADS[i] * 60.0;
      if (o->waste_weight < 0)
        v.waste_weight = WASTE[k];
      v.street_p0 = v.street_p1 = NULL;
      for (int round = 0; round < rounds; round++) {
        if ((rc = psc__evaluate(&p->x, &v, trial)) != 0)
          break;
        int take = !have || better(trial, &p->e);
        if (take) {
          psc__eval_t tmp = p->e;
          p->e = *trial;
          *trial = tmp;
          best = v;
          if (v.street_p0) {
            memcpy(p->best_p0, p0, p->x.nstreets * 8ull);
            memcpy(p->best_p1, p1, p->x.nstreets * 8ull);
            best.street_p0 = p->best_p0;
            best.street_p1 = p->best_p1;
          }
          have = 1;
        }
        /* pace the next round by this round's lab progress */
        const psc__eval_t *last = take ? &p->e : trial;
        memcpy(p0, last->street_p0, p->x.nstreets * 8ull);
        memcpy(p1, last->street_p1, p->x.nstreets * 8ull);
        v.street_p0 = p0;
        v.street_p1 = p1;
      }
    }
  }
  free(p0);
  free(p1);
  if (!rc)
    p->v = best;
  return rc;
}

int psc_plan_create(const psc_scenario_t *s, const psc_plan_options_t *opt, psc_plan_t **out) {
  if (!s || !out)
    return PSC_EINVAL;
  *out = NULL;
  psc_plan_options_t o = opt ? *opt : psc_plan_options_default();
  psc_plan_t *p = calloc(1, sizeof(*p));
  if (!p)
    return PSC_ENOMEM;
  p->s = s;
  p->threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  int saved = omp_get_max_threads();
  omp_set_num_threads(p->threads);
  const psc_params_t *par = psc_scenario_params(s);
  p->date_code = 0;
  if (par->start && strlen(par->start) >= 10)
    p->date_code = ((par->start[2] - '0') * 10 + (par->start[3] - '0')) * 10000 +
                   ((par->start[5] - '0') * 10 + (par->start[6] - '0')) * 100 +
                   ((par->start[8] - '0') * 10 + (par->start[9] - '0'));
  psc__eval_t trial;
  memset(&trial, 0, sizeof(trial));
  int rc = psc__pack(s, &p->pk);
  if (!rc)
    rc = psc__ctx_init(&p->x, s, &p->pk);
  if (!rc)
    rc = psc__eval_alloc(&p->e, &p->x);
  if (!rc)
    rc = psc__eval_alloc(&trial, &p->x);
  if (!rc)
    rc = search(p, &o, &trial);
  if (rc)
    goto fail;
  snprintf(p->advice.what, sizeof p->advice.what, "every deadline is met");
  p->advice.found = 1;
  if (p->e.missed && o.advise && (rc = advise(p, &trial)) != 0)
    goto fail;
  psc__eval_free(&trial);
  fill_views(p);
  psc__utilisation(p, &p->util);
  p->lower_bound = psc__lower_bound(p);
  omp_set_num_threads(saved);
  *out = p;
  return 0;
fail:
  omp_set_num_threads(saved);
  psc__eval_free(&trial);
  psc_plan_free(p);
  return rc;
}

void psc_plan_free(psc_plan_t *p) {
  if (!p)
    return;
  psc__eval_free(&p->e);
  free(p->best_p0);
  free(p->best_p1);
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
const uint32_t *psc_plan_street_order(const psc_plan_t *p) { return p->x.street_order; }
const psc_utilisation_t *psc_plan_utilisation(const psc_plan_t *p) { return &p->util; }
double psc_plan_lower_bound(const psc_plan_t *p) { return p->lower_bound; }
double psc_plan_lead_hours(const psc_plan_t *p) { return p->v.lead_min / 60.0; }
uint32_t psc_plan_aged_tubes(const psc_plan_t *p) { return p->e.aged; }
const psc_advice_t *psc_plan_advice(const psc_plan_t *p) { return &p->advice; }
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

int psc_plan_tube_id(const psc_plan_t *p, uint32_t t, char *buf, size_t size) {
  return psc__tube_code(p->date_code, t + 1, buf, size);
}
