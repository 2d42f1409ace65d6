/* The sampling schedule: which community goes to which site and when.
 *
 * Communities are taken in priority order (key communities first, then
 * street by street in wave order). Key communities are released at T0; a
 * street's other communities when the variant opens the street (its wave,
 * chosen by the planner, plan.c). Released work is cut into blocks of whole
 * tubes, and each block goes to whichever of the community's nearest sites
 * finishes it first, so a community is split across sites only when that
 * finishes sooner. A site swabs continuously at booths x rate per open
 * hour. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SWABS 200 /* about one building: the unit sent to one site */

/* Stable order of indices by a key, descending key then ascending index. */
typedef struct {
  double key;
  uint32_t i;
} keyed_t;

static int cmp_keyed(const void *a, const void *b) {
  const keyed_t *x = a, *y = b;
  if (x->key != y->key)
    return x->key > y->key ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

static double dist(double ax, double ay, double bx, double by) {
  return sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by));
}

/* The k nearest sites of a kind class to (x, y) within a street. */
static void nearest_sites(const psc_sites_t *st, uint32_t street, int d2d, double x, double y,
                          uint32_t *out, keyed_t *tmp) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < st->count; i++) {
    if (st->street[i] != street || (st->kind[i] == PSC_SITE_DOOR_TO_DOOR) != d2d)
      continue;
    tmp[n++] = (keyed_t){-dist(x, y, st->x_km[i], st->y_km[i]), i};
  }
  qsort(tmp, n, sizeof(*tmp), cmp_keyed);
  for (uint32_t j = 0; j < PSC__NEAR_SITES; j++)
    out[j] = j < n ? tmp[j].i : PSC__NONE;
}

/* Each street's catchment: the labs its sites send to, each once (CSR). */
static int street_labs(psc__ctx_t *x) {
  const psc_sites_t *st = psc_scenario_sites(x->s);
  uint8_t *mark = calloc(x->nlabs + 1, 1);
  x->street_lab_first = calloc(x->nstreets + 2, 4);
  x->street_lab = psc__malloc((size_t)x->nstreets * x->nlabs + 1, 4);
  if (!mark || !x->street_lab_first || !x->street_lab) {
    free(mark);
    return PSC_ENOMEM;
  }
  uint32_t n = 0;
  for (uint32_t k = 0; k < x->nstreets; k++) {
    uint32_t k0 = n;
    for (uint32_t i = 0; i < x->nsites; i++)
      if (st->street[i] == k)
        for (int j = 0; j < PSC__NEAR_LABS; j++) {
          uint32_t l = x->near_lab[(size_t)i * PSC__NEAR_LABS + j];
          if (l != PSC__NONE && !mark[l]) {
            mark[l] = 1;
            x->street_lab[n++] = l;
          }
        }
    for (uint32_t j = k0; j < n; j++)
      mark[x->street_lab[j]] = 0;
    x->street_lab_first[k + 1] = n;
  }
  free(mark);
  return 0;
}

