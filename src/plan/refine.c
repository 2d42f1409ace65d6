/* Refinements of a wave order's plan in the search (plan.c's
 * search_order): local moves of the waves, feeding the night and aligning
 * the labs to an end, each evaluating variants of the best plan and keeping
 * one when it is better by the planner's objective (psc__better); and a
 * partner street at T0, tried from the paced plan and kept by psc__search
 * when it is better. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Local search over the waves, from the best plan's openings: each
 * ordinary street in opening order is tried opened earlier or later by the
 * steps below; a move is kept when the plan is better by the objective.
 * The pacing settles where each street opens as late as its deadline
 * allows; a street that then opens at night, when only its round-the-clock
 * sites sample, can miss by little and be saved by opening an hour or two
 * earlier or later, a move the pacing never makes. */
static const double STEPS_H[] = {-6, -4, -2, -1, 1, 2, 4, 6};
#define NSTEPS (sizeof(STEPS_H) / sizeof(STEPS_H[0]))
#define SEARCH_EVALS 48

int psc__local_search(const psc__ctx_t *x, psc__variant_t v, psc__eval_t *best, double *best_open,
                      psc__eval_t *trial, double *open) {
  const uint8_t *keyed = x->street_keyed;
  v.street_open = open;
  int rc = 0, evals = 0, moved = 1;
  while (moved && !rc && evals < SEARCH_EVALS) {
    moved = 0;
    for (uint32_t st = 0; st < x->nstreets && !rc && evals < SEARCH_EVALS; st++) {
      if (keyed[st] || !best->street[st].tubes)
        continue;
      /* the streets that missed and the one that ends the round first */
      const psc_verdict_t *sv = &best->street[st];
      if (sv->met && sv->complete < best->district.complete - 1e-6)
        continue;
      for (size_t j = 0; j < NSTEPS && !rc && evals < SEARCH_EVALS; j++) {
        memcpy(open, best_open, x->nstreets * sizeof(double));
        open[st] = fmax(0, open[st] + STEPS_H[j] * 60.0);
        if (open[st] == best_open[st])
          continue;
        evals++;
        if ((rc = psc__evaluate(x, &v, trial)) != 0)
          break;
        if (psc__better(trial, best)) {
          psc__keep_trial(x, best, trial, best_open, open);
          moved = 1;
          break;
        }
      }
    }
  }
  return rc;
}

/* Feeding the night: the pacing opens a street as late as its deadline
 * allows, which for a street the labs reach late is often the night, when
 * only its round-the-clock sites swab; its tubes then come in a trickle
 * while the labs, done with the day's streets, run dry until the morning.
 * Such a street is also tried opened in the evening before, 0, 1/2 and 1 h
 * before its walk-in sites close: its evening's swabs keep the labs busy
 * through the night. The streets that this makes late (their tubes now
 * queue behind its) are opened later by their lateness plus the margin,
 * at most twice; the move is kept when the plan is better by the
 * objective. */
static const double EVENING_H[] = {0, 0.5, 1};
#define NEVENING (sizeof(EVENING_H) / sizeof(EVENING_H[0]))
#define EVENING_REPAIRS 2
#define EVENING_EVALS 12

int psc__feed_the_night(const psc__ctx_t *x, psc__variant_t v, const psc__sampling_curve_t *curve,
                        double margin, psc__eval_t *best, double *best_open, psc__eval_t *trial,
                        double *open) {
  const uint8_t *keyed = x->street_keyed;
  v.street_open = open;
  int rc = 0, evals = 0;
  for (uint32_t st = 0; st < x->nstreets && !rc && evals < EVENING_EVALS; st++) {
    if (keyed[st] || !best->street[st].tubes)
      continue;
    double eve = psc__evening_before(curve, st, best_open[st]);
    if (!isfinite(eve))
      continue;
    for (size_t j = 0; j < NEVENING && !rc && evals < EVENING_EVALS; j++) {
      memcpy(open, best_open, x->nstreets * sizeof(double));
      open[st] = fmax(0, eve - EVENING_H[j] * 60.0);
      evals++;
      if ((rc = psc__evaluate(x, &v, trial)) != 0)
        break;
      for (int r = 0; r < EVENING_REPAIRS && !rc && trial->missed_street &&
                      !psc__better(trial, best) && evals < EVENING_EVALS;
           r++) {
        int moved = 0;
        for (uint32_t q = 0; q < x->nstreets; q++) {
          const psc_verdict_t *sv = &trial->street[q];
          if (q == st || keyed[q] || !sv->tubes || sv->met || !isfinite(sv->complete))
            continue;
          open[q] += sv->complete - sv->deadline + margin;
          moved = 1;
        }
        if (!moved)
          break;
        evals++;
        rc = psc__evaluate(x, &v, trial);
      }
      if (!rc && psc__better(trial, best)) {
        psc__keep_trial(x, best, trial, best_open, open);
        break;
      }
    }
  }
  return rc;
}

