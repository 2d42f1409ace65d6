/* Packing swabs into tubes, per community and stream, before any schedule.
 *
 * Members of a household in the same stream are kept in one tube when they
 * fit; a larger household fills whole tubes and its remainder is packed like
 * any other group. Each tube is filled with the largest waiting group that
 * still fits, so tubes are full except, at most, the last few of a
 * community's stream. The packing depends only on the roster, so every
 * schedule the planner tries shares it. */
#include "plan/plan_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  uint32_t hh, skip, size;
} group_t;

typedef struct {
  group_t *g;        /* groups sorted by size (counting sort) */
  uint32_t *start;   /* per size 0..k: first group of that size */
  uint32_t *next;    /* per size: next unused group */
  uint32_t *buf;     /* a community's residents (arrays) */
  uint32_t *hn;      /* per stream and household of the community: its residents */
  uint32_t maxhh;
} scratch_t;

static int stream_of(uint8_t flags) {
  if (flags & PSC_RES_HIGH_RISK)
    return PSC_STREAM_HIGH_RISK;
  if (flags & PSC_RES_DOOR_TO_DOOR)
    return PSC_STREAM_DOOR_TO_DOOR;
  return PSC_STREAM_WALK_IN;
}

/* Counts tubes for one community's stream (emit == 0), or writes them at
 * tube indices t0 .. tend-1 (emit == 1): sizes, members, and the member
 * offsets of the tubes after the first. Returns the number of tubes. */
static uint32_t pack_stream(const psc_roster_t *r, uint32_t c, int stream, uint32_t k,
                            scratch_t *sc, psc__pack_t *pk, uint32_t t0, uint32_t tend, int emit) {
  uint32_t h0 = r->comm_hh_first[c], h1 = r->comm_hh_first[c + 1];
  const uint32_t *hn = sc->hn + (size_t)stream * sc->maxhh - h0;
  uint32_t tubes = 0;
  /* whole tubes of large households first, and the groups left */
  uint32_t ng = 0;
  uint32_t *count = sc->start; /* count per size, reused as starts below */
  memset(count, 0, (k + 2) * sizeof(uint32_t));
  for (uint32_t h = h0; h < h1; h++) {
    uint32_t n = hn[h];
    if (!n)
      continue;
    uint32_t full = n / k, rest = n % k;
    for (uint32_t f = 0; f < full; f++) {
      if (emit) {
        uint32_t t = t0 + tubes;
        pk->tube_swabs[t] = (uint8_t)k;
        /* members: the f-th block of k stream members of h */
        uint32_t at = pk->member_first[t], seen = 0;
        for (uint32_t i = r->hh_first[h]; i < r->hh_first[h + 1] && at < pk->member_first[t] + k; i++) {
          if (stream_of(r->res_flags[i]) != stream)
            continue;
          if (seen++ >= f * k)
            pk->members[at++] = i;
        }
        if (t + 1 < tend)
          pk->member_first[t + 1] = at;
      }
      tubes++;
    }
    if (rest) {
      sc->g[ng++] = (group_t){h, full * k, rest};
      count[rest]++;
    }
  }
  /* bucket the remaining groups by size, keeping household order */
  uint32_t acc = 0;
  for (uint32_t s = 0; s <= k; s++) {
    uint32_t n = count[s];
    sc->start[s] = acc;
    acc += n;
  }
  sc->start[k + 1] = acc;
  memcpy(sc->next, sc->start, (k + 2) * sizeof(uint32_t));
  group_t *sorted = sc->g + ng; /* second half of the scratch */
  for (uint32_t j = 0; j < ng; j++)
    sorted[sc->next[sc->g[j].size]++] = sc->g[j];
  memcpy(sc->next, sc->start, (k + 2) * sizeof(uint32_t));
  uint32_t left = ng, big = k - 1;
  while (left) {
    uint32_t space = k, t = t0 + tubes, at = emit ? pk->member_first[t] : 0;
    for (uint32_t s = big; s >= 1 && space; s--) {
      while (s <= space && sc->next[s] < sc->start[s + 1]) {
        group_t gr = sorted[sc->next[s]++];
        left--;
        space -= s;
        if (emit) {
          uint32_t seen = 0, taken = 0;
          for (uint32_t i = r->hh_first[gr.hh]; i < r->hh_first[gr.hh + 1] && taken < gr.size; i++) {
            if (stream_of(r->res_flags[i]) != stream)
              continue;
            if (seen++ >= gr.skip) {
              pk->members[at++] = i;
              taken++;
            }
          }
        }
      }
    }
    while (big >= 1 && sc->next[big] == sc->start[big + 1])
      big--;
    if (emit) {
      pk->tube_swabs[t] = (uint8_t)(k - space);
      if (t + 1 < tend)
        pk->member_first[t + 1] = at;
    }
    tubes++;
  }
  return tubes;
}

