/* Transport and labs: tubes leave on batches and are pulled into PCR runs.
 *
 * Every instrument's next run is an event keyed by the time that run would
 * end. The earliest-ending run is formed first: it takes, earliest deadline
 * first, the tubes that can have reached its lab by its start, from any
 * site that sends to that lab (a site's PSC__NEAR_LABS quickest labs). So a
 * tube goes to whichever run would report it first, plates are filled from
 * every lab's catchment at once, and instruments of different run lengths
 * finish together at the end of the round.
 *
 * When a run starts is [lab] run_start: `eager` starts it as soon as the
 * instrument is free, the lab is open and one tube waits (the contract's
 * rule, scenario-format.md); `planned` may hold it until its plate fills,
 * when the wait costs less instrument time than the empty wells would and
 * no waiting tube is made late by it. Aligned to an end (the variant's
 * align_end, refine.c's align_the_end), the instruments whose whole runs to
 * that end the round cannot spare (align_init) form their first runs in
 * the order of their latest start that keeps their count of whole runs to
 * that end, and their runs are held at most to that start. In a simulation
 * a run may fail; its tubes wait again at the same lab from the run's end
 * (at most three failed runs per tube). */
#include "plan/plan_internal.h"
#include "plan/pull_queues.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* ---- waiting tubes ----------------------------------------------------------- */

/* A lab's waiting tubes by priority class (classes are the distinct
 * deadlines, earliest first), each class first come first served: tubes join
 * in the order they reach the lab, so this is earliest deadline first, then
 * earliest arrival. Tubes taken by another lab are dropped when they reach
 * the front. The top bit of an entry marks a tube waiting again after a
 * failed run. */
#define REQUEUED 0x80000000u

/* ---- the labs' state -------------------------------------------------------- */

/* A future arrival at a lab: a tube and when it would be there. */
typedef struct {
  double at;
  uint32_t t;
} arr_t;

typedef struct {
  uint32_t inst, wells;
  double run_min;
  /* the catchment: a min-heap of site cursors by their next tube's arrival */
  uint32_t *cur_site;  /* per cursor: site */
  uint32_t *cur_pos;   /* per cursor: next position in by_site */
  double *cur_trip;    /* per cursor: travel + handover from the site */
  double *cur_key;     /* per cursor: when its next tube arrives (INFINITY: none) */
  uint32_t ncur;
  /* arrivals taken off the catchment, not yet due (after the frontier) */
  arr_t *buf;
  uint32_t bhead, bn, bcap;
  /* tubes of failed runs, due again at `at` (in time order) */
  arr_t *rq;
  uint32_t rqhead, rqn, rqcap;
  double frontier; /* every arrival up to here is in the waiting heap */
  waitq_t wait;    /* arrived tubes, earliest deadline first (lazily cleaned) */
  uint32_t valid;  /* tubes in `wait` that are still free */
  uint8_t *parked; /* per instrument: out of work, not in the event heap */
  uint8_t *ran;    /* per instrument: has formed a run */
  uint8_t *aligned; /* per instrument: aligned to the end (align_init) */
  double *pend;    /* per instrument: its event's start (INFINITY: parked or popped) */
  double *pkey;    /* per instrument: its event's key */
  gsl_rng *fail;
} lab_t;

typedef struct {
  const psc__labmodel_t *m;
  psc__eval_t *e;
  const uint32_t *by_site, *site_first; /* tubes by (site, departure) */
  const double *deadline;
  const uint32_t *cls; /* per tube: its deadline's rank among the distinct deadlines */
  uint32_t ncls;
  uint8_t *state; /* per tube: FREE, IN_RUN, WAITING_AGAIN */
  uint8_t *fails; /* per tube: failed runs so far */
  lab_t *lab;
  int planned;
  double hold; /* how long a run may be held, in run lengths x empty share */
  int oom;     /* a lookahead buffer could not grow: the pull fails */
} pull_t;

enum { FREE = 0, IN_RUN = 1, WAITING_AGAIN = 2 };

/* The first time at or after t that lab l is neither closed nor in one of
 * the scenario's outage windows (simulation). */
