/* Transport and labs: tubes leave on batches, each goes to the lab where it
 * would be done soonest, and every lab runs its queue as scenario-format.md
 * says: a run starts as soon as an instrument is free, the lab is open and
 * a tube waits; it takes at most wells_per_run tubes. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double psc__lab_rate(const psc__ctx_t *x, const psc__variant_t *v, uint32_t l) {
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  double instruments = lb->instruments[l] + (v->extra_lab == (int32_t)l);
  return instruments * lb->wells[l] / lb->run_minutes[l];
}

void psc__lab_rates(const psc__ctx_t *x, const psc__variant_t *v, double *rates) {
  for (uint32_t l = 0; l < x->nlabs; l++)
    rates[l] = psc__lab_rate(x, v, l);
}

typedef struct {
  double key;
  uint32_t t;
} arrival_t;

static int cmp_arrival(const void *a, const void *b) {
  const arrival_t *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->t > y->t) - (x->t < y->t);
}

/* Waiting tubes, earliest deadline first (then earliest arrival, then tube
 * index): a binary min-heap. */
typedef struct {
  double deadline, arrival;
  uint32_t t;
} waiting_t;

static int before(const waiting_t *a, const waiting_t *b) {
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;
  if (a->arrival != b->arrival)
    return a->arrival < b->arrival;
  return a->t < b->t;
}

static void heap_push(waiting_t *h, uint32_t *n, waiting_t w) {
  uint32_t i = (*n)++;
  while (i > 0 && before(&w, &h[(i - 1) / 2])) {
    h[i] = h[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h[i] = w;
}

static waiting_t heap_pop(waiting_t *h, uint32_t *n) {
  waiting_t top = h[0], last = h[--(*n)];
  uint32_t i = 0;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= *n)
      break;
    if (c + 1 < *n && before(&h[c + 1], &h[c]))
      c++;
    if (!before(&h[c], &last))
      break;
    h[i] = h[c];
    i = c;
  }
  if (*n)
    h[i] = last;
  return top;
}

/* The first time at or after t that lab l is neither closed nor in one of
 * the scenario's outage windows (simulation). */
static double lab_available(const psc__ctx_t *x, const psc__variant_t *v, uint32_t l, double t) {
  for (;;) {
    double u = psc__hours_next_open(&x->lab_hours[l], t);
    if (v->outages) {
      const psc_scenario_t *s = x->s;
      for (uint32_t k = 0; k < s->noutages; k++)
        if (s->outage_lab[k] == l && u >= s->outage_start[k] && u < s->outage_end[k])
          u = s->outage_end[k];
    }
    if (u == t)
      return t;
    t = u;
  }
}

/* Tubes of failed runs, waiting to be run again: a min-heap by the time
 * they become available (when the failed run ends). */
typedef struct {
  double *time;
  uint32_t *tube, n;
} requeue_t;

static void rq_push(requeue_t *r, double t, uint32_t tube) {
  uint32_t i = r->n++;
  while (i > 0 && t < r->time[(i - 1) / 2]) {
    r->time[i] = r->time[(i - 1) / 2];
    r->tube[i] = r->tube[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  r->time[i] = t;
  r->tube[i] = tube;
}

static uint32_t rq_pop(requeue_t *r) {
  uint32_t top = r->tube[0], i = 0, n = --r->n;
  double lt = r->time[n];
  uint32_t lu = r->tube[n];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && r->time[c + 1] < r->time[c])
      c++;
    if (!(r->time[c] < lt))
      break;
    r->time[i] = r->time[c];
    r->tube[i] = r->tube[c];
    i = c;
  }
  if (n) {
    r->time[i] = lt;
    r->tube[i] = lu;
  }
  return top;
}

/* Runs one lab's queue (q: its tubes by arrival); returns the number of
 * runs, written from slot run0 (failed runs included). A run starts as soon
 * as an instrument is free, the lab is open and a tube waits; it takes the
 * waiting tubes with the earliest deadlines, at most wells_per_run of them.
 * In a simulation a run may fail: its tubes wait again from its end. */
