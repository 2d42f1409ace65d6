/* When a street can open: its walk-in sampling, at its sites' capacity and
 * opening hours, must end early enough for its last tubes to be run and
 * reported within its deadline (counted from its first swab). A street
 * released at mid-morning whose sites close before they have swabbed
 * everyone samples on through the night at its round-the-clock sites only,
 * and its clock runs all the while: such openings are skipped for the
 * next one from which the sampling fits (docs/plan.md, "Waves"). */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BUCKET 15.0 /* minutes */
#define MAXPAT 64   /* distinct opening-hour patterns counted apart */

int psc__sampling_curve_init(psc__sampling_curve_t *c, const psc__ctx_t *x,
                             const psc__variant_t *v, double horizon) {
  const psc_sites_t *st = psc_scenario_sites(x->s);
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  memset(c, 0, sizeof *c);
  c->nb = (uint32_t)ceil(horizon / BUCKET) + 1;
  c->ns = x->nstreets;
  c->cum = calloc((size_t)c->ns * (c->nb + 1), sizeof(double));
  c->work = calloc(c->ns + 1, sizeof(double));
  psc__hours_t pat[MAXPAT];
  uint32_t np = 0;
  double *prate = calloc((size_t)(MAXPAT + 1) * (c->ns + 1), sizeof(double));
  double *open = calloc((size_t)(MAXPAT + 1) * c->nb, sizeof(double));
  if (!c->cum || !c->work || !prate || !open) {
    free(prate);
    free(open);
    psc__sampling_curve_free(c);
    return PSC_ENOMEM;
  }
  /* swabs per minute of each street's walk-in sites, by opening pattern
   * (few patterns, many sites); sites past MAXPAT patterns count as open
   * round the clock (the last slot) */
  for (uint32_t i = 0; i < x->nsites; i++) {
    if (st->kind[i] == PSC_SITE_DOOR_TO_DOOR)
      continue;
    const psc__hours_t *h = psc__site_hours_v(x, v, i);
    uint32_t j = 0;
    while (j < np && memcmp(&pat[j], h, sizeof *h))
      j++;
    if (j == np && np < MAXPAT)
      pat[np++] = *h;
    prate[(size_t)j * c->ns + st->street[i]] += psc__booths(x, v, i) * st->rate[i] / 60.0;
  }
  for (uint32_t j = 0; j <= MAXPAT; j++)
    for (uint32_t b = 0; b < c->nb; b++)
      open[(size_t)j * c->nb + b] =
          j < np ? psc__hours_open_between(&pat[j], b * BUCKET, (b + 1) * BUCKET) : BUCKET;
  for (uint32_t k = 0; k < c->ns; k++) {
    double *cum = c->cum + (size_t)k * (c->nb + 1);
    for (uint32_t j = 0; j <= MAXPAT; j++) {
      double r = prate[(size_t)j * c->ns + k];
      if (r > 0)
        for (uint32_t b = 0; b < c->nb; b++)
          cum[b + 1] += r * open[(size_t)j * c->nb + b];
    }
    for (uint32_t b = 0; b < c->nb; b++)
      cum[b + 1] += cum[b];
  }
  /* what the walk-in sites of a street swab once it opens: its ordinary
   * communities (key ones start at T0 in any case) */
  for (uint32_t q = 0; q < x->ncomm; q++)
    if (!cm->key[q])
      c->work[cm->street[q]] += (double)cm->population[q] - cm->door_to_door[q];
  free(prate);
  free(open);
  return 0;
}

void psc__sampling_curve_free(psc__sampling_curve_t *c) {
  free(c->cum);
  free(c->work);
  memset(c, 0, sizeof *c);
}

double psc__swabs_by(const psc__sampling_curve_t *c, uint32_t k, double t) {
  const double *cum = c->cum + (size_t)k * (c->nb + 1);
  if (t <= 0)
    return 0;
  double fb = t / BUCKET;
  uint32_t b = (uint32_t)fb;
  if (b >= c->nb)
    return INFINITY;
  return cum[b] + (cum[b + 1] - cum[b]) * (fb - b);
}

double psc__sampling_end(const psc__sampling_curve_t *c, uint32_t k, double open) {
  double need = psc__swabs_by(c, k, open) + c->work[k];
  if (!(c->work[k] > 0))
    return open;
  const double *cum = c->cum + (size_t)k * (c->nb + 1);
  /* the first bucket whose end reaches `need` (binary search) */
  uint32_t lo = (uint32_t)(open / BUCKET), hi = c->nb;
  if (lo >= c->nb || cum[c->nb] < need)
    return INFINITY;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (cum[mid + 1] >= need)
      hi = mid;
    else
      lo = mid + 1;
  }
  double in = cum[lo + 1] - cum[lo];
  double frac = in > 0 ? (need - cum[lo]) / in : 1;
  return fmax(open, (lo + fmin(fmax(frac, 0), 1)) * BUCKET);
}

double psc__feasible_opening(const psc__sampling_curve_t *c, uint32_t k, double from,
                             double window) {
  for (double o = from; o <= from + 2 * 1440.0; o += BUCKET)
    if (psc__sampling_end(c, k, o) <= o + window)
      return o;
  return from;
}

/* Swabs a minute street k's walk-in sites take in bucket b. */
static double bucket_rate(const psc__sampling_curve_t *c, uint32_t k, uint32_t b) {
  const double *cum = c->cum + (size_t)k * (c->nb + 1);
  return (cum[b + 1] - cum[b]) / BUCKET;
}

double psc__evening_before(const psc__sampling_curve_t *c, uint32_t k, double open) {
  if (!(open >= 0) || !(c->work[k] > 0))
    return NAN;
  uint32_t b0 = (uint32_t)(open / BUCKET);
  if (b0 >= c->nb)
    return NAN;
  double peak = 0;
  for (uint32_t b = 0; b < c->nb; b++)
    peak = fmax(peak, bucket_rate(c, k, b));
  if (!(peak > 0) || bucket_rate(c, k, b0) >= 0.5 * peak)
    return NAN; /* a daytime opening */
  for (uint32_t b = b0; b-- > 0 && b0 - b <= (uint32_t)(1440.0 / BUCKET);)
    if (bucket_rate(c, k, b) >= 0.5 * peak)
      return (b + 1) * BUCKET;
  return NAN;
}