static double lab_available(const pull_t *P, uint32_t l, double t) {
  const psc_scenario_t *s = P->m->outages;
  for (;;) {
    double u = psc__hours_next_open(&P->m->hours[l], t);
    if (s)
      for (uint32_t k = 0; k < s->noutages; k++)
        if (s->outage_lab[k] == l && u >= s->outage_start[k] && u < s->outage_end[k])
          u = s->outage_end[k];
    if (u == t)
      return t;
    t = u;
  }
}

static double cursor_next(const pull_t *P, const lab_t *L, uint32_t c) {
  uint32_t site = L->cur_site[c], pos = L->cur_pos[c];
  if (pos >= P->site_first[site + 1])
    return INFINITY;
  return P->e->departed[P->by_site[pos]] + L->cur_trip[c];
}

static void cursor_sift(lab_t *L, uint32_t i) {
  uint32_t n = L->ncur;
  for (;;) {
    uint32_t c = 2 * i + 1, best = i;
    if (c < n && L->cur_key[c] < L->cur_key[best])
      best = c;
    if (c + 1 < n && L->cur_key[c + 1] < L->cur_key[best])
      best = c + 1;
    if (best == i)
      return;
    uint32_t s = L->cur_site[i], p = L->cur_pos[i];
    double tr = L->cur_trip[i], k = L->cur_key[i];
    L->cur_site[i] = L->cur_site[best];
    L->cur_pos[i] = L->cur_pos[best];
    L->cur_trip[i] = L->cur_trip[best];
    L->cur_key[i] = L->cur_key[best];
    L->cur_site[best] = s;
    L->cur_pos[best] = p;
    L->cur_trip[best] = tr;
    L->cur_key[best] = k;
    i = best;
  }
}

/* Moves the catchment's next free tube into the lookahead buffer; 0 when
 * the catchment is empty, -1 (and P->oom) when the buffer cannot grow (the
 * catchment is left as it was). */
static int take_next(pull_t *P, lab_t *L) {
  while (L->ncur && isfinite(L->cur_key[0])) {
    /* every tube of the first site that leaves on this batch arrives at
     * once: take them together and re-sift the site once */
    double at = L->cur_key[0];
    uint32_t site = L->cur_site[0], pos = L->cur_pos[0], end = P->site_first[site + 1];
    double dep = P->e->departed[P->by_site[pos]];
    uint32_t stop = pos;
    while (stop < end && P->e->departed[P->by_site[stop]] == dep)
      stop++;
    void *q = L->buf;
    int rc = queue_room(&q, &L->bhead, L->bn, &L->bcap, sizeof(arr_t), stop - pos);
    L->buf = q;
    if (rc) {
      P->oom = 1;
      return -1;
    }
    L->cur_pos[0] = stop;
    L->cur_key[0] = cursor_next(P, L, 0);
    cursor_sift(L, 0);
    uint32_t got = 0;
    for (uint32_t k = pos; k < stop; k++) {
      uint32_t t = P->by_site[k];
      if (P->state[t] == FREE) {
        L->buf[L->bhead + L->bn++] = (arr_t){at, t};
        got++;
      }
    }
    if (got)
      return 1;
  }
  return 0;
}

static int waiting_valid(const pull_t *P, uint32_t l, uint32_t tagged) {
  uint32_t t = tagged & ~REQUEUED;
  if (tagged & REQUEUED)
    return P->state[t] == WAITING_AGAIN && P->e->lab[t] == l;
  return P->state[t] == FREE;
}

/* Queues tube entry v (tagged) at lab l in its class. A full class queue is
 * first rid of the tubes other labs took (they would be dropped at its front
 * anyway): each tube waits at up to PSC__NEAR_LABS labs, so this keeps a
 * city's queues near the tubes really waiting. */
static __attribute__((noinline)) void compact(pull_t *P, uint32_t l, fifo_t *f) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < f->n; i++)
    if (waiting_valid(P, l, f->q[f->head + i]))
      f->q[k++] = f->q[f->head + i];
  f->head = 0;
  f->n = k;
}

static inline int enqueue(pull_t *P, uint32_t l, uint32_t cls, uint32_t v) {
  fifo_t *f = &P->lab[l].wait.cls[cls];
  if (f->head + f->n == f->cap && f->n) /* rare: kept out of line */
    compact(P, l, f);
  return wq_push(&P->lab[l].wait, cls, v);
}

