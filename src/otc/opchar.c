/* Exact operating characteristics of D2, D3, A2 and A2M in closed form.
 *
 * Tests are conditionally independent given the true status of what they
 * test: a group with a positive member tests positive with probability Se of
 * its stage, a group without with 1 - Sp. Everything below is q = 1 - p to
 * the power of group sizes; docs/otc.md derives each expression, and the
 * tests check them against brute-force enumeration of every infection
 * pattern and test outcome. */
#include "internal.h"

#include <math.h>

static void predictive(double p, psc_opchar_t *o) {
  double q = 1 - p;
  o->ppv = p * o->pse / (p * o->pse + q * (1 - o->psp));
  o->npv = q * o->psp / (q * o->psp + p * (1 - o->pse));
}

/* D2: one pool of k, then every member of a positive pool alone. */
static void dorfman(uint32_t k, double p, const psc_accuracy_t *a, psc_opchar_t *o) {
  double q = 1 - p, se1 = a->se[0], sp1 = a->sp[0], se2 = a->se[1], sp2 = a->sp[1];
  if (k == 1) { /* individual testing */
    *o = (psc_opchar_t){1.0, se1, sp1, 0, 0};
    return;
  }
  double qk = pow(q, k), qk1 = pow(q, k - 1);
  o->tests_per_person = 1.0 / k + se1 - (se1 + sp1 - 1) * qk;
  o->pse = se1 * se2;
  o->psp = 1 - (1 - sp2) * (se1 * (1 - qk1) + (1 - sp1) * qk1);
}

/* D3: a pool of k; if positive, its parts; members of positive parts (of
 * more than one) alone. Costs and accuracies are sums over the parts. */
static void three_stage(const psc_design_t *d, double p, const psc_accuracy_t *a,
                        psc_opchar_t *o) {
  double q = 1 - p, k = d->k;
  double se1 = a->se[0], sp1 = a->sp[0], se2 = a->se[1], sp2 = a->sp[1], se3 = a->se[2],
         sp3 = a->sp[2];
  double qk = pow(q, k), qk1 = pow(q, k - 1);
  double pool_pos = se1 * (1 - qk) + (1 - sp1) * qk;
  double tests = 1 + d->nparts * pool_pos, pse = 0, psp = 0;
  for (uint32_t i = 0; i < d->nparts; i++) {
    double s = d->parts[i];
    if (s > 1) {
      double qs = pow(q, s), qs1 = pow(q, s - 1), qr = pow(q, k - s);
      /* pool and part both test positive */
      double both = se1 * se2 * (1 - qs) + se1 * (1 - sp2) * qs * (1 - qr) +
                    (1 - sp1) * (1 - sp2) * qk;
      tests += s * both;
      pse += s * se1 * se2 * se3;
      /* ... given one member (negative) of the part */
      double both_neg = se1 * se2 * (1 - qs1) + se1 * (1 - sp2) * qs1 * (1 - qr) +
                        (1 - sp1) * (1 - sp2) * qk1;
      psp += s * (1 - (1 - sp3) * both_neg);
    } else {
      pse += se1 * se2;
      psp += 1 - (1 - sp2) * (se1 * (1 - qk1) + (1 - sp1) * qk1);
    }
  }
  o->tests_per_person = tests / k;
  o->pse = pse / k;
  o->psp = psp / k;
}

/* For an r x r array with row/column tests (se, sp): the probability that a
 * given individual is retested under the A2 rule, given it is positive
 * (*r1) or negative (*r0). The rule retests (i, j) when row i and column j
 * test positive, or row i does and no column does, or the mirror case. */