static uint32_t run_lab(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e, uint32_t l,
                        const arrival_t *q, uint32_t n, uint32_t run0, double *free_at,
                        const double *deadline, waiting_t *heap, uint32_t *failed_runs) {
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  uint32_t inst = lb->instruments[l] + (v->extra_lab == (int32_t)l);
  for (uint32_t k = 0; k < inst; k++)
    free_at[k] = 0;
  gsl_rng *fr = v->run_failure > 0 ? psc__rng_stream(v->fail_seed, PSC__RNG_FAIL, l) : NULL;
  requeue_t rq = {NULL, NULL, 0};
  if (fr) {
    rq.time = psc__malloc(n + 1, sizeof(double));
    rq.tube = psc__malloc(n + 1, 4);
    if (!rq.time || !rq.tube) { /* without memory, no failures: still a valid schedule */
      gsl_rng_free(fr);
      fr = NULL;
    }
  }
  uint32_t runs = 0, next = 0, waiting = 0;
  *failed_runs = 0;
  double now = 0; /* runs are made in time order: no run starts before the last */
  while (next < n || waiting || rq.n) {
    uint32_t best = 0;
    for (uint32_t k = 1; k < inst; k++)
      if (free_at[k] < free_at[best])
        best = k;
    double t = fmax(free_at[best], now);
    if (!waiting) {
      double first = next < n ? q[next].key : INFINITY;
      if (rq.n && rq.time[0] < first)
        first = rq.time[0];
      t = fmax(t, first);
    }
    t = lab_available(x, v, l, t);
    while (next < n && q[next].key <= t) {
      uint32_t tube = q[next++].t;
      heap_push(heap, &waiting, (waiting_t){deadline[tube], e->arrived[tube], tube});
    }
    while (rq.n && rq.time[0] <= t) {
      uint32_t tube = rq_pop(&rq);
      heap_push(heap, &waiting, (waiting_t){deadline[tube], e->arrived[tube], tube});
    }
    now = t;
    double end = t + lb->run_minutes[l];
    uint32_t r = run0 + runs, taken = 0;
    /* failures are capped at three runs per tube of the lab, which bounds
     * the runs a lab can make (its slots) */
    int failed = fr && runs < 3 * n && gsl_rng_uniform(fr) < v->run_failure;
    while (waiting && taken < lb->wells[l]) {
      uint32_t tube = heap_pop(heap, &waiting).t;
      if (failed) {
        rq_push(&rq, end, tube);
      } else {
        e->run[tube] = r;
        e->run_start[tube] = t;
        e->reported[tube] = end + par->report_minutes;
      }
      taken++;
    }
    *failed_runs += (uint32_t)failed;
    e->run_lab[r] = l;
    e->run_instrument[r] = best;
    e->run_tubes[r] = failed ? 0 : taken;
    e->run_begin[r] = t;
    e->run_end[r] = end;
    free_at[best] = end;
    runs++;
  }
  if (fr)
    gsl_rng_free(fr);
  free(rq.time);
  free(rq.tube);
  return runs;
}

/* A lab as the assignment sees it: when each instrument is next free
 * (ascending), the run that started last (tubes arriving by its start may
 * still join it), and the tubes queued for later runs. */
typedef struct {
  double *free_at;
  uint32_t inst, wells;
  double run_min;
  double open_start;
  uint32_t open_count;
  uint32_t pending;
  double pending_first;
} lab_proj_t;

static void proj_sort(lab_proj_t *L) {
  for (uint32_t i = 1; i < L->inst; i++) {
    double v = L->free_at[i];
    uint32_t j = i;
    while (j > 0 && L->free_at[j - 1] > v) {
      L->free_at[j] = L->free_at[j - 1];
      j--;
    }
    L->free_at[j] = v;
  }
}