/* keep_households = false: the stream's residents in swab order (the
 * roster's order) fill tubes of k one after another, households or not.
 * Counts tubes (emit == 0) or writes them at t0.. (emit == 1). */
static uint32_t pack_in_order(const psc_roster_t *r, uint32_t c, int stream, uint32_t k,
                              psc__pack_t *pk, uint32_t t0, uint32_t tend, int emit) {
  uint32_t n = 0, tubes = 0;
  for (uint32_t h = r->comm_hh_first[c]; h < r->comm_hh_first[c + 1]; h++)
    for (uint32_t i = r->hh_first[h]; i < r->hh_first[h + 1]; i++) {
      if (stream_of(r->res_flags[i]) != stream)
        continue;
      if (n % k == 0) {
        if (emit && tubes > 0 && t0 + tubes < tend)
          pk->member_first[t0 + tubes] = pk->member_first[t0 + tubes - 1] + k;
        tubes++;
      }
      if (emit) {
        uint32_t t = t0 + tubes - 1;
        pk->members[pk->member_first[t] + n % k] = i;
        pk->tube_swabs[t] = (uint8_t)(n % k + 1);
      }
      n++;
    }
  return tubes;
}

/* Arrays: the stream's residents, households in order, fill r x r arrays
 * row by row; each array gives one tube per row, then one per column (the
 * last array may be smaller). Counts tubes (emit == 0) or writes them at
 * t0.. (emit == 1), members first for the rows, then for the columns. */
static uint32_t pack_arrays(const psc_roster_t *r, uint32_t c, int stream, uint32_t rr,
                            psc__pack_t *pk, uint32_t t0, uint32_t tend, int emit,
                            uint32_t *buf) {
  uint32_t n = 0;
  for (uint32_t h = r->comm_hh_first[c]; h < r->comm_hh_first[c + 1]; h++)
    for (uint32_t i = r->hh_first[h]; i < r->hh_first[h + 1]; i++)
      if (stream_of(r->res_flags[i]) == stream) {
        if (emit)
          buf[n] = i;
        n++;
      }
  uint32_t tubes = 0, cells = rr * rr;
  for (uint32_t a0 = 0; a0 < n; a0 += cells) {
    uint32_t m = n - a0 < cells ? n - a0 : cells;
    uint32_t rows = (m + rr - 1) / rr, cols = m < rr ? m : rr;
    if (emit) {
      for (uint32_t i = 0; i < rows + cols; i++) {
        uint32_t t = t0 + tubes + i, at = pk->member_first[t], sw = 0;
        if (i < rows) {
          for (uint32_t j = 0; j < rr && i * rr + j < m; j++, sw++)
            pk->members[at++] = buf[a0 + i * rr + j];
          pk->tube_kind[t] = PSC__TUBE_ROW;
          pk->tube_work[t] = (uint8_t)sw;
        } else {
          uint32_t col = i - rows;
          for (uint32_t row = 0; row * rr + col < m; row++, sw++)
            pk->members[at++] = buf[a0 + row * rr + col];
          pk->tube_kind[t] = PSC__TUBE_COLUMN;
          pk->tube_work[t] = 0;
        }
        pk->tube_swabs[t] = (uint8_t)sw;
        if (t + 1 < tend)
          pk->member_first[t + 1] = at;
      }
    }
    tubes += rows + cols;
  }
  return tubes;
}

/* A thread's scratch for communities of at most maxhh households and pools
 * of at most kmax; 0 or -1 when out of memory. */
