/* Operating characteristics: published check values, binGroup2's values,
 * and an independent brute-force oracle (every infection pattern and every
 * test outcome enumerated; no code shared with the closed forms). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static psc_accuracy_t acc3(double se1, double se2, double se3, double sp1, double sp2, double sp3) {
  psc_accuracy_t a = {{se1, se2, se3}, {sp1, sp2, sp3}};
  return a;
}

static psc_opchar_t eval(const char *design, double p, psc_accuracy_t a, psc_a2m_count_t m) {
  psc_design_t d;
  char err[128];
  if (psc_design_parse(design, &d, err, sizeof err))
    fail_msg("%s", err);
  psc_opchar_t o;
  assert_int_equal(psc_otc_eval(&d, p, &a, m, &o), 0);
  return o;
}

static void close_rel(double got, double want, double tol, const char *what) {
  if (!(fabs(got - want) <= tol * fabs(want)))
    fail_msg("%s: got %.12g, want %.12g (relative error %.3g)", what, got, want,
             fabs(got - want) / fabs(want));
}

/* binGroup2 1.3.1 opChar1, Se = 0.95 and Sp = 0.98 at every stage (brief). */
static void test_bingroup2_values(void **state) {
  (void)state;
  static const struct {
    double p;
    const char *design;
    double v[5];
  } rows[] = {
      {0.01, "D2:8", {0.2168474342, 0.9025, 0.9983364155, 0.8456749810, 0.9990144826}},
      {0.01, "D3:12/4", {0.1520755172, 0.857375, 0.9994282492, 0.9380692834, 0.9985605941}},
      {0.01, "A2:6", {0.3755511147, 0.9186818355, 0.9993424758, 0.9338316402, 0.9991787390}},
      {0.01, "A2M:6", {0.3509036000, 0.8727477437, 0.9998442047, 0.9826342790, 0.9987160740}},
      {0.03, "D2:8", {0.3461186757, 0.9025, 0.9960284809, 0.8754380642, 0.9969816504}},
      {0.03, "D3:12/4", {0.2669533189, 0.857375, 0.9983430240, 0.9411871962, 0.9956010328}},
      {0.03, "A2:6", {0.4015729228, 0.8917966987, 0.9991736580, 0.9709113192, 0.9966619186}},
      {0.03, "A2M:6", {0.3790803216, 0.8472068637, 0.9994444923, 0.9792393954, 0.9952940631}},
  };
  psc_accuracy_t a = acc3(0.95, 0.95, 0.95, 0.98, 0.98, 0.98);
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    /* the published values have ten digits: agreement to 1e-9 relative */
    psc_opchar_t o = eval(rows[i].design, rows[i].p, a, PSC_A2M_BINGROUP2);
    double got[5] = {o.tests_per_person, o.pse, o.psp, o.ppv, o.npv};
    for (int k = 0; k < 5; k++)
      close_rel(got[k], rows[i].v[k], 1e-9, rows[i].design);
  }
}

/* Dorfman (1943) with Se = Sp = 0.99, and the perfect-test optima. */
static void test_dorfman_published(void **state) {
  (void)state;
  psc_accuracy_t a = acc3(0.99, 0.99, 0.99, 0.99, 0.99, 0.99);
  psc_opchar_t o = eval("D2:10", 0.01, a, PSC_A2M_EXACT);
  assert_true(fabs(o.tests_per_person - 0.2037) < 5e-5);
  assert_true(fabs(o.tests_per_person * 10 - 2.0371) < 5e-5);
  assert_true(fabs(o.pse - 0.9801) < 5e-5);
  assert_true(fabs(o.psp - 0.9991) < 5e-5);
  assert_true(fabs(o.ppv - 0.9127) < 5e-5);
  assert_true(fabs(o.npv - 0.9998) < 5e-5);
  assert_int_equal(psc_otc_best_dorfman(0.01, &a, 3, 20), 11);
  psc_opchar_t b = eval("D2:11", 0.01, a, PSC_A2M_EXACT);
  assert_true(fabs(b.tests_per_person - 0.2035) < 5e-5);
  psc_accuracy_t perfect = acc3(1, 1, 1, 1, 1, 1);
  assert_int_equal(psc_otc_best_dorfman(0.01, &perfect, 1, 100), 11);
  assert_int_equal(psc_otc_best_dorfman(0.001, &perfect, 1, 100), 32);
  assert_int_equal(psc_otc_best_dorfman(0.10, &perfect, 1, 100), 4);
  /* Dorfman beats one test each only while p < 1 - 3^(-1/3) */
  double threshold = 1 - pow(3, -1.0 / 3);
  assert_true(psc_otc_best_dorfman(threshold - 1e-4, &perfect, 1, 100) > 1);
  assert_int_equal(psc_otc_best_dorfman(threshold + 1e-4, &perfect, 1, 100), 1);
  /* a 1:10 pool is positive with probability 1 - q^10 under a perfect test,
   * and then costs one more test per member */
  assert_true(fabs(eval("D2:10", 0.01, perfect, 0).tests_per_person - 0.1 - 0.0956) < 5e-5);
  assert_true(fabs(eval("D2:10", 0.05, perfect, 0).tests_per_person - 0.1 - 0.40) < 5e-3);
  assert_true(fabs(eval("D2:10", 0.10, perfect, 0).tests_per_person - 0.1 - 0.65) < 5e-3);
  assert_true(fabs(psc_entropy_bound(0.01) - 0.0808) < 5e-5);
  assert_true(fabs(psc_entropy_bound(0.001) - 0.0114) < 5e-5);
}