/* Starts the queued runs that begin by time a. */
static void proj_flush(lab_proj_t *L, const psc__hours_t *h, double a) {
  while (L->pending) {
    double s = psc__hours_next_open(h, fmax(L->free_at[0], L->pending_first));
    if (s > a)
      break;
    uint32_t take = L->pending < L->wells ? L->pending : L->wells;
    L->free_at[0] = s + L->run_min;
    proj_sort(L);
    L->open_start = s;
    L->open_count = take;
    L->pending -= take;
    L->pending_first = s;
  }
}

enum { JOIN_OPEN, NEW_RUN, QUEUE };

/* When a tube arriving at a would leave its run, and how it would get there. */
static double proj_estimate(const lab_proj_t *L, const psc__hours_t *h, double a, int *how) {
  if (L->open_count && L->open_count < L->wells && a <= L->open_start) {
    *how = JOIN_OPEN;
    return L->open_start + L->run_min;
  }
  if (!L->pending && L->free_at[0] <= a) {
    *how = NEW_RUN;
    return psc__hours_next_open(h, a) + L->run_min;
  }
  /* queued: run number k among the runs to come, on instruments in turn */
  *how = QUEUE;
  uint32_t k = L->pending / L->wells; /* the tube is pending + 1st in line */
  double start = L->free_at[k % L->inst] + (double)(k / L->inst) * L->run_min;
  start = fmax(start, fmax(a, L->pending_first));
  return psc__hours_next_open(h, start) + L->run_min;
}

static void proj_take(lab_proj_t *L, const psc__hours_t *h, double a, int how) {
  if (how == JOIN_OPEN) {
    L->open_count++;
  } else if (how == NEW_RUN) {
    double s = psc__hours_next_open(h, a);
    L->free_at[0] = s + L->run_min;
    proj_sort(L);
    L->open_start = s;
    L->open_count = 1;
  } else {
    if (!L->pending || a < L->pending_first)
      L->pending_first = a;
    L->pending++;
  }
}

static int assign_labs(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e,
                       const uint32_t *order) {
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  lab_proj_t *L = calloc(x->nlabs + 1, sizeof(*L));
  uint64_t slots = 0;
  for (uint32_t l = 0; l < x->nlabs; l++)
    slots += lb->instruments[l] + 1u;
  double *pool = calloc(slots + 1, sizeof(double));
  if (!L || !pool) {
    free(L);
    free(pool);
    return PSC_ENOMEM;
  }
  double *at = pool;
  for (uint32_t l = 0; l < x->nlabs; l++) {
    L[l].free_at = at;
    L[l].inst = lb->instruments[l] + (v->extra_lab == (int32_t)l);
    at += lb->instruments[l] + 1u;
    L[l].wells = lb->wells[l];
    L[l].run_min = lb->run_minutes[l];
  }
  uint32_t trip_end = 0;
  for (uint32_t j = 0; j < x->pk->ntubes; j++) {
    uint32_t t = order[j], site = e->site[t];
    /* the rest of this tube's trip: same site, same departure */
    if (j >= trip_end) {
      trip_end = j + 1;
      while (trip_end < x->pk->ntubes && e->site[order[trip_end]] == site &&
             e->departed[order[trip_end]] == e->departed[t])
        trip_end++;
    }
    uint32_t trip_left = trip_end - j;
    const uint32_t *near = x->near_lab + (size_t)site * PSC__NEAR_LABS;
    const double *mins = x->near_lab_min + (size_t)site * PSC__NEAR_LABS;
    double best_score = INFINITY, best_arrive = 0;
    uint32_t best = PSC__NONE;
    int best_how = QUEUE;
    for (int k = 0; k < PSC__NEAR_LABS && near[k] != PSC__NONE; k++) {
      uint32_t l = near[k];
      double arrive = e->departed[t] + mins[k];
      proj_flush(&L[l], &x->lab_hours[l], arrive);
      int how;
      double done = proj_estimate(&L[l], &x->lab_hours[l], arrive, &how);
      /* labs are kept busy by choosing the earliest run start (the run's end
       * breaks ties); a new run holds an instrument for a whole run, so it
       * is charged for the plate capacity this trip would leave empty */
      double score = done - L[l].run_min; /* the run's start */
      if (how == NEW_RUN) {
        double fill = (double)(trip_left < L[l].wells ? trip_left : L[l].wells) / L[l].wells;
        score += v->waste_weight * L[l].run_min * (1.0 - fill);
      }
      if (score < best_score - 1e-9) {
        best_score = score;
        best = l;
        best_arrive = arrive;
        best_how = how;
      }
    }
    proj_take(&L[best], &x->lab_hours[best], best_arrive, best_how);
    e->lab[t] = best;
    e->arrived[t] = best_arrive;
  }
  free(pool);
  free(L);
  return 0;
}