static void array_retest(uint32_t r, double p, double se, double sp, double *r1, double *r0) {
  double q = 1 - p, b = 1 - se;
  double qr1 = pow(q, r - 1);
  double a = qr1 * sp + (1 - qr1) * b;        /* a column without the focal cell tests negative */
  double u = se * (1 - qr1) + (1 - sp) * qr1; /* a row without the focal cell tests positive */
  double w = p * b + q * a;                   /* one other cell's column tests negative */
  double wr1 = pow(w, r - 1), qar1 = pow(q * a, r - 1);
  *r1 = se * se + 2 * se * b * wr1;
  *r0 = u * u + 2 * a * (se * (wr1 - qar1) + (1 - sp) * qar1);
}

static void array2(uint32_t r, double p, const psc_accuracy_t *a, psc_opchar_t *o) {
  double r1, r0;
  array_retest(r, p, a->se[0], a->sp[0], &r1, &r0);
  o->tests_per_person = 2.0 / r + p * r1 + (1 - p) * r0;
  o->pse = a->se[1] * r1;
  o->psp = 1 - (1 - a->sp[1]) * r0;
}

static void array2m(uint32_t r, double p, const psc_accuracy_t *a, psc_a2m_count_t count,
                    psc_opchar_t *o) {
  double q = 1 - p, se1 = a->se[0], sp1 = a->sp[0], se2 = a->se[1], sp2 = a->sp[1],
         se3 = a->se[2], sp3 = a->sp[2];
  double r1, r0;
  array_retest(r, p, se2, sp2, &r1, &r0);
  double n2 = (double)r * r, Q = pow(q, n2);
  /* an individual's retest in an array without any positive */
  double z = (1 - sp2) * (1 - sp2) + 2 * (1 - sp2) * pow(sp2, r);
  double e_a2 = 2.0 / r + p * r1 + q * r0;
  double master_terms = (1 - se1 - sp1) * Q * (2.0 / r + z);
  if (count == PSC_A2M_BINGROUP2)
    o->tests_per_person = (1.0 / n2 + master_terms + se1 * n2 * e_a2) / n2;
  else
    o->tests_per_person = 1.0 / n2 + master_terms + se1 * e_a2;
  o->pse = se1 * se3 * r1;
  double z0 = pow(q, n2 - 1) * z; /* retested although nobody else is positive */
  o->psp = 1 - (1 - sp3) * (se1 * (r0 - z0) + (1 - sp1) * z0);
}

static int valid_accuracy(const psc_accuracy_t *a) {
  for (int i = 0; i < 3; i++)
    if (!(a->se[i] > 0.5 && a->se[i] <= 1) || !(a->sp[i] > 0.5 && a->sp[i] <= 1))
      return 0;
  return 1;
}

int psc_otc_eval(const psc_design_t *d, double p, const psc_accuracy_t *acc,
                 psc_a2m_count_t a2m, psc_opchar_t *out) {
  if (!d || !acc || !out || !(p > 0 && p < 1) || !valid_accuracy(acc) || d->k < 1)
    return PSC_EINVAL;
  switch (d->alg) {
  case PSC_D2:
    dorfman(d->k, p, acc, out);
    break;
  case PSC_D3: {
    uint64_t sum = 0;
    if (d->nparts < 2 || d->nparts > PSC_MAX_PARTS)
      return PSC_EINVAL;
    for (uint32_t i = 0; i < d->nparts; i++) {
      if (d->parts[i] < 1)
        return PSC_EINVAL;
      sum += d->parts[i];
    }
    if (sum != d->k)
      return PSC_EINVAL;
    three_stage(d, p, acc, out);
    break;
  }
  case PSC_A2:
    if (d->k < 2)
      return PSC_EINVAL;
    array2(d->k, p, acc, out);
    break;
  case PSC_A2M:
    if (d->k < 2)
      return PSC_EINVAL;
    array2m(d->k, p, acc, a2m, out);
    break;
  default:
    return PSC_EINVAL;
  }
  predictive(p, out);
  return 0;
}

double psc_entropy_bound(double p) {
  if (!(p > 0 && p < 1))
    return 0;
  return -p * log2(p) - (1 - p) * log2(1 - p);
}
