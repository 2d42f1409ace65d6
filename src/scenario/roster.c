/* Roster synthesis: households and residents from community counts. Each
 * community draws from its own random stream, so the roster is the same at
 * any thread count. */
#include "internal.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HOUSEHOLD 20

void psc_roster_clear(psc_roster_t *r) {
  if (!r)
    return;
  free(r->hh_first);
  free(r->hh_community);
  free(r->comm_hh_first);
  free(r->res_household);
  free(r->res_flags);
  memset(r, 0, sizeof(*r));
}

/* Household sizes of one community: 1 + Poisson(mean - 1), capped, then
 * nudged one person at a time at random households until they sum exactly
 * to the population. */
static void draw_sizes(gsl_rng *g, uint32_t pop, uint32_t nh, uint32_t *size) {
  double extra = (double)pop / nh - 1.0;
  int64_t sum = 0;
  for (uint32_t k = 0; k < nh; k++) {
    unsigned x = extra > 0 ? gsl_ran_poisson(g, extra) : 0;
    size[k] = 1 + (x > MAX_HOUSEHOLD - 1 ? MAX_HOUSEHOLD - 1 : x);
    sum += size[k];
  }
  while (sum != pop) {
    int up = sum < pop;
    uint32_t k = (uint32_t)gsl_rng_uniform_int(g, nh);
    /* from a random start, the first household that can change */
    while (up ? size[k] == MAX_HOUSEHOLD : size[k] == 1)
      k = k + 1 == nh ? 0 : k + 1;
    size[k] += up ? 1 : -1;
    sum += up ? 1 : -1;
  }
}

/* Marks d2d door-to-door and hr high-risk residents among n, uniformly at
 * random (selection sampling: one pass, no extra memory). */
static void draw_flags(gsl_rng *g, uint32_t n, uint32_t d2d, uint32_t hr, uint8_t *flags) {
  uint32_t need = d2d + hr, need_hr = hr;
  for (uint32_t i = 0; i < n; i++) {
    flags[i] = 0;
    if (need && gsl_rng_uniform(g) * (n - i) < need) {
      if (gsl_rng_uniform(g) * need < need_hr) {
        flags[i] = PSC_RES_HIGH_RISK;
        need_hr--;
      } else {
        flags[i] = PSC_RES_DOOR_TO_DOOR;
      }
      need--;
    }
  }
}

int psc_roster_synthesise(const psc_communities_t *c, uint64_t seed, psc_roster_t *r) {
  memset(r, 0, sizeof(*r));
  uint64_t res = 0, hh = 0;
  for (uint32_t i = 0; i < c->count; i++) {
    uint32_t p = c->population[i], h = c->households[i];
    if (h > p || h < (p + MAX_HOUSEHOLD - 1) / MAX_HOUSEHOLD ||
        (uint64_t)c->door_to_door[i] + c->high_risk[i] > p)
      return PSC_EINVAL;
    res += p;
    hh += h;
  }
  if (res > UINT32_MAX - 1u)
    return PSC_EINVAL;
  r->residents = (uint32_t)res;
  r->households = (uint32_t)hh;
  r->synthesised = 1;
  r->comm_hh_first = psc__malloc((size_t)c->count + 1, 4);
  uint32_t *res_first = psc__malloc((size_t)c->count + 1, 4);
  r->hh_first = psc__malloc(hh + 1, 4);
  r->hh_community = psc__malloc(hh, 4);
  r->res_household = psc__malloc(res, 4);
  r->res_flags = psc__malloc(res, 1);
  if (!r->comm_hh_first || !res_first || !r->hh_first || !r->hh_community || !r->res_household ||
      !r->res_flags) {
    free(res_first);
    psc_roster_clear(r);
    return PSC_ENOMEM;
  }
  r->comm_hh_first[0] = res_first[0] = 0;
  for (uint32_t i = 0; i < c->count; i++) {
    r->comm_hh_first[i + 1] = r->comm_hh_first[i] + c->households[i];
    res_first[i + 1] = res_first[i] + c->population[i];
  }
  r->hh_first[hh] = (uint32_t)res;
  int failed = 0;
  const int64_t ncomm = c->count;
#pragma omp parallel for schedule(dynamic, 4)
  for (int64_t ci = 0; ci < ncomm; ci++) {
    uint32_t i = (uint32_t)ci, h0 = r->comm_hh_first[i], nh = c->households[i];
    uint32_t r0 = res_first[i];
    if (nh == 0)
      continue;
    gsl_rng *g = psc__rng_stream(seed, PSC__RNG_ROSTER, i);
    if (!g) {
#pragma omp atomic write
      failed = 1;
      continue;
    }
    /* sizes go into hh_first's slice first, then become offsets in place */
    uint32_t *size = r->hh_first + h0;
    draw_sizes(g, c->population[i], nh, size);
    uint32_t at = r0;
    for (uint32_t k = 0; k < nh; k++) {
      uint32_t sz = size[k];
      size[k] = at;
      r->hh_community[h0 + k] = i;
      for (uint32_t j = 0; j < sz; j++)
        r->res_household[at + j] = h0 + k;
      at += sz;
    }
    draw_flags(g, c->population[i], c->door_to_door[i], c->high_risk[i], r->res_flags + r0);
    gsl_rng_free(g);
  }
  free(res_first);
  if (failed) {
    psc_roster_clear(r);
    return PSC_ENOMEM;
  }
  return 0;
}
