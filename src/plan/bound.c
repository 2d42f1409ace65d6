/* Valid lower bounds on each unit's completion, under any schedule of the
 * scenario's resources (docs/plan.md, "Lower bounds").
 *
 * A unit's tubes cannot reach a lab before sampling capacity has swabbed
 * them: by time t the unit's street sites (walk-in and door-to-door apart)
 * can have done at most W(t) swabs, so at most the N(W) tubes of least work
 * are sealed; a sealed tube leaves on the next batch and needs at least the
 * quickest trip. Tubes are done in whole PCR runs: to finish by T, an
 * instrument's runs can do no better than the latest grid of runs that ends
 * by T - report_minutes, starts no earlier than the first possible arrival
 * at its lab and starts while the lab is open. Filling those runs in start
 * order with every tube that could have arrived (a greedy, optimal for this
 * relaxation) gives the most tubes any schedule can report by T; the bound
 * is the least T at which that reaches the unit's tube count. A street's
 * deadline counts from its first swab, so its feasibility is judged by the
 * same count on a clock that starts at the first swab, with every opening
 * hour relaxed to round the clock (it then does not depend on the start). */
#include "plan/plan_internal.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define MAXWORK 64 /* a tube's swabs fit in uint8 and are at most 50 */

/* What a unit needs: its tubes by work, per class (walk-in sites, teams). */
typedef struct {
  uint32_t hist[2][MAXWORK + 1];
  uint32_t tubes;
} need_t;

/* Sampling capacity of a set of streets, per class, by batch time. */
typedef struct {
  const psc__ctx_t *x;
  const psc__variant_t *v;
  int relative;       /* the clock starts at the first swab; hours round the clock */
  double batch;       /* departures on this grid (0: at sealing, relative) */
  double trip;        /* quickest trip of any tube to any lab */
  double *arrive;     /* per lab: earliest arrival */
  double rate[2];     /* relative: swabs per minute per class */
  uint32_t nb;        /* absolute: work[k] for departures k * batch, k < nb */
  double *work[2];
  const uint8_t *in;  /* per street: part of the unit */
} supply_t;

static int class_of(const psc_sites_t *st, uint32_t i) {
  return st->kind[i] == PSC_SITE_DOOR_TO_DOOR;
}

/* Earliest arrivals and the quickest trip from the unit's sites; relative:
 * sampling starts at 0 and tubes leave when sealed. */
static int supply_trips(supply_t *S) {
  const psc__ctx_t *x = S->x;
  const psc_sites_t *st = psc_scenario_sites(x->s);
  for (uint32_t l = 0; l < x->nlabs; l++)
    S->arrive[l] = INFINITY;
  S->trip = INFINITY;
  for (uint32_t i = 0; i < x->nsites; i++) {
    if (!S->in[st->street[i]])
      continue;
    double per_min = psc__booths(x, S->v, i) * st->rate[i] / 60.0;
    if (!(per_min > 0))
      continue;
    double seal = 1.0 / per_min, dep;
    if (S->relative) {
      dep = seal;
    } else {
      const psc__hours_t *h = psc__site_hours_v(x, S->v, i);
      dep = ceil((psc__hours_next_open(h, 0) + seal) / S->batch - 1e-9) * S->batch;
    }
    for (uint32_t l = 0; l < x->nlabs; l++) {
      double m = psc__trip(x, i, l);
      S->trip = fmin(S->trip, m);
      S->arrive[l] = fmin(S->arrive[l], dep + m);
    }
  }
  return 0;
}

/* Swabs the unit's sites of class k can have done by time t. */
static double capacity_by(const supply_t *S, int k, double t) {
  if (t <= 0)
    return 0;
  if (S->relative)
    return S->rate[k] * t;
  double b = floor(t / S->batch + 1e-9);
  if (b >= S->nb)
    return INFINITY; /* past the horizon: unlimited, which keeps the bound valid */
  return S->work[k][(uint32_t)b];
}