int psc__transport_and_labs(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e) {
  const psc__pack_t *pk = x->pk;
  const psc_params_t *par = psc_scenario_params(x->s);
  const uint32_t nt = pk->ntubes;
  const double batch = par->batch_minutes;
  /* departures, then tubes ordered by (departure, site, tube) with two
   * stable counting sorts */
  uint32_t maxb = 0;
  for (uint32_t t = 0; t < nt; t++) {
    double b = ceil(e->sealed[t] / batch - 1e-9);
    e->departed[t] = b * batch;
    maxb = (uint32_t)b > maxb ? (uint32_t)b : maxb;
  }
  uint32_t nb = maxb + 1, ncnt = (nb > x->nsites ? nb : x->nsites) + 1;
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  uint32_t *by_site = psc__malloc(nt, 4), *order = psc__malloc(nt, 4);
  uint32_t *cnt = calloc(ncnt, 4), *lab_first = calloc(x->nlabs + 2, 4);
  uint32_t *runs_of = calloc(x->nlabs + 1, 4), *failed_of = calloc(x->nlabs + 1, 4);
  arrival_t *q = psc__malloc(nt, sizeof(arrival_t));
  double *deadline = psc__malloc(nt, 8), *street_start = psc__malloc(x->nstreets + 1, 8);
  waiting_t *heap = psc__malloc(nt, sizeof(waiting_t));
  int rc = 0;
  if (!by_site || !order || !cnt || !lab_first || !runs_of || !failed_of || !q || !deadline ||
      !street_start || !heap) {
    rc = PSC_ENOMEM;
    goto done;
  }
  for (uint32_t t = 0; t < nt; t++)
    cnt[e->site[t] + 1]++;
  for (uint32_t i = 0; i < x->nsites; i++)
    cnt[i + 1] += cnt[i];
  for (uint32_t t = 0; t < nt; t++)
    by_site[cnt[e->site[t]]++] = t;
  memset(cnt, 0, ncnt * 4ull);
  for (uint32_t t = 0; t < nt; t++)
    cnt[(uint32_t)(e->departed[t] / batch + 0.5) + 1]++;
  for (uint32_t b = 0; b < nb; b++)
    cnt[b + 1] += cnt[b];
  for (uint32_t j = 0; j < nt; j++) {
    uint32_t t = by_site[j];
    order[cnt[(uint32_t)(e->departed[t] / batch + 0.5)]++] = t;
  }
  /* each tube to the lab where its run would end first, by a projection of
   * every lab's runs as tubes are assigned */
  if ((rc = assign_labs(x, v, e, order)))
    goto done;
  /* each tube's deadline: its key community's, or its street's (which the
   * sampling schedule has just fixed by the street's first swab) */
  for (uint32_t i = 0; i < x->nstreets; i++)
    street_start[i] = INFINITY;
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t st = cm->street[pk->tube_comm[t]];
    street_start[st] = fmin(street_start[st], e->first_swab[t]);
  }
  for (uint32_t t = 0; t < nt; t++) {
    uint32_t c = pk->tube_comm[t];
    deadline[t] = cm->key[c] ? par->deadline_key_h * 60.0
                             : street_start[cm->street[c]] + par->deadline_street_h * 60.0;
  }
  /* per lab queues, by arrival */
  for (uint32_t t = 0; t < nt; t++)
    lab_first[e->lab[t] + 2]++;
  for (uint32_t l = 0; l < x->nlabs; l++)
    lab_first[l + 2] += lab_first[l + 1];
  for (uint32_t t = 0; t < nt; t++)
    q[lab_first[e->lab[t] + 1]++] = (arrival_t){e->arrived[t], t};
  /* lab_first[l] .. lab_first[l+1] now hold lab l's tubes */
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  uint32_t maxinst = 1;
  for (uint32_t l = 0; l < x->nlabs; l++)
    maxinst = lb->instruments[l] + 1 > maxinst ? lb->instruments[l] + 1 : maxinst;
  int failed = 0;
  /* at most one run per tube, and (simulation) three failed runs per tube */
  const uint32_t mult = v->run_failure > 0 ? 4 : 1;
  uint64_t run_slots = (uint64_t)nt * mult;
  if (!failed && e->runs_cap < run_slots) {
    void *a = realloc(e->run_lab, run_slots * 4), *b = realloc(e->run_instrument, run_slots * 4);
    void *c = realloc(e->run_tubes, run_slots * 4), *d = realloc(e->run_begin, run_slots * 8);
    void *f = realloc(e->run_end, run_slots * 8);
    if (a) e->run_lab = a;
    if (b) e->run_instrument = b;
    if (c) e->run_tubes = c;
    if (d) e->run_begin = d;
    if (f) e->run_end = f;
    failed = !a || !b || !c || !d || !f;
    if (!failed)
      e->runs_cap = run_slots;
  }
  const int64_t nl = x->nlabs;
