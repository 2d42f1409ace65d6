/* A plan's lab schedule replayed with retest tubes (plan_internal.h): the
 * decoder's and the simulator's retest round, on the planner's own pull. */
#include "plan/plan_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void psc__replay_out_free(psc__replay_out_t *o) {
  if (!o)
    return;
  void *a[] = {o->tube_reported, o->rt_lab, o->rt_run, o->rt_start, o->rt_reported,
               o->run_lab, o->run_inst, o->run_tubes, o->run_start, o->run_end};
  for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
    free(a[i]);
  memset(o, 0, sizeof(*o));
}

typedef struct {
  uint32_t site;
  double at;
  uint32_t j;
} key_t;

static int cmp_key(const void *a, const void *b) {
  const key_t *x = a, *y = b;
  if (x->site != y->site)
    return x->site < y->site ? -1 : 1;
  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return (x->j > y->j) - (x->j < y->j);
}

/* ids[0..n) (tube indices, ascending) reordered by at[] (ties keep their
 * order), for at[] >= 0: an LSD radix sort on the IEEE bits (which order
 * like the values), 11 bits a pass (16 from 2^18 tubes, where the passes
 * outweigh clearing 65 536 counters), skipping digits every key shares;
 * ids already in order are left as they are. tmp, key and ktmp hold n
 * entries. Returns 0, or -1 when at[] has a value it cannot order. */
static int order_by_time(const double *at, uint32_t *ids, uint32_t n, uint32_t *tmp,
                         uint64_t *key, uint64_t *ktmp) {
  uint64_t differ = 0, first = 0;
  int in_order = 1;
  for (uint32_t i = 0; i < n; i++) {
    double a = at[ids[i]];
    if (!(a >= 0))
      return -1;
    memcpy(&key[i], &a, 8);
    first = i ? first : key[0];
    differ |= key[i] ^ first;
    in_order &= !i || key[i] >= key[i - 1];
  }
  if (in_order)
    return 0;
  const int bits = n < (1u << 18) ? 11 : 16;
  const uint64_t mask = (1ull << bits) - 1;
  uint32_t small[(1u << 11) + 2], *cnt = bits == 11 ? small : malloc(((size_t)mask + 2) * 4);
  if (!cnt)
    return -1;
  uint32_t *src = ids, *dst = tmp;
  uint64_t *ks = key, *kd = ktmp;
  for (int shift = 0; shift < 64; shift += bits) {
    if (!(differ >> shift & mask))
      continue; /* every key has the same digit here */
    memset(cnt, 0, ((size_t)mask + 2) * 4);
    for (uint32_t i = 0; i < n; i++)
      cnt[(ks[i] >> shift & mask) + 1]++;
    for (uint64_t b = 0; b < mask + 1; b++)
      cnt[b + 1] += cnt[b];
    for (uint32_t i = 0; i < n; i++) {
      uint32_t d = cnt[ks[i] >> shift & mask]++;
      dst[d] = src[i];
      kd[d] = ks[i];
    }
    uint32_t *u = src;
    src = dst;
    dst = u;
    uint64_t *v = ks;
    ks = kd;
    kd = v;
  }
  if (src != ids)
    memcpy(ids, src, (size_t)n * 4);
  if (cnt != small)
    free(cnt);
  return 0;
}

/* The rank of every deadline among the distinct ones (earliest first) into
 * cls; returns how many there are. Deadlines are a unit's, so few distinct
 * values: kept sorted in uniq (n + 1 entries) by insertion. */
static uint32_t rank_deadlines(const double *deadline, uint32_t n, double *uniq, uint32_t *cls) {
  uint32_t k = 0;
  for (int pass = 0; pass < 2; pass++)
    for (uint32_t i = 0; i < n; i++) {
      if (i && deadline[i] == deadline[i - 1]) { /* a unit's tubes come together */
        if (pass)
          cls[i] = cls[i - 1];
        continue;
      }
      uint32_t lo = 0, hi = k; /* first entry >= deadline[i] */
      while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (uniq[mid] < deadline[i])
          lo = mid + 1;
        else
          hi = mid;
      }
      if (pass)
        cls[i] = lo;
      else if (lo == k || uniq[lo] != deadline[i]) {
        memmove(uniq + lo + 1, uniq + lo, (size_t)(k - lo) * 8);
        uniq[lo] = deadline[i];
        k++;
      }
    }
  return k;
}