int psc__ctx_init(psc__ctx_t *x, const psc_scenario_t *s, const psc__pack_t *pk) {
  memset(x, 0, sizeof(*x));
  x->s = s;
  x->pk = pk;
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_labs_t *lb = psc_scenario_labs(s);
  const psc_travel_t *tv = psc_scenario_travel(s);
  const psc_params_t *par = psc_scenario_params(s);
  x->ncomm = cm->count;
  x->nstreets = psc_scenario_streets(s)->count;
  x->nsites = st->count;
  x->nlabs = lb->count;
  size_t nk = x->ncomm > x->nstreets ? x->ncomm : x->nstreets;
  nk = nk > x->nsites ? nk : x->nsites;
  nk = nk > x->nlabs ? nk : x->nlabs;
  keyed_t *tmp = psc__malloc(nk + 1, sizeof(keyed_t));
  x->order = psc__malloc(x->ncomm, 4);
  x->street_order = psc__malloc(x->nstreets, 4);
  x->near_site = psc__malloc((size_t)x->ncomm * PSC__NEAR_SITES, 4);
  x->near_team = psc__malloc((size_t)x->ncomm * PSC__NEAR_SITES, 4);
  x->near_lab = psc__malloc((size_t)x->nsites * PSC__NEAR_LABS, 4);
  x->near_lab_min = psc__malloc((size_t)x->nsites * PSC__NEAR_LABS, 8);
  x->site_hours = psc__malloc(x->nsites, sizeof(psc__hours_t));
  x->lab_hours = psc__malloc(x->nlabs, sizeof(psc__hours_t));
  x->comm_tubes = psc__malloc(x->ncomm, 4);
  x->comm_exceptions = calloc(x->ncomm + 1, 4);
  x->street_keyed = calloc(x->nstreets + 1, 1);
  x->travel_first = calloc(x->nsites + 2, 4);
  x->travel_row = psc__malloc(tv->count + 1, 4);
  double *street_key = calloc(x->nstreets + 1, sizeof(double));
  double *street_pop = calloc(x->nstreets + 1, sizeof(double));
  if (!tmp || !x->order || !x->street_order || !x->near_site || !x->near_team || !x->near_lab ||
      !x->near_lab_min || !x->site_hours || !x->lab_hours || !x->comm_tubes || !x->comm_exceptions || !x->street_keyed || !x->travel_first || !x->travel_row || !street_key ||
      !street_pop) {
    free(tmp);
    free(street_key);
    free(street_pop);
    psc__ctx_free(x);
    return PSC_ENOMEM;
  }
  /* waves: streets with key communities first (most key residents first),
   * then the others, largest first */
  for (uint32_t c = 0; c < x->ncomm; c++) {
    street_pop[cm->street[c]] += cm->population[c];
    if (cm->key[c])
      street_key[cm->street[c]] += cm->population[c];
  }
  for (uint32_t i = 0; i < x->nstreets; i++)
    tmp[i] = (keyed_t){street_key[i] > 0 ? 1e12 + street_key[i] : street_pop[i], i};
  qsort(tmp, x->nstreets, sizeof(*tmp), cmp_keyed);
  uint32_t *rank = (uint32_t *)street_pop; /* reuse: rank per street */
  for (uint32_t i = 0; i < x->nstreets; i++) {
    x->street_order[i] = tmp[i].i;
    rank[tmp[i].i] = i;
  }
  /* communities: key first, then by street rank; within, file order */
  for (uint32_t c = 0; c < x->ncomm; c++)
    tmp[c] = (keyed_t){-((double)(!cm->key[c]) * 1e9 + rank[cm->street[c]]), c};
  qsort(tmp, x->ncomm, sizeof(*tmp), cmp_keyed);
  for (uint32_t c = 0; c < x->ncomm; c++)
    x->order[c] = tmp[c].i;
  /* travel.csv's rows by site (counting sort, file order kept) */
  for (uint32_t k = 0; k < tv->count; k++)
    x->travel_first[tv->site[k] + 1]++;
  for (uint32_t i = 0; i < x->nsites; i++)
    x->travel_first[i + 1] += x->travel_first[i];
  for (uint32_t k = 0; k < tv->count; k++)
    x->travel_row[x->travel_first[tv->site[k]]++] = k;
  for (uint32_t i = x->nsites; i > 0; i--)
    x->travel_first[i] = x->travel_first[i - 1];
  x->travel_first[0] = 0;
  const psc_roster_t *ro = psc_scenario_roster(s);
  int failed = 0;
  const int64_t ncomm = x->ncomm, nsites = x->nsites;
  /* per community and per site on several threads, each with its scratch:
   * nearest sites, tubes and exceptions (a community's residents are
   * contiguous); the labs by trip from each site */
#pragma omp parallel
  {
    keyed_t *own = psc__malloc(nk + 1, sizeof(keyed_t));
    if (!own) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 64)
    for (int64_t c = 0; c < ncomm; c++) {
      if (!own)
        continue;
      nearest_sites(st, cm->street[c], 0, cm->x_km[c], cm->y_km[c],
                    x->near_site + c * PSC__NEAR_SITES, own);
      nearest_sites(st, cm->street[c], 1, cm->x_km[c], cm->y_km[c],
                    x->near_team + c * PSC__NEAR_SITES, own);
      x->comm_tubes[c] =
          pk->comm_tube_first[PSC_STREAMS * (c + 1)] - pk->comm_tube_first[PSC_STREAMS * c];
      uint32_t n = 0;
      for (uint32_t i = ro->hh_first[ro->comm_hh_first[c]];
           i < ro->hh_first[ro->comm_hh_first[c + 1]]; i++)
        n += pk->res_tube[i] == PSC__NONE;
      x->comm_exceptions[c] = n;
    }
#pragma omp for schedule(dynamic, 64)
    for (int64_t i = 0; i < nsites; i++) {
      if (!own)
        continue;
      for (uint32_t l = 0; l < x->nlabs; l++)
        own[l] = (keyed_t){-psc__trip(x, (uint32_t)i, l), l};
      qsort(own, x->nlabs, sizeof(*own), cmp_keyed);
      for (uint32_t j = 0; j < PSC__NEAR_LABS; j++) {
        x->near_lab[i * PSC__NEAR_LABS + j] = j < x->nlabs ? own[j].i : PSC__NONE;
        x->near_lab_min[i * PSC__NEAR_LABS + j] = j < x->nlabs ? -own[j].key : INFINITY;
      }
      x->site_hours[i] = psc__hours(st->open_min[i], st->close_min[i], par->start_minute_of_day);
    }
    free(own);
  }
  for (uint32_t c = 0; c < x->ncomm; c++)
    x->street_keyed[cm->street[c]] |= cm->key[c] != 0;
  for (uint32_t l = 0; l < x->nlabs; l++)
    x->lab_hours[l] = psc__hours(lb->open_min[l], lb->close_min[l], par->start_minute_of_day);
  int rc = failed ? PSC_ENOMEM : street_labs(x);
  free(tmp);
  free(street_key);
  free(street_pop);
  if (rc)
    psc__ctx_free(x);
  return rc;
}