/* Everything due at lab l by time s joins its waiting heap. */
static int advance(pull_t *P, uint32_t l, double s) {
  lab_t *L = &P->lab[l];
  for (;;) {
    if (!L->bn) {
      int got = take_next(P, L);
      if (got < 0)
        return PSC_ENOMEM;
      if (!got)
        break;
    }
    arr_t a = L->buf[L->bhead];
    if (a.at > s)
      break;
    L->bhead++;
    L->bn--;
    if (P->state[a.t] != FREE)
      continue;
    if (enqueue(P, l, P->cls[a.t], a.t))
      return PSC_ENOMEM;
    L->valid++;
  }
  while (L->rqn && L->rq[L->rqhead].at <= s) {
    arr_t a = L->rq[L->rqhead++];
    L->rqn--;
    if (enqueue(P, l, P->cls[a.t], a.t | REQUEUED))
      return PSC_ENOMEM;
    L->valid++;
  }
  L->frontier = fmax(L->frontier, s);
  return 0;
}

/* The time the k-th (k >= 1) free tube not yet due would reach lab l,
 * INFINITY when fewer than k will. */
static double kth_arrival(pull_t *P, uint32_t l, uint32_t k) {
  lab_t *L = &P->lab[l];
  uint32_t i = 0, j = 0, seen = 0;
  for (;;) {
    while (i >= L->bn) {
      int got = take_next(P, L);
      if (got <= 0)
        break;
    }
    double ab = i < L->bn ? L->buf[L->bhead + i].at : INFINITY;
    double ar = j < L->rqn ? L->rq[L->rqhead + j].at : INFINITY;
    if (!isfinite(ab) && !isfinite(ar))
      return INFINITY;
    if (ab <= ar) {
      if (P->state[L->buf[L->bhead + i].t] == FREE && ++seen == k)
        return ab;
      i++;
    } else {
      if (++seen == k)
        return ar;
      j++;
    }
  }
}

/* The first waiting tube of lab l (tagged), dropping tubes taken elsewhere;
 * PSC__NONE when none waits. */
static uint32_t front(pull_t *P, uint32_t l) {
  waitq_t *w = &P->lab[l].wait;
  for (; w->lo < w->ncls; w->lo++) {
    fifo_t *f = &w->cls[w->lo];
    while (f->n && !waiting_valid(P, l, f->q[f->head])) {
      f->head++;
      f->n--;
    }
    if (f->n)
      return f->q[f->head];
    f->head = 0;
  }
  return PSC__NONE;
}

static void pop_front(pull_t *P, uint32_t l) {
  waitq_t *w = &P->lab[l].wait;
  w->cls[w->lo].head++;
  w->cls[w->lo].n--;
}

/* Tubes waiting at lab l by time s (s >= its frontier), without moving it;
 * counting stops at `limit` (callers ask "one?" or "a plate?"). */
static uint32_t waiting_by(pull_t *P, uint32_t l, double s, uint32_t limit) {
  lab_t *L = &P->lab[l];
  uint32_t n = L->valid;
  for (uint32_t i = 0; n < limit; i++) {
    while (i >= L->bn && take_next(P, L) > 0) {
    }
    if (i >= L->bn || L->buf[L->bhead + i].at > s)
      break;
    n += P->state[L->buf[L->bhead + i].t] == FREE;
  }
  for (uint32_t j = 0; j < L->rqn && L->rq[L->rqhead + j].at <= s && n < limit; j++)
    n++;
  return n;
}

/* With the variant's align_end: the latest start at or after s that still
 * fits as many whole runs of lab L ending by align_end - report_min as a
 * start at s; s itself when none fits. */
static double latest_start(const pull_t *P, const lab_t *L, double s) {
  double last = P->m->align_end - P->m->report_min;
  double m = floor((last - s) / L->run_min);
  return m >= 1 ? last - m * L->run_min : s;
}

/* When instrument k's next run at lab l, the instrument free at f, starts
 * (INFINITY: no tube will come). Only looks: the lab's frontier moves when
 * a run is formed, since other instruments' runs may start before this
 * one. */