/* ---- the brute-force oracle ------------------------------------------- */

typedef struct {
  double tests, pos_called_pos, pos, neg_called_pos, neg;
} tally_t;

/* Adds one infection pattern x (bits) of n people with probability w, in
 * which person i is called positive with probability called[i] and the
 * expected number of tests is t. */
static void add(tally_t *s, double w, unsigned x, int n, const double *called, double t) {
  s->tests += w * t;
  for (int i = 0; i < n; i++) {
    if (x >> i & 1) {
      s->pos += w;
      s->pos_called_pos += w * called[i];
    } else {
      s->neg += w;
      s->neg_called_pos += w * called[i];
    }
  }
}

static double pattern_prob(unsigned x, int n, double p) {
  double w = 1;
  for (int i = 0; i < n; i++)
    w *= (x >> i & 1) ? p : 1 - p;
  return w;
}

static double test_pos(int truly, double se, double sp) { return truly ? se : 1 - sp; }

/* Hierarchical: pool of n = sum of parts; parts[] sizes; two or three stages. */
static tally_t brute_hier(const int *parts, int nparts, double p, const psc_accuracy_t *a) {
  int n = 0;
  for (int i = 0; i < nparts; i++)
    n += parts[i];
  tally_t s = {0};
  for (unsigned x = 0; x < (1u << n); x++) {
    double w = pattern_prob(x, n, p), called[32] = {0}, t = 1;
    double pool = test_pos(x != 0, a->se[0], a->sp[0]);
    if (nparts == 1) { /* D2 */
      t += pool * n;
      for (int i = 0; i < n; i++)
        called[i] = pool * test_pos(x >> i & 1, a->se[1], a->sp[1]);
    } else {
      int at = 0;
      t += pool * nparts;
      for (int j = 0; j < nparts; j++) {
        unsigned mask = ((1u << parts[j]) - 1) << at;
        double part = test_pos((x & mask) != 0, a->se[1], a->sp[1]);
        if (parts[j] == 1) {
          called[at] = pool * part;
        } else {
          t += pool * part * parts[j];
          for (int i = at; i < at + parts[j]; i++)
            called[i] = pool * part * test_pos(x >> i & 1, a->se[2], a->sp[2]);
        }
        at += parts[j];
      }
    }
    add(&s, w, x, n, called, t);
  }
  return s;
}

/* Arrays r x r, rows and columns (stage s0), individuals (stage s0 + 1);
 * with a master pool first when master is set (stage 0). */
