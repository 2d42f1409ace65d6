/* Designs as text, the optimal search (every D3 partition included), the
 * best Dorfman size for the planner, and the dilution model. */
#include "internal.h"

#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ALG_NAMES[PSC_ALGORITHMS] = {"D2", "D3", "A2", "A2M"};

static int read_uint(const char **s, uint32_t *v) {
  if (!isdigit((unsigned char)**s))
    return -1;
  uint64_t x = 0;
  while (isdigit((unsigned char)**s)) {
    x = x * 10 + (uint64_t)(**s - '0');
    if (x > 100000)
      return -1;
    (*s)++;
  }
  *v = (uint32_t)x;
  return 0;
}

int psc_design_parse(const char *text, psc_design_t *d, char *err, size_t err_size) {
  memset(d, 0, sizeof(*d));
  const char *colon = strchr(text, ':');
  int alg = -1;
  for (int a = 0; colon && a < PSC_ALGORITHMS; a++)
    if ((size_t)(colon - text) == strlen(ALG_NAMES[a]) &&
        !strncmp(text, ALG_NAMES[a], (size_t)(colon - text)))
      alg = a;
  if (alg < 0) {
    snprintf(err, err_size, "'%s': expected D2:K, D3:K/S, D3:K/A+B+..., A2:R or A2M:R", text);
    return PSC_EINPUT;
  }
  d->alg = (psc_algorithm_t)alg;
  const char *s = colon + 1;
  if (read_uint(&s, &d->k) || d->k < 1) {
    snprintf(err, err_size, "'%s': the size must be a whole number of at least 1", text);
    return PSC_EINPUT;
  }
  if (alg == PSC_D3) {
    if (*s != '/') {
      snprintf(err, err_size, "'%s': D3 needs sub-pools, e.g. D3:12/4 or D3:12/5+5+2", text);
      return PSC_EINPUT;
    }
    s++;
    uint32_t v, sum = 0;
    if (read_uint(&s, &v) || v < 1) {
      snprintf(err, err_size, "'%s': a sub-pool size must be at least 1", text);
      return PSC_EINPUT;
    }
    if (*s == '+') {
      d->parts[d->nparts++] = v;
      sum = v;
      while (*s == '+') {
        s++;
        if (read_uint(&s, &v) || v < 1 || d->nparts == PSC_MAX_PARTS) {
          snprintf(err, err_size, "'%s': bad sub-pool list", text);
          return PSC_EINPUT;
        }
        d->parts[d->nparts++] = v;
        sum += v;
      }
      if (sum != d->k) {
        snprintf(err, err_size, "'%s': sub-pools add up to %u, not %u", text, sum, d->k);
        return PSC_EINPUT;
      }
    } else {
      if (v >= d->k || (d->k + v - 1) / v > PSC_MAX_PARTS) {
        snprintf(err, err_size, "'%s': sub-pools of %u do not split a pool of %u", text, v, d->k);
        return PSC_EINPUT;
      }
      for (uint32_t left = d->k; left; left -= left < v ? left : v)
        d->parts[d->nparts++] = left < v ? left : v;
    }
    if (d->nparts < 2) {
      snprintf(err, err_size, "'%s': D3 needs at least two sub-pools", text);
      return PSC_EINPUT;
    }
  }
  if (*s) {
    snprintf(err, err_size, "'%s': unexpected '%s'", text, s);
    return PSC_EINPUT;
  }
  if ((alg == PSC_A2 || alg == PSC_A2M) && d->k < 2) {
    snprintf(err, err_size, "'%s': an array needs rows of at least 2", text);
    return PSC_EINPUT;
  }
  return 0;
}

int psc_design_format(const psc_design_t *d, char *buf, size_t size) {
  int n = snprintf(buf, size, "%s:%u", ALG_NAMES[d->alg], d->k);
  if (d->alg != PSC_D3 || n < 0)
    return n;
  int equal = 1;
  for (uint32_t i = 1; i + 1 < d->nparts; i++)
    equal &= d->parts[i] == d->parts[0];
  equal &= d->parts[d->nparts - 1] <= d->parts[0];
  if (equal)
    return n + snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "/%u", d->parts[0]);
  for (uint32_t i = 0; i < d->nparts; i++)
    n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "%s%u", i ? "+" : "/",
                  d->parts[i]);
  return n;
}