double psc__trip(const psc__ctx_t *x, uint32_t i, uint32_t l) {
  const psc_sites_t *st = psc_scenario_sites(x->s);
  const psc_labs_t *lb = psc_scenario_labs(x->s);
  const psc_travel_t *tv = psc_scenario_travel(x->s);
  const psc_params_t *par = psc_scenario_params(x->s);
  double m = -1;
  for (uint32_t k = x->travel_first[i]; k < x->travel_first[i + 1]; k++)
    if (tv->lab[x->travel_row[k]] == l)
      m = tv->minutes[x->travel_row[k]]; /* the last row of the pair counts */
  if (m < 0)
    m = dist(st->x_km[i], st->y_km[i], lb->x_km[l], lb->y_km[l]) / par->speed_kmh * 60.0;
  return m + par->handover_minutes;
}

void psc__ctx_free(psc__ctx_t *x) {
  free(x->order);
  free(x->street_order);
  free(x->near_site);
  free(x->near_team);
  free(x->near_lab);
  free(x->near_lab_min);
  free(x->site_hours);
  free(x->lab_hours);
  free(x->comm_tubes);
  free(x->comm_exceptions);
  free(x->street_keyed);
  free(x->travel_first);
  free(x->travel_row);
  free(x->street_lab_first);
  free(x->street_lab);
  memset(x, 0, sizeof(*x));
}

uint32_t psc__booths(const psc__ctx_t *x, const psc__variant_t *v, uint32_t i) {
  return psc_scenario_sites(x->s)->booths[i] + (v->add_booth ? v->add_booth[i] : 0u);
}

/* Swabs per open minute at site i under the variant. */
static double site_rate(const psc__ctx_t *x, const psc__variant_t *v, uint32_t i) {
  const psc_sites_t *st = psc_scenario_sites(x->s);
  return psc__booths(x, v, i) * st->rate[i] / 60.0 * (v->site_mult ? v->site_mult[i] : 1.0);
}

typedef struct {
  const psc__ctx_t *x;
  const psc__variant_t *v;
  psc__eval_t *e;
  double *avail; /* per site: when its last swab so far completes */
} sampler_t;

/* Samples tubes [t0, t1) of community c from `release` at one of the
 * candidate sites near[], block by block. */