/* Aligning the end: the labs' pull forms each instrument's next run in the
 * order of its end, so the first tubes of the round go to the short runs
 * of the nearest labs, and a run may be held for its plate. A round that
 * ends on the labs ends when the last instrument does: an instrument of
 * long runs that starts its first run an hour late does one run fewer
 * before the end, and that run's wells are lost. Aligned to an end E, the
 * instruments whose whole runs to E the round cannot spare form their
 * first runs in the order of their latest start that still fits as many
 * whole runs reporting by E, and are held at most to that start (labs.c).
 * The best plan is tried aligned to ends in the ALIGN_WINDOW_MIN before its
 * own completion, by bisection: an end that makes the plan better by the
 * objective is kept and an earlier one tried next, else a later one
 * (ALIGN_TRIES evaluations, to within 4 minutes). Measured on the default
 * scenario with street deadlines of 25 to 36 h: the district from
 * T+50:47-50:53 unaligned to T+49:51-50:01 (bound T+49:46), docs/plan.md. */
#define ALIGN_WINDOW_MIN 60.0
#define ALIGN_TRIES 4

int psc__align_the_end(const psc__ctx_t *x, psc__variant_t *v, psc__eval_t *best,
                       double *best_open, psc__eval_t *trial, double *open) {
  psc__variant_t w = *v;
  w.street_open = open;
  double hi = best->district.complete, lo = hi - ALIGN_WINDOW_MIN;
  int rc = 0;
  for (int k = 0; k < ALIGN_TRIES && !rc && isfinite(hi) && hi - lo > 1.0; k++) {
    w.align_end = 0.5 * (lo + hi);
    memcpy(open, best_open, x->nstreets * sizeof(double));
    if ((rc = psc__evaluate(x, &w, trial)) != 0)
      break;
    if (psc__better(trial, best)) {
      psc__keep_trial(x, best, trial, best_open, open);
      v->align_end = w.align_end;
      hi = fmin(w.align_end, best->district.complete);
    } else {
      lo = w.align_end;
    }
  }
  return rc;
}

/* A partner at T0. The labs' first runs are fed by the first transport
 * batch, the tubes swabbed in its window by the streets open at T0, and
 * aligned to an end the long-run instruments need those tubes: a plate
 * started an hour late is a run fewer at the end. The pacing opens each
 * street as late as its own deadline allows, so the streets open at T0 are
 * the key streets and the smallest others, whose sites swab few in that
 * window. A partner takes the place of the smallest ordinary street open
 * at T0: of the streets opened later whose walk-in sites swab more in the
 * window (at most what they have to swab), the one with the most such
 * swabs per tube of its own (what it adds to the first batch for what it
 * adds to the load due first). The partner opens at T0 and stays there,
 * the street it replaces takes the partner's opening, the others are paced
 * again (PARTNER_ROUNDS rounds at the margin) with the labs aligned
 * PARTNER_ALIGN_MIN before the paced plan's completion, and the end is
 * then aligned again (psc__align_the_end). plan.c tries it from each wave
 * order's paced plan, beside the rest of that order's search, and keeps it
 * when it is better by the objective. Measured on the default scenario:
 * Gucheng in Guangning's place takes the district from T+50:59 to T+49:56
 * (bound T+49:46), every street and key community met; docs/plan.md. */
#define PARTNER_ROUNDS 4
#define PARTNER_ALIGN_MIN 60.0