static int next_start(pull_t *P, uint32_t l, uint32_t k, double f, double *start) {
  lab_t *L = &P->lab[l];
  double s = lab_available(P, l, fmax(f, L->frontier));
  uint32_t n = waiting_by(P, l, s, L->wells);
  if (!n) {
    double a = kth_arrival(P, l, 1);
    if (!isfinite(a)) {
      *start = INFINITY;
      return 0;
    }
    s = lab_available(P, l, fmax(a, s));
    n = waiting_by(P, l, s, L->wells);
  }
  if (P->planned && n < L->wells) {
    /* hold for a full plate while the wait costs less instrument time than
     * the empty wells would, and makes no waiting tube late */
    double fill = kth_arrival(P, l, L->wells - L->valid);
    double limit = P->hold * L->run_min * (1.0 - (double)n / L->wells);
    uint32_t top = front(P, l);
    double urgent = INFINITY;
    if (top != PSC__NONE)
      urgent = P->deadline[top & ~REQUEUED] - L->run_min - P->m->report_min;
    /* a replay's retest (class 0) due by s, queued or not, is never held */
    for (uint32_t i = 0; P->m->retests && i < L->bn && L->buf[L->bhead + i].at <= s; i++)
      if (P->state[L->buf[L->bhead + i].t] == FREE && P->cls[L->buf[L->bhead + i].t] == 0)
        urgent = -INFINITY;
    /* aligned to an end: held at most to the latest start that keeps as
     * many whole runs before it, with the tubes there by then */
    if (L->aligned[k])
      fill = fmin(fill, latest_start(P, L, s));
    if (isfinite(fill) && fill > s && fill - s <= limit && fill <= urgent)
      s = lab_available(P, l, fill);
  }
  *start = s;
  return 0;
}

/* Forms instrument k's run at lab l from start s: the waiting tubes with the
 * earliest deadlines, at most a plate. A failed run (simulation) holds its
 * tubes until its end; they then wait again at this lab. */
static int form_run(pull_t *P, uint32_t l, uint32_t k, double s, uint32_t *taken_list) {
  lab_t *L = &P->lab[l];
  psc__eval_t *e = P->e;
  const psc__labmodel_t *m = P->m;
  double end = s + L->run_min;
  int rc = advance(P, l, s);
  if (!rc)
    rc = psc__runs_room(e, 1);
  if (rc)
    return rc;
  uint32_t r = e->nruns++, taken = 0;
  int failed = L->fail && gsl_rng_uniform(L->fail) < m->run_failure;
  while (taken < L->wells) {
    uint32_t w = front(P, l);
    if (w == PSC__NONE)
      break;
    pop_front(P, l);
    uint32_t t = w & ~REQUEUED;
    L->valid--;
    if (!(w & REQUEUED)) {
      /* the tube leaves every other lab's waiting count */
      uint32_t site = e->site[t];
      const uint32_t *near = m->near_lab + (size_t)site * PSC__NEAR_LABS;
      const double *mins = m->near_lab_min + (size_t)site * PSC__NEAR_LABS;
      for (int j = 0; j < PSC__NEAR_LABS && near[j] != PSC__NONE; j++) {
        if (near[j] == l)
          e->arrived[t] = e->departed[t] + mins[j];
        else if (e->departed[t] + mins[j] <= P->lab[near[j]].frontier)
          P->lab[near[j]].valid--;
      }
    }
    P->state[t] = IN_RUN;
    e->lab[t] = l;
    /* no tube fails more than three runs: such a run is not failed again */
    if (P->fails[t] >= 3)
      failed = 0;
    taken_list[taken++] = t;
  }
  if (failed) {
    void *q = L->rq;
    int rc2 = queue_room(&q, &L->rqhead, L->rqn, &L->rqcap, sizeof(arr_t), taken);
    L->rq = q;
    if (rc2)
      return rc2;
    for (uint32_t j = 0; j < taken; j++) {
      uint32_t t = taken_list[j];
      P->state[t] = WAITING_AGAIN;
      P->fails[t]++;
      L->rq[L->rqhead + L->rqn++] = (arr_t){end, t};
    }
    e->failed_runs++;
  } else {
    for (uint32_t j = 0; j < taken; j++) {
      uint32_t t = taken_list[j];
      e->run[t] = r;
      e->run_start[t] = s;
      e->reported[t] = end + m->report_min;
    }
  }
  e->run_lab[r] = l;
  e->run_instrument[r] = k;
  e->run_tubes[r] = failed ? 0 : taken;
  e->run_begin[r] = s;
  e->run_end[r] = end;
  return 0;
}

/* Sets up every lab's catchment (cursors over the sites that send to it),
 * instruments and failure stream. */