static void sample_tubes(sampler_t *sm, uint32_t c, const uint32_t *near, int slot_base,
                         double release, uint32_t t0, uint32_t t1) {
  const psc__pack_t *pk = sm->x->pk;
  psc__eval_t *e = sm->e;
  uint32_t t = t0;
  while (t < t1) {
    /* a block never splits an array: its column tubes need all its rows */
    uint32_t b1 = t, swabs = 0;
    while (b1 < t1 && (swabs == 0 || swabs + pk->tube_work[b1] <= BLOCK_SWABS ||
                       (pk->tube_group[b1] != PSC__NONE &&
                        pk->tube_group[b1] == pk->tube_group[b1 - 1])))
      swabs += pk->tube_work[b1++];
    /* the site that finishes this block first; nearer wins ties */
    int best = -1;
    double best_end = INFINITY, best_start = 0;
    for (int j = 0; j < PSC__NEAR_SITES && near[j] != PSC__NONE; j++) {
      uint32_t site = near[j];
      const psc__hours_t *h = psc__site_hours_v(sm->x, sm->v, site);
      double start = psc__hours_next_open(h, fmax(release, sm->avail[site]));
      double end = psc__hours_advance(h, start, swabs / site_rate(sm->x, sm->v, site));
      if (end < best_end) {
        best = j;
        best_end = end;
        best_start = start;
      }
    }
    uint32_t site = near[best];
    const psc__hours_t *h = psc__site_hours_v(sm->x, sm->v, site);
    double rho = site_rate(sm->x, sm->v, site);
    uint32_t slot = (uint32_t)slot_base + (uint32_t)best, done = 0;
    double prev = best_start, group_start = best_start;
    for (uint32_t k = t; k < b1; k++) {
      done += pk->tube_work[k];
      e->site[k] = site;
      e->session[k] = slot;
      /* a column tube holds swabs from the array's first row on, and is
       * sealed with its last row */
      if (pk->tube_kind[k] == PSC__TUBE_ROW && (k == t || pk->tube_group[k - 1] != pk->tube_group[k]))
        group_start = prev;
      e->first_swab[k] = pk->tube_kind[k] == PSC__TUBE_COLUMN ? group_start : prev;
      e->sealed[k] = psc__hours_advance(h, best_start, done / rho);
      prev = e->sealed[k];
    }
    if (e->ses_tubes[slot] == 0)
      e->ses_start[slot] = best_start;
    e->ses_end[slot] = best_end;
    e->ses_site[slot] = site;
    e->ses_comm[slot] = c;
    e->ses_residents[slot] += swabs;
    e->ses_tubes[slot] += b1 - t;
    sm->avail[site] = best_end;
    t = b1;
  }
}

/* Each community's release time (minutes after T0): key communities at
 * T0, the others when the variant opens their street. */
static void release_times(const psc__ctx_t *x, const psc__variant_t *v, double *release) {
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  for (uint32_t c = 0; c < x->ncomm; c++)
    release[c] = cm->key[c] || !v->street_open ? 0 : v->street_open[cm->street[c]];
}

/* Compacts the sessions in slot order, then lists each session's tubes in
 * the order they were sampled. */
static int compact_sessions(const psc__ctx_t *x, psc__eval_t *e) {
  const psc__pack_t *pk = x->pk;
  uint32_t nslots = x->ncomm * 2 * PSC__NEAR_SITES;
  uint32_t *remap = psc__malloc(nslots + 1, 4);
  if (!remap)
    return PSC_ENOMEM;
  uint32_t n = 0;
  for (uint32_t k = 0; k < nslots; k++) {
    remap[k] = PSC__NONE;
    if (!e->ses_tubes[k])
      continue;
    remap[k] = n;
    e->ses_site[n] = e->ses_site[k];
    e->ses_comm[n] = e->ses_comm[k];
    e->ses_residents[n] = e->ses_residents[k];
    e->ses_tubes[n] = e->ses_tubes[k];
    e->ses_stream[n] = (uint8_t)((k / PSC__NEAR_SITES) % 2 ? PSC_STREAM_DOOR_TO_DOOR : PSC_STREAM_WALK_IN);
    e->ses_start[n] = e->ses_start[k];
    e->ses_end[n] = e->ses_end[k];
    n++;
  }
  e->nsessions = n;
  e->ses_tube_first[0] = 0;
  for (uint32_t k = 0; k < n; k++)
    e->ses_tube_first[k + 1] = e->ses_tube_first[k] + e->ses_tubes[k];
  uint32_t *cursor = psc__malloc(n + 1, 4);
  if (!cursor) {
    free(remap);
    return PSC_ENOMEM;
  }
  memcpy(cursor, e->ses_tube_first, (n + 1) * 4ull);
  for (uint32_t t = 0; t < pk->ntubes; t++)
    e->session[t] = remap[e->session[t]];
  /* sampling order: per community high-risk, walk-in, then door-to-door */
  static const int seq[PSC_STREAMS] = {PSC_STREAM_HIGH_RISK, PSC_STREAM_WALK_IN,
                                       PSC_STREAM_DOOR_TO_DOOR};
  for (uint32_t c = 0; c < x->ncomm; c++)
    for (int q = 0; q < PSC_STREAMS; q++)
      for (uint32_t t = pk->comm_tube_first[PSC_STREAMS * c + seq[q]];
           t < pk->comm_tube_first[PSC_STREAMS * c + seq[q] + 1]; t++)
        e->ses_tube_list[cursor[e->session[t]]++] = t;
  free(cursor);
  free(remap);
  return 0;
}