/* The earliest a retest can reach each lab (cut[l]; INFINITY: none can):
 * before it, the lab's plan stands. Returns the earliest of them. */
static double first_retest_arrival(const psc__replay_in_t *in, double *cut) {
  double first = INFINITY;
  for (uint32_t l = 0; l < in->m.nlabs; l++)
    cut[l] = INFINITY;
  for (uint32_t k = 0; k < in->nretests; k++) {
    const double *mins = in->m.near_lab_min + (size_t)in->rt_site[k] * PSC__NEAR_LABS;
    const uint32_t *near = in->m.near_lab + (size_t)in->rt_site[k] * PSC__NEAR_LABS;
    for (int j = 0; j < PSC__NEAR_LABS && near[j] != PSC__NONE; j++) {
      cut[near[j]] = fmin(cut[near[j]], in->rt_departed[k] + mins[j]);
      first = fmin(first, cut[near[j]]);
    }
  }
  return first;
}

/* Whether plan tube t stays in its kept run (a tube without a lab of the
 * model's stays where the plan put it). */
static int kept_tube(const psc__replay_in_t *in, const uint8_t *kept, uint32_t t) {
  return (in->tube_run[t] < in->nruns && kept[in->tube_run[t]]) || in->tube_lab[t] >= in->m.nlabs;
}

typedef struct {
  psc__eval_t e;
  uint32_t *near;
  double *near_min, *inst_free, *deadline, *uniq;
  uint32_t *by_site, *site_first, *cls, *tube_of; /* tube_of: pull tube -> plan tube or retest */
  uint8_t *kept;
  key_t *keys;
} work_t;

static void work_free(work_t *w) {
  void *a[] = {w->e.site, w->e.departed, w->e.lab, w->e.arrived, w->e.run, w->e.run_start,
               w->e.reported, w->e.run_lab, w->e.run_instrument, w->e.run_tubes,
               w->e.run_begin, w->e.run_end, w->near, w->near_min, w->inst_free, w->deadline,
               w->uniq, w->by_site, w->site_first, w->cls, w->tube_of, w->kept, w->keys};
  for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
    free(a[i]);
}