static int labs_init(pull_t *P) {
  const psc__labmodel_t *x = P->m;
  uint32_t *ncur = calloc(x->nlabs + 1, 4);
  if (!ncur)
    return PSC_ENOMEM;
  for (uint32_t i = 0; i < x->nsites; i++)
    for (int j = 0; j < PSC__NEAR_LABS && x->near_lab[(size_t)i * PSC__NEAR_LABS + j] != PSC__NONE; j++)
      ncur[x->near_lab[(size_t)i * PSC__NEAR_LABS + j]]++;
  int rc = 0;
  for (uint32_t l = 0; l < x->nlabs && !rc; l++) {
    lab_t *L = &P->lab[l];
    L->inst = x->inst[l];
    L->wells = x->wells[l];
    L->run_min = x->run_min[l];
    L->frontier = -INFINITY;
    L->cur_site = psc__malloc(ncur[l] + 1, 4);
    L->cur_pos = psc__malloc(ncur[l] + 1, 4);
    L->cur_trip = psc__malloc(ncur[l] + 1, 8);
    L->cur_key = psc__malloc(ncur[l] + 1, 8);
    L->parked = calloc(L->inst + 1, 1);
    L->ran = calloc(L->inst + 1, 1);
    L->aligned = calloc(L->inst + 1, 1);
    L->pend = psc__malloc(L->inst + 1, 8);
    L->pkey = psc__malloc(L->inst + 1, 8);
    L->wait.cls = calloc(P->ncls + 1, sizeof(fifo_t));
    L->wait.ncls = P->ncls;
    if (!L->cur_site || !L->cur_pos || !L->cur_trip || !L->cur_key || !L->parked || !L->ran ||
        !L->aligned || !L->pend || !L->pkey || !L->wait.cls)
      rc = PSC_ENOMEM;
    if (!rc && x->run_failure > 0 && !(L->fail = psc__rng_stream(x->fail_seed, x->fail_domain, l)))
      rc = PSC_ENOMEM;
  }
  for (uint32_t i = 0; i < x->nsites && !rc; i++) {
    for (int j = 0; j < PSC__NEAR_LABS; j++) {
      uint32_t l = x->near_lab[(size_t)i * PSC__NEAR_LABS + j];
      if (l == PSC__NONE)
        break;
      lab_t *L = &P->lab[l];
      L->cur_site[L->ncur] = i;
      L->cur_pos[L->ncur] = P->site_first[i];
      L->cur_trip[L->ncur] = x->near_lab_min[(size_t)i * PSC__NEAR_LABS + j];
      L->cur_key[L->ncur] = cursor_next(P, L, L->ncur);
      L->ncur++;
    }
  }
  for (uint32_t l = 0; l < x->nlabs && !rc; l++)
    for (uint32_t c = P->lab[l].ncur; c-- > 0;)
      cursor_sift(&P->lab[l], c);
  free(ncur);
  return rc;
}

static void labs_free(pull_t *P) {
  for (uint32_t l = 0; P->lab && l < P->m->nlabs; l++) {
    lab_t *L = &P->lab[l];
    free(L->cur_site);
    free(L->cur_pos);
    free(L->cur_trip);
    free(L->cur_key);
    free(L->buf);
    free(L->rq);
    wq_free(&L->wait);
    free(L->parked);
    free(L->ran);
    free(L->aligned);
    free(L->pend);
    free(L->pkey);
    if (L->fail)
      gsl_rng_free(L->fail);
  }
  free(P->lab);
}

/* An instrument's next run from start s is formed in the order of its end;
 * an aligned instrument's first run in the order of its latest start
 * instead (ties: the earlier start), so the instruments whose count of
 * whole runs to the end depends on starting early (long runs) take the
 * first tubes. */
static double ev_key(const pull_t *P, const lab_t *L, uint32_t k, double s) {
  if (L->aligned[k] && !L->ran[k])
    return latest_start(P, L, s) + s * 1e-7;
  return s + L->run_min;
}

static void push(pull_t *P, event_t *ev, uint32_t *nev, uint32_t l, uint32_t k, double s) {
  lab_t *L = &P->lab[l];
  L->pend[k] = s;
  L->pkey[k] = ev_key(P, L, k, s);
  event_push(ev, nev, (event_t){L->pkey[k], s, l, k});
}