int psc__partner_prepare(const psc__ctx_t *x, const psc__variant_t *v,
                         const psc__sampling_curve_t *curve, double margin,
                         const psc__eval_t *best, const double *best_open, psc__partner_t *t) {
  memset(t, 0, sizeof *t);
  t->st = PSC__NONE;
  const double d0 = best->district.complete, window = psc_scenario_params(x->s)->batch_minutes;
  if (!isfinite(d0))
    return 0; /* no end to align to */
  uint32_t out = PSC__NONE; /* the street the partner replaces */
  for (uint32_t st = 0; st < x->nstreets; st++)
    if (!x->street_keyed[st] && best->street[st].tubes && best_open[st] <= 0 &&
        (out == PSC__NONE || best->street[st].tubes < best->street[out].tubes))
      out = st;
  if (out == PSC__NONE)
    return 0;
  /* the key streets and the partner, open at T0, are due first: they must
   * fit the labs' whole runs by then, every instrument from the first
   * batch's earliest arrival (a count no schedule beats; the pacing may move
   * the other streets at T0 later) */
  const psc_params_t *par = psc_scenario_params(x->s);
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  const double due = par->deadline_street_h * 60.0 - par->report_minutes,
               first = par->batch_minutes + par->handover_minutes;
  double cap = 0, load = 0;
  for (uint32_t l = 0; l < x->nlabs; l++)
    cap += (double)psc__instruments(x, v, l) * lb->wells[l] *
           fmax(0, floor((due - first) / lb->run_minutes[l]));
  for (uint32_t st = 0; st < x->nstreets; st++)
    if (x->street_keyed[st])
      load += best->street[st].tubes;
  /* the partner: most first-window swabs per tube (the first on a tie) */
  double top = 0;
  const double base = fmin(psc__swabs_by(curve, out, window), curve->work[out]);
  for (uint32_t st = 0; st < x->nstreets; st++) {
    /* what its sites can swab in the window, at most what it has to */
    double sw = fmin(psc__swabs_by(curve, st, window), curve->work[st]);
    double tubes = best->street[st].tubes;
    if (!x->street_keyed[st] && tubes > 0 && best_open[st] > 0 && sw > base && isfinite(sw) &&
        load + tubes <= cap && (t->st == PSC__NONE || sw / tubes > top))
      t->st = st, top = sw / tubes;
  }
  if (t->st == PSC__NONE)
    return 0;
  t->margin = margin;
  int rc = psc__eval_alloc(&t->best, x);
  if (!rc)
    rc = psc__eval_alloc(&t->trial, x);
  t->open_best = psc__malloc(x->nstreets + 1, 8);
  t->open = psc__malloc(x->nstreets + 1, 8);
  t->pin = calloc(x->nstreets + 1, 1);
  if (rc || !t->open_best || !t->open || !t->pin) {
    psc__partner_free(t);
    t->st = PSC__NONE;
    return PSC_ENOMEM;
  }
  memcpy(t->open, best_open, x->nstreets * sizeof(double));
  t->open[t->st] = 0;
  t->open[out] = best_open[t->st];
  t->pin[t->st] = 1;
  t->v = *v;
  t->v.street_open = t->open;
  t->v.align_end = fmax(0, d0 - PARTNER_ALIGN_MIN);
  return 0;
}

int psc__partner_run(const psc__ctx_t *x, psc__partner_t *t) {
  int improved = 0;
  int rc = psc__pace(x, &t->v, t->margin, PARTNER_ROUNDS, NULL, t->pin, &t->best, &t->trial,
                     t->open_best, &t->have, &improved);
  t->v.street_open = t->open_best;
  if (!rc && t->have) /* it tries ends on a copy; t->v keeps open_best */
    rc = psc__align_the_end(x, &t->v, &t->best, t->open_best, &t->trial, t->open);
  return rc;
}

void psc__partner_free(psc__partner_t *t) {
  psc__eval_free(&t->best);
  psc__eval_free(&t->trial);
  free(t->open_best);
  free(t->open);
  free(t->pin);
  t->open_best = t->open = NULL;
  t->pin = NULL;
  t->have = 0;
}