static int scratch_alloc(scratch_t *sc, uint32_t maxhh, uint32_t kmax, uint32_t maxres) {
  *sc = (scratch_t){calloc(2 * (size_t)maxhh + 2, sizeof(group_t)), calloc(kmax + 2, 4),
                    calloc(kmax + 2, 4), calloc((size_t)maxres + 1, 4),
                    calloc((size_t)PSC_STREAMS * maxhh + 1, 4), maxhh};
  return sc->g && sc->start && sc->next && sc->buf && sc->hn ? 0 : -1;
}

/* Community c's residents per stream and household into sc->hn (one pass
 * over its residents), and per stream into cnt. */
static void count_households(const psc_roster_t *r, uint32_t c, scratch_t *sc,
                             uint32_t cnt[PSC_STREAMS]) {
  uint32_t h0 = r->comm_hh_first[c], h1 = r->comm_hh_first[c + 1];
  for (int k = 0; k < PSC_STREAMS; k++) {
    memset(sc->hn + (size_t)k * sc->maxhh, 0, (size_t)(h1 - h0) * sizeof(uint32_t));
    cnt[k] = 0;
  }
  for (uint32_t h = h0; h < h1; h++)
    for (uint32_t i = r->hh_first[h]; i < r->hh_first[h + 1]; i++) {
      int k = stream_of(r->res_flags[i]);
      sc->hn[(size_t)k * sc->maxhh + (h - h0)]++;
      cnt[k]++;
    }
}

static void scratch_free(scratch_t *sc) {
  free(sc->g);
  free(sc->start);
  free(sc->next);
  free(sc->buf);
  free(sc->hn);
}

void psc__pack_free(psc__pack_t *pk) {
  free(pk->tube_comm);
  free(pk->tube_stream);
  free(pk->tube_swabs);
  free(pk->comm_tube_first);
  free(pk->member_first);
  free(pk->members);
  free(pk->res_tube);
  free(pk->res_tube2);
  free(pk->tube_kind);
  free(pk->tube_work);
  free(pk->tube_group);
  free(pk->res_exception);
  memset(pk, 0, sizeof(*pk));
}

/* What both passes over the communities share. */
typedef struct {
  const psc_roster_t *r;
  const psc_communities_t *cm;
  psc__pack_t *pk;
  const uint8_t *has_team;           /* per street: has a door-to-door team */
  const uint32_t *comm_member_first; /* pass 2: each (community, stream)'s members */
  uint32_t *member_slots;            /* pass 1: the same, counted */
  uint32_t pool[PSC_STREAMS];
  uint32_t array_size; /* 0: pooled tubes only */
  int keep_households; /* 0: strictly in swab order */
  uint32_t maxhh, kmax, maxres;
} job_t;

/* Pass 1: community c's tube count per stream into comm_tube_first, and
 * its member slots per stream into member_slots. */
static void count_tubes(const job_t *j, uint32_t c, scratch_t *sc) {
  psc__pack_t *pk = j->pk;
  uint32_t cnt[PSC_STREAMS];
  count_households(j->r, c, sc, cnt);
  for (int k = 0; k < PSC_STREAMS; k++)
    j->member_slots[PSC_STREAMS * c + k] =
        k == PSC_STREAM_DOOR_TO_DOOR && !j->has_team[j->cm->street[c]]
            ? 0
            : cnt[k] * (j->array_size && k == PSC_STREAM_WALK_IN ? 2u : 1u);
  for (int k = 0; k < PSC_STREAMS; k++) {
    int none = k == PSC_STREAM_DOOR_TO_DOOR && !j->has_team[j->cm->street[c]];
    pk->comm_tube_first[PSC_STREAMS * c + k] =
        none ? 0
        : j->array_size && k == PSC_STREAM_WALK_IN
            ? pack_arrays(j->r, c, k, j->array_size, pk, 0, 0, 0, NULL)
        : !j->keep_households ? pack_in_order(j->r, c, k, j->pool[k], pk, 0, 0, 0)
                              : pack_stream(j->r, c, k, j->pool[k], sc, pk, 0, 0, 0);
  }
}