static tally_t brute_array(int r, double p, const psc_accuracy_t *a, int master) {
  int n = r * r, s0 = master ? 1 : 0;
  tally_t s = {0};
  for (unsigned x = 0; x < (1u << n); x++) {
    double w = pattern_prob(x, n, p), called[32] = {0}, t = master ? 1 : 0;
    double m = master ? test_pos(x != 0, a->se[0], a->sp[0]) : 1.0;
    int rowpos[8], colpos[8];
    for (int i = 0; i < r; i++) {
      rowpos[i] = colpos[i] = 0;
      for (int j = 0; j < r; j++) {
        rowpos[i] |= x >> (i * r + j) & 1;
        colpos[i] |= x >> (j * r + i) & 1;
      }
    }
    t += m * 2 * r;
    /* every outcome of the 2r row and column tests */
    for (unsigned o = 0; o < (1u << (2 * r)); o++) {
      double po = m;
      int anyrow = 0, anycol = 0;
      for (int i = 0; i < r; i++) {
        int R = o >> i & 1, C = o >> (r + i) & 1;
        po *= R ? test_pos(rowpos[i], a->se[s0], a->sp[s0]) : 1 - test_pos(rowpos[i], a->se[s0], a->sp[s0]);
        po *= C ? test_pos(colpos[i], a->se[s0], a->sp[s0]) : 1 - test_pos(colpos[i], a->se[s0], a->sp[s0]);
        anyrow |= R;
        anycol |= C;
      }
      for (int i = 0; i < r; i++)
        for (int j = 0; j < r; j++) {
          int R = o >> i & 1, C = o >> (r + j) & 1;
          int retest = (R && C) || (R && !anycol) || (C && !anyrow);
          if (retest) {
            t += po;
            called[i * r + j] += po * test_pos(x >> (i * r + j) & 1, a->se[s0 + 1], a->sp[s0 + 1]);
          }
        }
    }
    add(&s, w, x, n, called, t);
  }
  return s;
}

/* The oracle sums up to 16 million terms, so it is trusted to 1e-10. */
static void compare(const tally_t *s, int n, const psc_opchar_t *o, const char *what) {
  close_rel(o->tests_per_person, s->tests / n, 1e-10, what);
  close_rel(o->pse, s->pos_called_pos / s->pos, 1e-10, what);
  close_rel(1 - o->psp, s->neg_called_pos / s->neg, 1e-10, what);
}

static void test_brute_force(void **state) {
  (void)state;
  psc_accuracy_t a = acc3(0.93, 0.96, 0.99, 0.97, 0.985, 0.995);
  const double ps[] = {0.02, 0.15, 0.4};
  for (int k = 0; k < 3; k++) {
    double p = ps[k];
    int d2[] = {5};
    tally_t s = brute_hier(d2, 1, p, &a);
    psc_opchar_t o = eval("D2:5", p, a, PSC_A2M_EXACT);
    compare(&s, 5, &o, "D2:5");
    int d3[] = {3, 2, 1};
    s = brute_hier(d3, 3, p, &a);
    o = eval("D3:6/3+2+1", p, a, PSC_A2M_EXACT);
    compare(&s, 6, &o, "D3:6/3+2+1");
    int d3b[] = {4, 4};
    s = brute_hier(d3b, 2, p, &a);
    o = eval("D3:8/4", p, a, PSC_A2M_EXACT);
    compare(&s, 8, &o, "D3:8/4");
    /* 4 x 4 is 16 million terms: once is enough */
    for (int r = 2; r <= (k == 1 ? 4 : 3); r++) {
      char name[16];
      snprintf(name, sizeof name, "A2:%d", r);
      s = brute_array(r, p, &a, 0);
      o = eval(name, p, a, PSC_A2M_EXACT);
      compare(&s, r * r, &o, name);
      snprintf(name, sizeof name, "A2M:%d", r);
      s = brute_array(r, p, &a, 1);
      o = eval(name, p, a, PSC_A2M_EXACT);
      compare(&s, r * r, &o, name);
    }
  }
}

static void test_design_text(void **state) {
  (void)state;
  psc_design_t d;
  char err[128], buf[64];
  assert_int_equal(psc_design_parse("D3:20/5", &d, err, sizeof err), 0);
  assert_int_equal(d.nparts, 4);
  psc_design_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "D3:20/5");
  assert_int_equal(psc_design_parse("D3:12/5", &d, err, sizeof err), 0);
  assert_int_equal(d.nparts, 3);
  assert_int_equal(d.parts[2], 2);
  psc_design_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "D3:12/5");
  assert_int_equal(psc_design_parse("D3:12/5+4+3", &d, err, sizeof err), 0);
  psc_design_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "D3:12/5+4+3");
  assert_int_equal(psc_design_parse("A2M:10", &d, err, sizeof err), 0);
  assert_int_equal(d.alg, PSC_A2M);
  static const char *bad[] = {"D4:3", "D2:", "D2:x", "D3:12", "D3:12/12", "D3:12/5+5",
                              "A2:1", "D2:10x", "X"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(psc_design_parse(bad[i], &d, err, sizeof err), PSC_EINPUT);
}