/* ---- ranking ---------------------------------------------------------- */

typedef struct {
  psc_ranked_t *out;
  size_t max, n;
} top_t;

static int earlier(const psc_ranked_t *a, const psc_ranked_t *b) {
  if (a->oc.tests_per_person != b->oc.tests_per_person)
    return a->oc.tests_per_person < b->oc.tests_per_person;
  if (a->design.alg != b->design.alg)
    return a->design.alg < b->design.alg;
  if (a->design.k != b->design.k)
    return a->design.k < b->design.k;
  for (uint32_t i = 0; i < a->design.nparts && i < b->design.nparts; i++)
    if (a->design.parts[i] != b->design.parts[i])
      return a->design.parts[i] > b->design.parts[i];
  return a->design.nparts < b->design.nparts;
}

static void offer(top_t *t, const psc_ranked_t *r) {
  if (t->n == t->max && !earlier(r, &t->out[t->n - 1]))
    return;
  size_t i = t->n < t->max ? t->n++ : t->max - 1;
  while (i > 0 && earlier(r, &t->out[i - 1])) {
    t->out[i] = t->out[i - 1];
    i--;
  }
  t->out[i] = *r;
}

/* Every partition of the remaining size into parts no larger than `most`,
 * non-increasing; each complete one with at least two parts is offered. */
void psc_design_accuracy(const psc_design_t *d, const psc_accuracy_t *base,
                         const psc_dilution_t *dil, psc_accuracy_t *out) {
  *out = *base;
  if (!dil || !dil->enabled)
    return;
  uint32_t size[3] = {d->k, 1, 1};
  if (d->alg == PSC_D3) {
    for (uint32_t i = 0; i < d->nparts; i++)
      size[1] = d->parts[i] > size[1] ? d->parts[i] : size[1];
  } else if (d->alg == PSC_A2M) {
    size[0] = d->k * d->k;
    size[1] = d->k;
  }
  for (int i = 0; i < 3; i++)
    out->se[i] = psc_dilution_se(base->se[i], size[i], dil->ct_mean, dil->ct_sd, dil->lod);
}

/* Evaluates a candidate with its own (diluted) accuracy. */
static int eval_with(psc_ranked_t *r, double p, const psc_accuracy_t *acc,
                     const psc_dilution_t *dil, psc_a2m_count_t a2m) {
  psc_accuracy_t a;
  psc_design_accuracy(&r->design, acc, dil, &a);
  return psc_otc_eval(&r->design, p, &a, a2m, &r->oc);
}

static void partitions(top_t *t, psc_ranked_t *cur, uint32_t left, uint32_t most, double p,
                       const psc_accuracy_t *acc, const psc_dilution_t *dil,
                       psc_a2m_count_t a2m) {
  if (left == 0) {
    if (cur->design.nparts >= 2 && !eval_with(cur, p, acc, dil, a2m))
      offer(t, cur);
    return;
  }
  if (cur->design.nparts == PSC_MAX_PARTS)
    return;
  for (uint32_t s = left < most ? left : most; s >= 1; s--) {
    cur->design.parts[cur->design.nparts++] = s;
    partitions(t, cur, left - s, s, p, acc, dil, a2m);
    cur->design.nparts--;
  }
}

/* D3 without dilution: every part size's contribution to a pool of k is
 * the same wherever it appears, so it is computed once per k and the
 * partitions only add them up. */
typedef struct {
  double pool_pos, tests[PSC_MAX_PARTS + 1], pse[PSC_MAX_PARTS + 1], psp[PSC_MAX_PARTS + 1];
} d3_terms_t;

static void d3_terms(uint32_t k, double p, const psc_accuracy_t *a, d3_terms_t *t) {
  double q = 1 - p, qk = pow(q, k);
  t->pool_pos = a->se[0] * (1 - qk) + (1 - a->sp[0]) * qk;
  for (uint32_t s = 1; s < k && s <= PSC_MAX_PARTS; s++) {
    double qs = pow(q, s), qs1 = pow(q, s - 1), qr = pow(q, k - s), qk1 = pow(q, k - 1);
    double se1 = a->se[0], sp1 = a->sp[0], se2 = a->se[1], sp2 = a->sp[1], se3 = a->se[2],
           sp3 = a->sp[2];
    if (s > 1) {
      double both = se1 * se2 * (1 - qs) + se1 * (1 - sp2) * qs * (1 - qr) + (1 - sp1) * (1 - sp2) * qk;
      double both_neg = se1 * se2 * (1 - qs1) + se1 * (1 - sp2) * qs1 * (1 - qr) +
                        (1 - sp1) * (1 - sp2) * qk1;
      t->tests[s] = s * both;
      t->pse[s] = s * se1 * se2 * se3;
      t->psp[s] = s * (1 - (1 - sp3) * both_neg);
    } else {
      t->tests[s] = 0;
      t->pse[s] = se1 * se2;
      t->psp[s] = 1 - (1 - sp2) * (se1 * (1 - qk1) + (1 - sp1) * qk1);
    }
  }
}