int psc__sample(const psc__ctx_t *x, const psc__variant_t *v, psc__eval_t *e) {
  const psc__pack_t *pk = x->pk;
  const psc_communities_t *cm = psc_scenario_communities(x->s);
  uint32_t nslots = x->ncomm * 2 * PSC__NEAR_SITES;
  double *release = psc__malloc(x->ncomm, 8);
  double *avail = calloc(x->nsites + 1, 8);
  uint32_t *by_street = psc__malloc(x->ncomm, 4), *street_first = calloc(x->nstreets + 1, 4);
  uint32_t *cur = psc__malloc(x->nstreets + 1, 4);
  int rc = !release || !avail || !by_street || !street_first || !cur ? PSC_ENOMEM : 0;
  if (rc)
    goto done;
  release_times(x, v, release);
  /* priority order split by street (counting sort keeps the order) */
  for (uint32_t c = 0; c < x->ncomm; c++)
    street_first[cm->street[c] + 1]++;
  for (uint32_t i = 0; i < x->nstreets; i++)
    street_first[i + 1] += street_first[i];
  memcpy(cur, street_first, (x->nstreets + 1) * 4ull);
  for (uint32_t j = 0; j < x->ncomm; j++)
    by_street[cur[cm->street[x->order[j]]]++] = x->order[j];
  for (uint32_t k = 0; k < nslots; k++) {
    e->ses_tubes[k] = 0;
    e->ses_residents[k] = 0;
  }
  sampler_t sm = {x, v, e, avail};
  const int64_t ns = x->nstreets;
  /* streets share no site, so they are sampled independently */
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t si = 0; si < ns; si++) {
    for (uint32_t j = street_first[si]; j < street_first[si + 1]; j++) {
      uint32_t c = by_street[j];
      const uint32_t *f = pk->comm_tube_first + PSC_STREAMS * c;
      uint32_t base = c * 2 * PSC__NEAR_SITES;
      /* high-risk residents first (single tubes), then the rest */
      if (f[PSC_STREAM_HIGH_RISK + 1] > f[PSC_STREAM_HIGH_RISK])
        sample_tubes(&sm, c, x->near_site + c * PSC__NEAR_SITES, (int)base, release[c],
                     f[PSC_STREAM_HIGH_RISK], f[PSC_STREAM_HIGH_RISK + 1]);
      if (f[PSC_STREAM_WALK_IN + 1] > f[PSC_STREAM_WALK_IN])
        sample_tubes(&sm, c, x->near_site + c * PSC__NEAR_SITES, (int)base, release[c],
                     f[PSC_STREAM_WALK_IN], f[PSC_STREAM_WALK_IN + 1]);
      if (f[PSC_STREAM_DOOR_TO_DOOR + 1] > f[PSC_STREAM_DOOR_TO_DOOR])
        sample_tubes(&sm, c, x->near_team + c * PSC__NEAR_SITES, (int)(base + PSC__NEAR_SITES),
                     release[c], f[PSC_STREAM_DOOR_TO_DOOR], f[PSC_STREAM_DOOR_TO_DOOR + 1]);
    }
  }
  rc = compact_sessions(x, e);
done:
  free(cur);
  free(release);
  free(avail);
  free(by_street);
  free(street_first);
  return rc;
}