/* Pass 2: community c's tubes, sizes and members, into its own ranges. */
static void fill_tubes(const job_t *j, uint32_t c, scratch_t *sc) {
  psc__pack_t *pk = j->pk;
  uint32_t cnt[PSC_STREAMS];
  if (j->keep_households)
    count_households(j->r, c, sc, cnt);
  for (int k = 0; k < PSC_STREAMS; k++) {
    uint32_t t0 = pk->comm_tube_first[PSC_STREAMS * c + k];
    uint32_t t1 = pk->comm_tube_first[PSC_STREAMS * c + k + 1];
    if (t1 == t0)
      continue;
    pk->member_first[t0] = j->comm_member_first[PSC_STREAMS * c + k];
    for (uint32_t t = t0; t < t1; t++) {
      pk->tube_comm[t] = c;
      pk->tube_stream[t] = (uint8_t)k;
    }
    if (j->array_size && k == PSC_STREAM_WALK_IN) {
      pack_arrays(j->r, c, k, j->array_size, pk, t0, t1, 1, sc->buf);
    } else {
      if (j->keep_households)
        pack_stream(j->r, c, k, j->pool[k], sc, pk, t0, t1, 1);
      else
        pack_in_order(j->r, c, k, j->pool[k], pk, t0, t1, 1);
      for (uint32_t t = t0; t < t1; t++) {
        pk->tube_kind[t] = PSC__TUBE_POOL;
        pk->tube_work[t] = pk->tube_swabs[t];
      }
    }
  }
}

/* Runs fn on every community in parallel, each thread with its scratch.
 * 0 or PSC_ENOMEM. */
static int each_community(const job_t *j, void (*fn)(const job_t *, uint32_t, scratch_t *)) {
  int failed = 0;
  const int64_t nc = j->cm->count;
#pragma omp parallel
  {
    scratch_t sc;
    int none = scratch_alloc(&sc, j->maxhh, j->kmax, j->maxres);
    if (none) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 8)
    for (int64_t ci = 0; ci < nc; ci++)
      if (!none)
        fn(j, (uint32_t)ci, &sc);
    scratch_free(&sc);
  }
  return failed ? PSC_ENOMEM : 0;
}

/* Residents -> tubes (rows and columns of arrays apart), arrays numbered in
 * tube order, and the exception list. Every resident is in at most one row
 * (or pool) tube and one column tube, so the tubes are indexed in parallel. */
static void index_residents(const psc_roster_t *r, psc__pack_t *pk) {
  const int64_t nt = pk->ntubes, nr = r->residents;
  uint32_t group = PSC__NONE;
  for (int64_t t = 0; t < nt; t++) {
    if (pk->tube_kind[t] == PSC__TUBE_POOL)
      pk->tube_group[t] = PSC__NONE;
    else {
      /* a row tube after a column tube (or a pool) starts a new array */
      if (pk->tube_kind[t] == PSC__TUBE_ROW && (t == 0 || pk->tube_kind[t - 1] != PSC__TUBE_ROW))
        group = pk->narrays++;
      pk->tube_group[t] = group;
    }
  }
  uint64_t exceptions = 0;
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int64_t i = 0; i < nr; i++)
      pk->res_tube[i] = pk->res_tube2[i] = PSC__NONE;
#pragma omp for schedule(static)
    for (int64_t t = 0; t < nt; t++) {
      uint32_t *to = pk->tube_kind[t] == PSC__TUBE_COLUMN ? pk->res_tube2 : pk->res_tube;
      for (uint32_t j = pk->member_first[t]; j < pk->member_first[t] + pk->tube_swabs[t]; j++)
        to[pk->members[j]] = (uint32_t)t;
    }
#pragma omp for schedule(static) reduction(+ : exceptions)
    for (int64_t i = 0; i < nr; i++)
      if (pk->res_tube[i] == PSC__NONE) {
        pk->res_exception[i] = PSC_EXC_NO_TEAM;
        exceptions++;
      }
  }
  pk->exceptions = (uint32_t)exceptions;
}