typedef struct {
  top_t *top;
  const d3_terms_t *t;
  psc_ranked_t cur;
  double p;
} d3_walk_t;

static void d3_walk(d3_walk_t *w, uint32_t left, uint32_t most, double tests, double pse,
                    double psp) {
  psc_design_t *d = &w->cur.design;
  if (left == 0) {
    if (d->nparts < 2)
      return;
    double k = d->k;
    psc_opchar_t *o = &w->cur.oc;
    o->tests_per_person = (1 + d->nparts * w->t->pool_pos + tests) / k;
    if (w->top->n == w->top->max && o->tests_per_person > w->top->out[w->top->n - 1].oc.tests_per_person)
      return;
    o->pse = pse / k;
    o->psp = psp / k;
    double q = 1 - w->p;
    o->ppv = w->p * o->pse / (w->p * o->pse + q * (1 - o->psp));
    o->npv = q * o->psp / (q * o->psp + w->p * (1 - o->pse));
    offer(w->top, &w->cur);
    return;
  }
  if (d->nparts == PSC_MAX_PARTS)
    return;
  for (uint32_t s = left < most ? left : most; s >= 1; s--) {
    d->parts[d->nparts++] = s;
    d3_walk(w, left - s, s, tests + w->t->tests[s], pse + w->t->pse[s], psp + w->t->psp[s]);
    d->nparts--;
  }
}

int psc_otc_search(uint32_t alg_mask, uint32_t kmin, uint32_t kmax, double p,
                   const psc_accuracy_t *acc, const psc_dilution_t *dil, psc_a2m_count_t a2m,
                   psc_ranked_t *out, size_t max, size_t *n) {
  if (!out || !max || !n || kmin < 1 || kmin > kmax || kmax > 1000 || !(p > 0 && p < 1))
    return PSC_EINVAL;
  top_t t = {out, max, 0};
  psc_ranked_t cur;
  for (int a = 0; a < PSC_ALGORITHMS; a++) {
    if (!(alg_mask & (1u << a)))
      continue;
    for (uint32_t k = kmin; k <= kmax; k++) {
      memset(&cur, 0, sizeof(cur));
      cur.design.alg = (psc_algorithm_t)a;
      cur.design.k = k;
      if (a == PSC_D3) {
        if (k < 3 || k > 60)
          continue; /* partitions of more than 60 are too many to list */
        if (dil && dil->enabled) {
          partitions(&t, &cur, k, k - 1, p, acc, dil, a2m);
        } else {
          d3_terms_t terms;
          d3_terms(k, p, acc, &terms);
          d3_walk_t w = {&t, &terms, cur, p};
          d3_walk(&w, k, k - 1, 0, 0, 0);
        }
      } else if (!((a == PSC_A2 || a == PSC_A2M) && k < 2) &&
                 !eval_with(&cur, p, acc, dil, a2m)) {
        offer(&t, &cur);
      }
    }
  }
  *n = t.n;
  return 0;
}

uint32_t psc_otc_best_dorfman(double p, const psc_accuracy_t *acc, uint32_t kmin, uint32_t kmax) {
  psc_ranked_t best;
  size_t n = 0;
  if (psc_otc_search(1u << PSC_D2, kmin, kmax, p, acc, NULL, PSC_A2M_EXACT, &best, 1, &n) || !n)
    return kmin;
  return best.design.k;
}

double psc_dilution_se(double se, uint32_t k, double ct_mean, double ct_sd, double lod) {
  if (k < 1 || !(ct_sd > 0))
    return se;
  return se * gsl_cdf_ugaussian_P((lod - log2((double)k) - ct_mean) / ct_sd);
}