/* Aligned, a first run can come before a run of its lab that starts
 * earlier (its key is its latest start, below the other's end); a lab's
 * runs are formed in start order (its frontier moves to each start), so
 * such a run waits behind the earlier one: the key just after that one's,
 * or 0 when none starts earlier. */
static double behind(const pull_t *P, const event_t *top) {
  const lab_t *L = &P->lab[top->lab];
  double key = 0;
  for (uint32_t k = 0; k < L->inst; k++)
    if (k != top->inst && L->pend[k] < top->start - 1e-9)
      key = fmax(key, nextafter(L->pkey[k], INFINITY));
  return key > top->end ? key : 0;
}

/* Aligned, the instruments of a lab are alike: when an aligned first run
 * would wait behind an earlier start of an unaligned instrument of its lab
 * that has not run yet (behind), the alignment moves to that instrument,
 * whose start keeps at least as many whole runs. 1 when it moved. */
static int align_earlier(pull_t *P, event_t *ev, uint32_t *nev, const event_t *top) {
  lab_t *L = &P->lab[top->lab];
  uint32_t k2 = PSC__NONE;
  if (!L->aligned[top->inst] || L->ran[top->inst])
    return 0;
  for (uint32_t k = 0; k < L->inst; k++)
    if (!L->aligned[k] && !L->ran[k] && L->pend[k] < top->start - 1e-9 &&
        (k2 == PSC__NONE || L->pend[k] < L->pend[k2]))
      k2 = k;
  if (k2 == PSC__NONE)
    return 0;
  L->aligned[k2] = 1;
  L->aligned[top->inst] = 0;
  L->pkey[k2] = ev_key(P, L, k2, L->pend[k2]);
  event_rekey(ev, *nev, top->lab, k2, L->pkey[k2]);
  push(P, ev, nev, top->lab, top->inst, top->start);
  return 1;
}

/* The pull: instruments' next runs, earliest end first (aligned first runs
 * by their latest start, ev_key). */
static int pull(pull_t *P, uint32_t *taken_list) {
  const psc__labmodel_t *x = P->m;
  uint32_t ninst = 0, nev = 0;
  for (uint32_t l = 0; l < x->nlabs; l++)
    ninst += P->lab[l].inst;
  event_t *ev = psc__malloc(ninst + 1, sizeof(event_t));
  if (!ev)
    return PSC_ENOMEM;
  int rc = 0;
  for (uint32_t l = 0, first = 0; l < x->nlabs && !rc; first += P->lab[l++].inst)
    for (uint32_t k = 0; k < P->lab[l].inst && !rc; k++) {
      double s;
      rc = next_start(P, l, k, x->inst_free ? x->inst_free[first + k] : 0, &s);
      P->lab[l].pend[k] = INFINITY;
      if (!rc && isfinite(s))
        push(P, ev, &nev, l, k, s);
      else
        P->lab[l].parked[k] = 1;
    }
  while (!rc && nev && !P->oom) {
    event_t top = event_pop(ev, &nev);
    lab_t *L = &P->lab[top.lab];
    double wait = P->m->align_end > 0 ? behind(P, &top) : 0;
    if (wait > 0 && align_earlier(P, ev, &nev, &top))
      continue;
    if (wait > 0) {
      top.end = L->pkey[top.inst] = wait;
      event_push(ev, &nev, top);
      continue;
    }
    L->pend[top.inst] = INFINITY;
    /* things changed since this run was planned: tubes were taken */
    double s;
    if ((rc = next_start(P, top.lab, top.inst, top.start, &s)))
      break;
    if (!isfinite(s)) {
      L->parked[top.inst] = 1;
      continue;
    }
    if (s > top.start + 1e-9) {
      push(P, ev, &nev, top.lab, top.inst, s);
      continue;
    }
    uint32_t before = L->rqn;
    if ((rc = form_run(P, top.lab, top.inst, s, taken_list)))
      break;
    L->ran[top.inst] = 1;
    double end = s + L->run_min;
    /* tubes waiting again wake the lab's idle instruments */
    if (L->rqn > before)
      for (uint32_t k = 0; k < L->inst; k++)
        if (L->parked[k]) {
          L->parked[k] = 0;
          push(P, ev, &nev, top.lab, k, end);
        }
    double next;
    if ((rc = next_start(P, top.lab, top.inst, end, &next)))
      break;
    if (isfinite(next))
      push(P, ev, &nev, top.lab, top.inst, next);
    else
      L->parked[top.inst] = 1;
  }
  free(ev);
  return rc;
}