int psc__pack(const psc_scenario_t *s, psc__pack_t *pk) {
  memset(pk, 0, sizeof(*pk));
  const psc_roster_t *r = psc_scenario_roster(s);
  const psc_communities_t *cm = psc_scenario_communities(s);
  const psc_sites_t *st = psc_scenario_sites(s);
  const psc_params_t *par = psc_scenario_params(s);
  uint32_t nc = cm->count;
  job_t j = {.r = r, .cm = cm, .pk = pk};
  j.pool[PSC_STREAM_WALK_IN] = (uint32_t)par->pool_size;
  j.pool[PSC_STREAM_HIGH_RISK] = (uint32_t)par->high_risk_pool_size;
  j.pool[PSC_STREAM_DOOR_TO_DOOR] = (uint32_t)par->pool_size;
  j.kmax = j.pool[0] > j.pool[1] ? j.pool[0] : j.pool[1];
  const int arrays = par->design && !strcmp(par->design, "array");
  j.array_size = arrays ? (uint32_t)par->array_size : 0;
  j.keep_households = par->keep_households;
  for (uint32_t c = 0; c < nc; c++) {
    uint32_t n = r->comm_hh_first[c + 1] - r->comm_hh_first[c];
    j.maxhh = n > j.maxhh ? n : j.maxhh;
    j.maxres = cm->population[c] > j.maxres ? cm->population[c] : j.maxres;
  }
  uint8_t *has_team = calloc(psc_scenario_streets(s)->count + 1, 1);
  uint32_t *comm_member_first = psc__malloc((size_t)nc * PSC_STREAMS + 1, 4);
  j.has_team = has_team;
  j.comm_member_first = comm_member_first;
  j.member_slots = comm_member_first; /* counts, summed in place after pass 1 */
  pk->comm_tube_first = psc__malloc((size_t)nc * PSC_STREAMS + 1, 4);
  pk->res_tube = psc__malloc(r->residents, 4);
  pk->res_exception = calloc(r->residents ? r->residents : 1, 1);
  int rc = !has_team || !comm_member_first || !pk->comm_tube_first || !pk->res_tube ||
                   !pk->res_exception
               ? PSC_ENOMEM
               : 0;
  if (rc)
    goto done;
  for (uint32_t i = 0; i < st->count; i++)
    if (st->kind[i] == PSC_SITE_DOOR_TO_DOOR)
      has_team[st->street[i]] = 1;
  if ((rc = each_community(&j, count_tubes)))
    goto done;
  /* prefix sums: tube ranges, then member ranges */
  uint64_t acc = 0;
  for (uint32_t k = 0; k < nc * PSC_STREAMS; k++) {
    uint32_t n = pk->comm_tube_first[k];
    pk->comm_tube_first[k] = (uint32_t)acc;
    acc += n;
  }
  pk->comm_tube_first[nc * PSC_STREAMS] = (uint32_t)acc;
  pk->ntubes = (uint32_t)acc;
  uint32_t nt = pk->ntubes;
  pk->tube_comm = psc__malloc(nt, 4);
  pk->tube_stream = psc__malloc(nt, 1);
  pk->tube_swabs = psc__malloc(nt, 1);
  pk->member_first = psc__malloc((size_t)nt + 1, 4);
  pk->members = psc__malloc((size_t)r->residents * (arrays ? 2 : 1) + 1, 4);
  pk->tube_kind = psc__malloc(nt + 1, 1);
  pk->tube_work = psc__malloc(nt + 1, 1);
  pk->tube_group = psc__malloc(nt + 1, 4);
  pk->res_tube2 = psc__malloc(r->residents + 1, 4);
  if (!pk->tube_comm || !pk->tube_stream || !pk->tube_swabs || !pk->member_first || !pk->members ||
      !pk->tube_kind || !pk->tube_work || !pk->tube_group || !pk->res_tube2) {
    rc = PSC_ENOMEM;
    goto done;
  }
  /* pass 2: sizes and members. A tube's member range is known only after
   * its size, so each community's tubes are packed into its own range: the
   * residents of a community's stream fill exactly that many member slots. */
  acc = 0;
  for (uint32_t k = 0; k < nc * PSC_STREAMS; k++) {
    uint32_t n = comm_member_first[k];
    comm_member_first[k] = (uint32_t)acc;
    acc += n;
  }
  comm_member_first[nc * PSC_STREAMS] = (uint32_t)acc;
  if ((rc = each_community(&j, fill_tubes)))
    goto done;
  pk->member_first[nt] = pk->ntubes ? pk->member_first[nt - 1] + pk->tube_swabs[nt - 1] : 0;
  index_residents(r, pk);
done:
  free(comm_member_first);
  free(has_team);
  if (rc)
    psc__pack_free(pk);
  return rc;
}