static int supply_init(supply_t *S, double horizon) {
  const psc__ctx_t *x = S->x;
  const psc_sites_t *st = psc_scenario_sites(x->s);
  int rc = supply_trips(S);
  if (rc)
    return rc;
  S->rate[0] = S->rate[1] = 0;
  for (uint32_t i = 0; i < x->nsites; i++)
    if (S->in[st->street[i]])
      S->rate[class_of(st, i)] += psc__booths(x, S->v, i) * st->rate[i] / 60.0;
  if (S->relative)
    return 0;
  /* absolute: work by each departure time, sites of one opening pattern
   * together (few patterns, many sites) */
  S->nb = (uint32_t)fmin(ceil(horizon / S->batch) + 2, 4e6);
  S->work[0] = calloc(S->nb, 8);
  S->work[1] = calloc(S->nb, 8);
  if (!S->work[0] || !S->work[1])
    return PSC_ENOMEM;
  enum { MAXPAT = 64 };
  psc__hours_t pat[MAXPAT];
  double prate[2][MAXPAT] = {{0}};
  uint32_t np = 0;
  for (uint32_t i = 0; i < x->nsites; i++) {
    if (!S->in[st->street[i]])
      continue;
    const psc__hours_t *h = psc__site_hours_v(x, S->v, i);
    uint32_t j = 0;
    while (j < np && memcmp(&pat[j], h, sizeof *h))
      j++;
    if (j == np) {
      if (np == MAXPAT) { /* too many patterns: the extra sites count as always open */
        for (uint32_t b2 = 1; b2 < S->nb; b2++)
          S->work[class_of(st, i)][b2] += psc__booths(x, S->v, i) * st->rate[i] / 60.0 * b2 * S->batch;
        continue;
      }
      pat[np++] = *h;
    }
    prate[class_of(st, i)][j] += psc__booths(x, S->v, i) * st->rate[i] / 60.0;
  }
  for (uint32_t j = 0; j < np; j++) {
    double acc = 0;
    for (uint32_t b2 = 1; b2 < S->nb; b2++) {
      acc += psc__hours_open_between(&pat[j], (b2 - 1) * S->batch, b2 * S->batch);
      S->work[0][b2] += prate[0][j] * acc;
      S->work[1][b2] += prate[1][j] * acc;
    }
  }
  return 0;
}

static void supply_free(supply_t *S) {
  free(S->work[0]);
  free(S->work[1]);
}

/* Tubes of least work that `work` swabs can seal, in one class. */
static uint32_t sealable(const uint32_t *hist, double work) {
  uint32_t n = 0;
  for (uint32_t w = 0; w <= MAXWORK; w++) {
    if (!hist[w])
      continue;
    if (w == 0) {
      n += hist[0];
      continue;
    }
    double fit = floor(work / w + 1e-9);
    if (fit < hist[w]) {
      n += (uint32_t)fit;
      break;
    }
    n += hist[w];
    work -= (double)hist[w] * w;
  }
  return n;
}

/* Tubes of the unit that can be at a lab by time s. */
static uint32_t available(const supply_t *S, const need_t *u, double s) {
  double dep = s - S->trip; /* the latest departure that arrives by s */
  if (!S->relative)
    dep = floor(dep / S->batch + 1e-9) * S->batch;
  if (dep < 0)
    return 0;
  uint32_t n = sealable(u->hist[0], capacity_by(S, 0, dep)) + sealable(u->hist[1], capacity_by(S, 1, dep));
  return n < u->tubes ? n : u->tubes;
}

/* The latest time <= t at which a run may start at a lab with hours h. */
static double latest_open(const psc__hours_t *h, double t, int relative) {
  if (relative || psc__hours_next_open(h, t) == t)
    return t;
  /* closed at t: the last close before it (a start there is a relaxation) */
  double lo = t - 1440.0;
  while (psc__hours_next_open(h, lo) >= t && lo > t - 8 * 1440.0)
    lo -= 1440.0;
  double o = psc__hours_next_open(h, lo), c = lo;
  for (int guard = 0; guard < 64 && o < t; guard++) {
    c = psc__hours_open_until(h, o);
    if (c >= t)
      return t;
    o = psc__hours_next_open(h, c);
  }
  return c;
}

/* Runs whose start sees the same arrivals share a bucket: a departure
 * batch (absolute) or a whole minute, rounded down (relative; rounding
 * down can only lower the bound). */
typedef struct {
  uint64_t *cap;
  uint32_t n;
} buckets_t;

static double bucket_width(const supply_t *S) { return S->relative ? 1.0 : S->batch; }

/* Can the unit's tubes all be reported by T? Every instrument's latest run
 * grid before T, filled in start order with every tube that can be there. */