/* Aligned to an end: which instruments are aligned. Started at the first
 * arrival at its lab (or when it is free), an instrument fits m whole runs
 * ending by the end (each started while the lab is open); the pull's
 * capacity is the sum of m x wells, and its slack that less its tubes. An
 * instrument that starts after its latest start loses one run, its wells,
 * which the slack may spare: the hardest to keep (the earliest latest
 * start; on a tie the later first arrival) are spared, unaligned, while
 * the slack lasts. The rest are aligned; with no slack, every instrument
 * that tubes reach and that fits a whole run. */
typedef struct {
  double latest, first;
  uint32_t lab, inst;
} spare_t;

static int cmp_spare(const void *a, const void *b) {
  const spare_t *x = a, *y = b;
  if (x->latest != y->latest)
    return x->latest < y->latest ? -1 : 1;
  if (x->first != y->first)
    return x->first > y->first ? -1 : 1;
  if (x->lab != y->lab)
    return x->lab < y->lab ? -1 : 1;
  return (x->inst > y->inst) - (x->inst < y->inst);
}

static int align_init(pull_t *P, uint32_t ntubes) {
  const psc__labmodel_t *x = P->m;
  if (!(x->align_end > 0))
    return 0;
  uint32_t ninst = 0, n = 0;
  for (uint32_t l = 0; l < x->nlabs; l++)
    ninst += P->lab[l].inst;
  spare_t *sp = psc__malloc(ninst + 1, sizeof(spare_t));
  if (!sp)
    return PSC_ENOMEM;
  const double last = x->align_end - x->report_min;
  if (!isfinite(last))
    return 0;
  double slack = -(double)ntubes;
  for (uint32_t l = 0, first = 0; l < x->nlabs; first += P->lab[l++].inst) {
    lab_t *L = &P->lab[l];
    double a0 = L->ncur ? L->cur_key[0] : INFINITY; /* the catchment's first arrival */
    for (uint32_t k = 0; k < L->inst; k++) {
      double a = fmax(a0, x->inst_free ? x->inst_free[first + k] : 0);
      if (!isfinite(a))
        continue;
      a = lab_available(P, l, a);
      double m = 0;
      for (double s = a; s + L->run_min <= last; s = lab_available(P, l, s + L->run_min))
        m++;
      if (m < 1)
        continue;
      slack += m * L->wells;
      sp[n++] = (spare_t){last - m * L->run_min, a, l, k};
      L->aligned[k] = 1;
    }
  }
  qsort(sp, n, sizeof *sp, cmp_spare);
  for (uint32_t i = 0; i < n; i++) {
    lab_t *L = &P->lab[sp[i].lab];
    if (slack >= L->wells) {
      slack -= L->wells;
      L->aligned[sp[i].inst] = 0;
    }
  }
  free(sp);
  return 0;
}

int psc__pull_labs(const psc__labmodel_t *m, const uint32_t *by_site, const uint32_t *site_first,
                   uint32_t ntubes, const double *deadline, const uint32_t *cls, uint32_t ncls,
                   psc__eval_t *e) {
  uint32_t max_wells = 1;
  for (uint32_t l = 0; l < m->nlabs; l++)
    max_wells = m->wells[l] > max_wells ? m->wells[l] : max_wells;
  uint32_t *taken = psc__malloc(max_wells + 1, 4);
  uint8_t *state = calloc(ntubes + 1, 1), *fails = calloc(ntubes + 1, 1);
  pull_t P = {m, e, by_site, site_first, deadline, cls, ncls, state, fails, NULL,
              m->planned, m->hold, 0};
  P.lab = calloc(m->nlabs + 1, sizeof(lab_t));
  int rc = PSC_ENOMEM;
  if (taken && state && fails && P.lab) {
    e->nruns = 0;
    e->failed_runs = 0;
    if (!(rc = labs_init(&P)) && !(rc = align_init(&P, ntubes)))
      rc = pull(&P, taken);
    if (!rc && P.oom) /* a lookahead that could not grow lost no tube, but the pull stopped */
      rc = PSC_ENOMEM;
  }
  labs_free(&P);
  free(taken);
  free(state);
  free(fails);
  return rc;
}