static void test_search(void **state) {
  (void)state;
  psc_accuracy_t a = acc3(0.95, 0.95, 0.95, 0.98, 0.98, 0.98);
  psc_ranked_t top[5];
  size_t n = 0;
  assert_int_equal(psc_otc_search(0xF, 3, 30, 0.01, &a, NULL, PSC_A2M_EXACT, top, 5, &n), 0);
  assert_int_equal(n, 5);
  for (size_t i = 1; i < n; i++)
    assert_true(top[i - 1].oc.tests_per_person <= top[i].oc.tests_per_person);
  /* the search's running sums agree with evaluating each design afresh */
  for (size_t i = 0; i < n; i++) {
    psc_opchar_t o;
    assert_int_equal(psc_otc_eval(&top[i].design, 0.01, &a, PSC_A2M_EXACT, &o), 0);
    close_rel(o.tests_per_person, top[i].oc.tests_per_person, 1e-12, "search");
    close_rel(o.psp, top[i].oc.psp, 1e-12, "search");
    close_rel(o.ppv, top[i].oc.ppv, 1e-12, "search");
  }
  /* nothing evaluated one by one beats the winner */
  for (uint32_t k = 3; k <= 30; k++) {
    char name[32];
    snprintf(name, sizeof name, "D2:%u", k);
    assert_true(eval(name, 0.01, a, 0).tests_per_person >= top[0].oc.tests_per_person);
    snprintf(name, sizeof name, "A2:%u", k);
    assert_true(eval(name, 0.01, a, 0).tests_per_person >= top[0].oc.tests_per_person);
    for (uint32_t s = 1; s < k; s++) {
      snprintf(name, sizeof name, "D3:%u/%u", k, s);
      assert_true(eval(name, 0.01, a, 0).tests_per_person >= top[0].oc.tests_per_person);
    }
  }
  assert_int_equal(psc_otc_search(0xF, 5, 4, 0.01, &a, NULL, 0, top, 5, &n), PSC_EINVAL);
  assert_int_equal(psc_otc_search(0xF, 3, 5, 1.5, &a, NULL, 0, top, 5, &n), PSC_EINVAL);
}

static void test_invalid(void **state) {
  (void)state;
  psc_design_t d = {PSC_D2, 10, 0, {0}};
  psc_opchar_t o;
  psc_accuracy_t a = acc3(0.95, 0.95, 0.95, 0.98, 0.98, 0.98);
  assert_int_equal(psc_otc_eval(&d, 0, &a, 0, &o), PSC_EINVAL);
  assert_int_equal(psc_otc_eval(&d, 1, &a, 0, &o), PSC_EINVAL);
  a.se[1] = 0.5;
  assert_int_equal(psc_otc_eval(&d, 0.1, &a, 0, &o), PSC_EINVAL);
}

/* Dilution: 1:10 near 91 %, 1:5 near 93 % (published estimates) with
 * Ct ~ Normal(28, 5) and a limit of 38. */
static void test_dilution(void **state) {
  (void)state;
  double s5 = psc_dilution_se(1, 5, 28, 5, 38), s10 = psc_dilution_se(1, 10, 28, 5, 38);
  assert_true(fabs(s5 - 0.938) < 0.002);
  assert_true(fabs(s10 - 0.909) < 0.002);
  double prev = 1;
  for (uint32_t k = 1; k <= 64; k *= 2) {
    double s = psc_dilution_se(0.99, k, 28, 5, 38);
    assert_true(s < prev);
    prev = s;
  }
  psc_design_t d = {PSC_D2, 10, 0, {0}};
  psc_accuracy_t base = acc3(0.99, 0.99, 0.99, 0.99, 0.99, 0.99), a;
  psc_dilution_t dil = {1, 28, 5, 38};
  psc_design_accuracy(&d, &base, &dil, &a);
  assert_true(fabs(a.se[0] - 0.99 * s10) < 1e-12);
  assert_true(fabs(a.se[1] - psc_dilution_se(0.99, 1, 28, 5, 38)) < 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bingroup2_values), cmocka_unit_test(test_dorfman_published),
      cmocka_unit_test(test_brute_force),      cmocka_unit_test(test_design_text),
      cmocka_unit_test(test_search),           cmocka_unit_test(test_invalid),
      cmocka_unit_test(test_dilution),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