static int feasible(const supply_t *S, const need_t *u, double T, buckets_t *B) {
  const psc__ctx_t *x = S->x;
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  double w = bucket_width(S);
  double top = floor((T - S->trip) / w + 1e-9);
  if (top >= B->n)
    return 1; /* beyond what was prepared: say yes, which keeps the bound valid */
  if (top < 0)
    return 0;
  uint32_t nk = (uint32_t)top + 1;
  memset(B->cap, 0, nk * sizeof(uint64_t));
  uint64_t total = 0;
  for (uint32_t l = 0; l < x->nlabs; l++) {
    double run = lb->run_minutes[l], a = S->arrive[l];
    uint64_t c = (uint64_t)psc__instruments(x, S->v, l) * lb->wells[l];
    const psc__hours_t *h = psc__lab_hours_v(x, S->v, l);
    double s = latest_open(h, T - par->report_minutes - run, S->relative);
    while (s >= a - 1e-9 && c) {
      double k = floor((s - S->trip) / w + 1e-9);
      if (k >= 0) {
        B->cap[(uint32_t)k] += c;
        total += c;
      }
      s = latest_open(h, s - run, S->relative);
    }
  }
  if (total < u->tubes)
    return 0;
  uint64_t done = 0;
  for (uint32_t k = 0; k < nk && done < u->tubes; k++) {
    if (!B->cap[k])
      continue;
    double dep = k * w;
    uint32_t avail = sealable(u->hist[0], capacity_by(S, 0, dep)) +
                     sealable(u->hist[1], capacity_by(S, 1, dep));
    avail = avail < u->tubes ? avail : u->tubes;
    uint64_t d2 = done + B->cap[k];
    done = d2 < avail ? d2 : (avail > done ? avail : done);
  }
  return done >= u->tubes;
}

/* The least T (to a hundredth of a minute, rounded down) by which every
 * tube of u can be reported; NaN without tubes. */
static double unit_bound(const supply_t *S, const need_t *u, double hi, buckets_t *B) {
  if (!u->tubes)
    return NAN;
  double lo = 0;
  if (!(hi > 0) || !isfinite(hi))
    hi = 1440.0;
  for (int k = 0; k < 40 && !feasible(S, u, hi, B); k++)
    lo = hi, hi *= 2;
  while (hi - lo > 0.01) {
    double mid = 0.5 * (lo + hi);
    if (feasible(S, u, mid, B))
      hi = mid;
    else
      lo = mid;
  }
  return lo;
}

static void add_tubes(const psc__ctx_t *x, uint32_t c, need_t *u) {
  const psc__pack_t *pk = x->pk;
  for (uint32_t t = pk->comm_tube_first[PSC_STREAMS * c]; t < pk->comm_tube_first[PSC_STREAMS * (c + 1)];
       t++) {
    u->hist[pk->tube_stream[t] == PSC_STREAM_DOOR_TO_DOOR][pk->tube_work[t]]++;
    u->tubes++;
  }
}

/* Street st's bound and its communities' (st_need: its tubes), and
 * whether its own 24 h clock can be met, with the caller's buffers. */
static int street_bounds(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e,
                         uint32_t st, const need_t *st_need, double hi, double min_run,
                         uint8_t *in, double *arrive, buckets_t *B) {
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  need_t one;
  int rc;
  psc_verdict_t *sv = &e->street[st];
  memset(in, 0, x->nstreets);
  in[st] = 1;
  supply_t S = {x, v, 0, par->batch_minutes, 0, arrive, {0, 0}, 0, {NULL, NULL}, in};
  if ((rc = supply_init(&S, 8 * hi)) == 0) {
    double shi = isfinite(sv->complete) ? sv->complete : hi;
    sv->bound = unit_bound(&S, st_need, shi, B);
    /* every community of the street: its own sampling, one quickest run */
    for (uint32_t c = 0; c < x->ncomm; c++) {
      if (cm->street[c] != st)
        continue;
      memset(&one, 0, sizeof one);
      add_tubes(x, c, &one);
      double chi = isfinite(e->comm[c].complete) ? e->comm[c].complete : hi;
      if (cm->key[c]) {
        e->comm[c].bound = unit_bound(&S, &one, chi, B);
      } else if (one.tubes) {
        /* one run, started once every tube could be there */
        double lo = 0, h2 = chi;
        while (h2 - lo > 0.01) {
          double mid = 0.5 * (lo + h2);
          if (available(&S, &one, mid) >= one.tubes)
            h2 = mid;
          else
            lo = mid;
        }
        e->comm[c].bound = lo + min_run + par->report_minutes;
      } else {
        e->comm[c].bound = NAN;
      }
    }
  }
  supply_free(&S);
  if (rc)
    return rc;
  /* the street's own clock: from its first swab, hours relaxed */
  supply_t R = {x, v, 1, 0, 0, arrive, {0, 0}, 0, {NULL, NULL}, in};
  if ((rc = supply_init(&R, 0)) == 0) {
    double span = unit_bound(&R, st_need, isfinite(sv->complete) ? sv->complete : hi, B);
    sv->infeasible = span > par->deadline_street_h * 60.0 + 1e-9;
  }
  supply_free(&R);
  for (uint32_t c = 0; c < x->ncomm; c++)
    if (cm->street[c] == st)
      /* an ordinary community's deadline hangs on when the schedule opens
       * its street: no verdict of its own (its street has one) */
      e->comm[c].infeasible = cm->key[c] && e->comm[c].bound > e->comm[c].deadline + 1e-9;
  return rc;
}