int psc__lab_replay(const psc__replay_in_t *in, psc__replay_out_t *out) {
  memset(out, 0, sizeof(*out));
  const psc__labmodel_t *m0 = &in->m;
  const uint32_t nl = m0->nlabs, nsv = m0->nsites + nl; /* sites, then one per lab */
  uint32_t ninst = 0;
  for (uint32_t l = 0; l < nl; l++)
    ninst += m0->inst[l];
  work_t w = {0};
  double *cut = psc__malloc(nl + 1, 8);
  if (!cut)
    return PSC_ENOMEM;
  out->cutoff = first_retest_arrival(in, cut);
  w.kept = calloc(in->nruns + 1, 1);
  w.inst_free = calloc(ninst + 1, 8);
  uint32_t *inst_first = calloc(nl + 1, 4);
  out->tube_reported = psc__malloc(in->ntubes + 1, 8);
  int rc = PSC_ENOMEM;
  if (!w.kept || !w.inst_free || !inst_first || !out->tube_reported)
    goto done;
  for (uint32_t l = 0; l + 1 < nl; l++)
    inst_first[l + 1] = inst_first[l] + m0->inst[l];
  /* the kept runs hold their instruments until they end */
  for (uint32_t r = 0; r < in->nruns; r++)
    if (in->run_lab[r] >= nl || in->run_start[r] < cut[in->run_lab[r]]) {
      w.kept[r] = 1;
      out->kept++;
      if (in->run_lab[r] < nl && in->run_inst[r] < m0->inst[in->run_lab[r]]) {
        double *f = &w.inst_free[inst_first[in->run_lab[r]] + in->run_inst[r]];
        *f = fmax(*f, in->run_end[r]);
      }
    }
  uint32_t n = in->nretests;
  for (uint32_t t = 0; t < in->ntubes; t++) {
    out->tube_reported[t] = in->tube_reported[t];
    n += !kept_tube(in, w.kept, t);
  }
  out->retimed = n - in->nretests;
  /* the pull's tubes: retests first, then the plan's tubes pulled again */
  w.e.site = psc__malloc(n + 1, 4);
  w.e.departed = psc__malloc(n + 1, 8);
  w.e.lab = psc__malloc(n + 1, 4);
  w.e.arrived = psc__malloc(n + 1, 8);
  w.e.run = psc__malloc(n + 1, 4);
  w.e.run_start = psc__malloc(n + 1, 8);
  w.e.reported = psc__malloc(n + 1, 8);
  w.e.runs_cap = (uint64_t)n / 64 + 64; /* grows as runs are formed (psc__runs_room) */
  w.e.run_lab = psc__malloc(w.e.runs_cap, 4);
  w.e.run_instrument = psc__malloc(w.e.runs_cap, 4);
  w.e.run_tubes = psc__malloc(w.e.runs_cap, 4);
  w.e.run_begin = psc__malloc(w.e.runs_cap, 8);
  w.e.run_end = psc__malloc(w.e.runs_cap, 8);
  w.near = psc__malloc((size_t)nsv * PSC__NEAR_LABS + 1, 4);
  w.near_min = psc__malloc((size_t)nsv * PSC__NEAR_LABS + 1, 8);
  w.deadline = psc__malloc(n + 1, 8);
  w.uniq = psc__malloc(n + 1, 8);
  w.cls = psc__malloc(n + 1, 4);
  w.tube_of = psc__malloc(n + 1, 4);
  w.by_site = psc__malloc(n + 1, 4);
  w.site_first = calloc(nsv + 2, 4);
  w.keys = psc__malloc(n + 1, sizeof(key_t));
  if (!w.e.site || !w.e.departed || !w.e.lab || !w.e.arrived || !w.e.run || !w.e.run_start ||
      !w.e.reported || !w.e.run_lab || !w.e.run_instrument || !w.e.run_tubes ||
      !w.e.run_begin || !w.e.run_end || !w.near || !w.near_min || !w.deadline || !w.uniq ||
      !w.cls || !w.tube_of || !w.by_site || !w.site_first || !w.keys)
    goto done;
  /* the real sites' quickest labs; a plan tube is pinned to its lab through
   * a site of its own lab's (no travel: it arrives when the plan had it) */
  memcpy(w.near, m0->near_lab, (size_t)m0->nsites * PSC__NEAR_LABS * 4);
  memcpy(w.near_min, m0->near_lab_min, (size_t)m0->nsites * PSC__NEAR_LABS * 8);
  for (uint32_t l = 0; l < nl; l++)
    for (int j = 0; j < PSC__NEAR_LABS; j++) {
      w.near[(size_t)(m0->nsites + l) * PSC__NEAR_LABS + j] = j ? PSC__NONE : l;
      w.near_min[(size_t)(m0->nsites + l) * PSC__NEAR_LABS + j] = 0;
    }
  uint32_t j = 0;
  for (uint32_t k = 0; k < in->nretests; k++, j++) {
    w.tube_of[j] = k;
    w.e.site[j] = in->rt_site[k];
    w.e.departed[j] = in->rt_departed[k];
    w.deadline[j] = -INFINITY; /* before every plan tube, and never held for a plate */
  }
  for (uint32_t t = 0; t < in->ntubes; t++)
    if (!kept_tube(in, w.kept, t)) {
      w.tube_of[j] = t;
      w.e.site[j] = m0->nsites + in->tube_lab[t];
      w.e.departed[j] = in->tube_arrived[t];
      w.deadline[j] = in->tube_deadline[t];
      j++;
    }
  /* classes: the distinct deadlines, earliest first */
  uint32_t ncls = rank_deadlines(w.deadline, n, w.uniq, w.cls);
  /* tubes by (site, departure), ties in pull order: a counting sort by
   * site, then each site's tubes ordered by departure (a site's tubes fit
   * in cache: the plan's tubes are spread over one site per lab); the
   * sorts' scratch is the pull's output columns, not yet used */
  for (uint32_t i = 0; i < n; i++)
    w.site_first[w.e.site[i] + 1]++;
  for (uint32_t i = 0; i < nsv; i++)
    w.site_first[i + 1] += w.site_first[i];
  uint32_t *tmp = w.e.run, *cur = psc__malloc(nsv + 1, 4); /* per site: next slot */
  uint64_t *k1 = (uint64_t *)(void *)w.e.arrived, *k2 = (uint64_t *)(void *)w.e.run_start;
  if (!cur)
    goto done;
  memcpy(cur, w.site_first, (size_t)nsv * 4);
  for (uint32_t i = 0; i < n; i++)
    w.by_site[cur[w.e.site[i]]++] = i;
  free(cur);
  int sorted = 1;
  for (uint32_t v = 0; v < nsv && sorted; v++)
    sorted = !order_by_time(w.e.departed, w.by_site + w.site_first[v],
                            w.site_first[v + 1] - w.site_first[v], tmp, k1, k2);
  if (!sorted) { /* a time radix sort cannot order: compare */
    for (uint32_t i = 0; i < n; i++)
      w.keys[i] = (key_t){w.e.site[i], w.e.departed[i], i};
    qsort(w.keys, n, sizeof(key_t), cmp_key);
    for (uint32_t i = 0; i < n; i++)
      w.by_site[i] = w.keys[i].j;
  }
  for (uint32_t i = 0; i < n; i++)
    w.e.run[i] = PSC__NONE;
  psc__labmodel_t m = *m0;
  m.nsites = nsv;
  m.near_lab = w.near;
  m.near_lab_min = w.near_min;
  m.inst_free = w.inst_free;
  m.retests = in->nretests > 0;
  if ((rc = psc__pull_labs(&m, w.by_site, w.site_first, n, w.deadline, w.cls, ncls, &w.e)))
    goto done;
  /* the results: retests, the plan's tubes pulled again, every run */
  rc = PSC_ENOMEM;
  out->rt_lab = psc__malloc(in->nretests + 1, 4);
  out->rt_run = psc__malloc(in->nretests + 1, 4);
  out->rt_start = psc__malloc(in->nretests + 1, 8);
  out->rt_reported = psc__malloc(in->nretests + 1, 8);
  out->nruns = out->kept + w.e.nruns;
  out->run_lab = psc__malloc(out->nruns + 1, 4);
  out->run_inst = psc__malloc(out->nruns + 1, 4);
  out->run_tubes = psc__malloc(out->nruns + 1, 4);
  out->run_start = psc__malloc(out->nruns + 1, 8);
  out->run_end = psc__malloc(out->nruns + 1, 8);
  if (!out->rt_lab || !out->rt_run || !out->rt_start || !out->rt_reported || !out->run_lab ||
      !out->run_inst || !out->run_tubes || !out->run_start || !out->run_end)
    goto done;
  /* the kept runs, with the plan tubes they hold */
  uint32_t *map = calloc(in->nruns + 1, 4);
  if (!map)
    goto done;
  uint32_t r = 0;
  for (uint32_t q = 0; q < in->nruns; q++) {
    map[q] = PSC__NONE;
    if (!w.kept[q])
      continue;
    map[q] = r;
    out->run_lab[r] = in->run_lab[q];
    out->run_inst[r] = in->run_inst[q];
    out->run_start[r] = in->run_start[q];
    out->run_end[r] = in->run_end[q];
    out->run_tubes[r++] = 0;
  }
  for (uint32_t t = 0; t < in->ntubes; t++)
    if (kept_tube(in, w.kept, t))
      out->run_tubes[map[in->tube_run[t]]]++;
  free(map);
  for (uint32_t q = 0; q < w.e.nruns; q++, r++) {
    out->run_lab[r] = w.e.run_lab[q];
    out->run_inst[r] = w.e.run_instrument[q];
    out->run_tubes[r] = w.e.run_tubes[q];
    out->run_start[r] = w.e.run_begin[q];
    out->run_end[r] = w.e.run_end[q];
  }
  for (uint32_t i = 0; i < n; i++) {
    int ran = w.e.run[i] != PSC__NONE;
    double rep = ran ? w.e.reported[i] : INFINITY;
    if (i < in->nretests) {
      out->rt_lab[i] = ran ? w.e.lab[i] : PSC__NONE;
      out->rt_run[i] = ran ? out->kept + w.e.run[i] : PSC__NONE;
      out->rt_start[i] = ran ? w.e.run_start[i] : INFINITY;
      out->rt_reported[i] = rep;
    } else {
      out->tube_reported[w.tube_of[i]] = rep;
    }
  }
  rc = 0;
done:
  free(cut);
  free(inst_first);
  work_free(&w);
  if (rc)
    psc__replay_out_free(out);
  return rc;
}