#pragma omp parallel if (!failed)
  {
    double *free_at = psc__malloc(maxinst, 8);
#pragma omp for schedule(dynamic, 1)
    for (int64_t li = 0; li < nl; li++) {
      uint32_t l = (uint32_t)li, a0 = lab_first[l], n = lab_first[l + 1] - a0;
      uint32_t slot0 = a0 * mult; /* a lab's runs go in its own slots */
      if (!free_at) {
#pragma omp atomic write
        failed = 1;
        continue;
      }
      qsort(q + a0, n, sizeof(arrival_t), cmp_arrival);
      runs_of[l] = run_lab(x, v, e, l, q + a0, n, slot0, free_at, deadline, heap + a0,
                           &failed_of[l]);
    }
    free(free_at);
  }
  if (!failed) {
    /* compact the runs: lab by lab, in start order */
    uint32_t nr = 0;
    for (uint32_t l = 0; l < x->nlabs; l++) {
      uint32_t a0 = lab_first[l] * mult;
      for (uint32_t k = 0; k < runs_of[l]; k++) {
        uint32_t from = a0 + k;
        e->run_lab[nr] = e->run_lab[from];
        e->run_instrument[nr] = e->run_instrument[from];
        e->run_tubes[nr] = e->run_tubes[from];
        e->run_begin[nr] = e->run_begin[from];
        e->run_end[nr] = e->run_end[from];
        nr++;
      }
      /* tubes point at slots; shift them to the compacted index */
      for (uint32_t j = lab_first[l]; j < lab_first[l + 1]; j++)
        e->run[q[j].t] -= a0 - (nr - runs_of[l]);
    }
    e->nruns = nr;
    e->failed_runs = 0;
    for (uint32_t l = 0; l < x->nlabs; l++)
      e->failed_runs += failed_of[l];
  }
  rc = failed ? PSC_ENOMEM : 0;
done:
  free(runs_of);
  free(failed_of);
  free(deadline);
  free(street_start);
  free(heap);
  free(by_site);
  free(order);
  free(cnt);
  free(lab_first);
  free(q);
  return rc;
}