/* Bounds under variant v, with each unit's bound searched below `hi` (a
 * plan's completion, which no bound exceeds). Writes e->comm[c].bound
 * (every key community; ordinary ones get the bound of one run after their
 * street's earliest arrival and their own sampling), street and district
 * bounds, and the infeasible flags. */
int psc__bounds_of(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e, int64_t scope) {
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  double hi = e->district.complete;
  if (!isfinite(hi) || hi <= 0)
    hi = 1440;
  double min_run = INFINITY;
  for (uint32_t l = 0; l < x->nlabs; l++)
    min_run = fmin(min_run, lb->run_minutes[l]);
  /* buckets up to 8 x the plan's completion, minutes or batches */
  double wmin = fmin(1.0, par->batch_minutes);
  buckets_t B = {NULL, (uint32_t)fmin(8 * hi / wmin + 2, 5e7)};
  B.cap = psc__malloc(B.n, sizeof(uint64_t));
  uint8_t *in = calloc(x->nstreets + 1, 1);
  double *arrive = psc__malloc(x->nlabs + 1, 8);
  need_t *street = calloc(x->nstreets + 1, sizeof(need_t));
  need_t all;
  memset(&all, 0, sizeof all);
  int rc = !B.cap || !in || !arrive || !street ? PSC_ENOMEM : 0;
  for (uint32_t c = 0; c < x->ncomm && !rc; c++)
    add_tubes(x, c, &street[cm->street[c]]);
  for (uint32_t st = 0; st < x->nstreets && !rc; st++) {
    for (int k = 0; k < 2; k++)
      for (int w = 0; w <= MAXWORK; w++)
        all.hist[k][w] += street[st].hist[k][w];
    all.tubes += street[st].tubes;
  }
  /* the district, absolute */
  if (!rc && scope < 0) {
    memset(in, 1, x->nstreets);
    supply_t S = {x, v, 0, par->batch_minutes, 0, arrive, {0, 0}, 0, {NULL, NULL}, in};
    rc = supply_init(&S, 8 * hi);
    if (!rc) {
      e->district.bound = unit_bound(&S, &all, hi, &B);
      e->district.infeasible = e->district.bound > e->district.deadline + 1e-9;
    }
    supply_free(&S);
  }
  /* the streets (and their communities) side by side, each thread with its
   * own buffers; every street writes only its own verdicts */
  const int64_t ns = rc || scope == PSC__BOUND_DISTRICT ? 0 : x->nstreets;
  int failed = 0;
#pragma omp parallel if (ns > 1 && scope == PSC__BOUND_ALL && !omp_in_parallel())
  {
    /* alone (one street's scope, or inside another parallel region) the
     * district's buffers serve */
    int team = omp_get_num_threads() > 1;
    buckets_t TB = {team ? psc__malloc(B.n, sizeof(uint64_t)) : B.cap, B.n};
    uint8_t *tin = team ? calloc(x->nstreets + 1, 1) : in;
    double *tarrive = team ? psc__malloc(x->nlabs + 1, 8) : arrive;
    int ok = TB.cap && tin && tarrive;
    if (!ok) {
#pragma omp atomic write
      failed = PSC_ENOMEM;
    }
#pragma omp for schedule(dynamic, 1)
    for (int64_t k = 0; k < ns; k++) {
      if (!ok || (scope >= 0 && k != scope))
        continue;
      int r = street_bounds(x, v, e, (uint32_t)k, &street[k], hi, min_run, tin, tarrive, &TB);
      if (r) {
#pragma omp atomic write
        failed = r;
      }
    }
    if (team) {
      free(TB.cap);
      free(tin);
      free(tarrive);
    }
  }
  if (!rc)
    rc = failed;
  free(B.cap);
  free(in);
  free(arrive);
  free(street);
  return rc;
}

int psc__bounds(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e) {
  return psc__bounds_of(x, v, e, PSC__BOUND_ALL);
}
