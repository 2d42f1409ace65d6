/* Property tests of roster synthesis over many seeds and random counts. */
#include "testutil.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NCOMM 40

typedef struct {
  psc_communities_t c;
  uint32_t pop[NCOMM], hh[NCOMM], d2d[NCOMM], hr[NCOMM];
} comms_t;

/* Random counts within the format's bounds, including edge cases: empty
 * communities, one person per household, twenty per household. */
static void random_comms(comms_t *k, uint64_t seed) {
  memset(k, 0, sizeof(*k));
  uint64_t x = seed;
  for (int i = 0; i < NCOMM; i++) {
    x = psc__mix64(x);
    uint32_t pop = (uint32_t)(x % 3000);
    if (i % 13 == 0)
      pop = 0;
    uint32_t lo = (pop + 19) / 20, hi = pop;
    x = psc__mix64(x);
    uint32_t hh = hi > lo ? lo + (uint32_t)(x % (hi - lo + 1)) : lo;
    if (i % 7 == 1)
      hh = lo; /* as full as allowed */
    if (i % 7 == 2)
      hh = hi; /* everyone alone */
    x = psc__mix64(x);
    uint32_t d2d = pop ? (uint32_t)(x % (pop / 10 + 1)) : 0;
    uint32_t hr = pop ? (uint32_t)((x >> 20) % (pop - d2d + 1)) : 0;
    k->pop[i] = pop;
    k->hh[i] = hh;
    k->d2d[i] = d2d;
    k->hr[i] = hr;
  }
  k->c.count = NCOMM;
  k->c.population = k->pop;
  k->c.households = k->hh;
  k->c.door_to_door = k->d2d;
  k->c.high_risk = k->hr;
}

static void check_invariants(const comms_t *k, const psc_roster_t *r, uint64_t seed) {
  uint64_t pop = 0, hh = 0;
  for (int i = 0; i < NCOMM; i++) {
    pop += k->pop[i];
    hh += k->hh[i];
  }
  if (r->residents != pop || r->households != hh)
    fail_msg("seed %llu: totals %u/%u, expected %llu/%llu", (unsigned long long)seed,
             r->residents, r->households, (unsigned long long)pop, (unsigned long long)hh);
  assert_int_equal(r->hh_first[0], 0);
  assert_int_equal(r->hh_first[r->households], r->residents);
  for (int i = 0; i < NCOMM; i++) {
    uint32_t h0 = r->comm_hh_first[i], h1 = r->comm_hh_first[i + 1];
    if (h1 - h0 != k->hh[i])
      fail_msg("seed %llu community %d: %u households, expected %u", (unsigned long long)seed, i,
               h1 - h0, k->hh[i]);
    uint32_t people = 0, d2d = 0, hr = 0;
    for (uint32_t h = h0; h < h1; h++) {
      uint32_t size = r->hh_first[h + 1] - r->hh_first[h];
      if (size < 1 || size > 20)
        fail_msg("seed %llu: household %u has %u members", (unsigned long long)seed, h, size);
      assert_int_equal(r->hh_community[h], (uint32_t)i);
      for (uint32_t j = r->hh_first[h]; j < r->hh_first[h + 1]; j++) {
        assert_int_equal(r->res_household[j], h);
        d2d += (r->res_flags[j] & PSC_RES_DOOR_TO_DOOR) != 0;
        hr += (r->res_flags[j] & PSC_RES_HIGH_RISK) != 0;
        assert_true(r->res_flags[j] != (PSC_RES_DOOR_TO_DOOR | PSC_RES_HIGH_RISK));
      }
      people += size;
    }
    if (people != k->pop[i] || d2d != k->d2d[i] || hr != k->hr[i])
      fail_msg("seed %llu community %d: %u people %u d2d %u hr, expected %u %u %u",
               (unsigned long long)seed, i, people, d2d, hr, k->pop[i], k->d2d[i], k->hr[i]);
  }
}

static int same_roster(const psc_roster_t *a, const psc_roster_t *b) {
  return a->residents == b->residents && a->households == b->households &&
         !memcmp(a->hh_first, b->hh_first, 4ull * (a->households + 1)) &&
         !memcmp(a->res_flags, b->res_flags, a->residents);
}

static void test_invariants_many_seeds(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 200; seed++) {
    comms_t k;
    random_comms(&k, seed);
    psc_roster_t r;
    assert_int_equal(psc_roster_synthesise(&k.c, seed, &r), 0);
    check_invariants(&k, &r, seed);
    psc_roster_clear(&r);
  }
}

static void test_deterministic(void **state) {
  (void)state;
  comms_t k;
  random_comms(&k, 99);
  psc_roster_t a, b, c, t1;
  assert_int_equal(psc_roster_synthesise(&k.c, 5, &a), 0);
  assert_int_equal(psc_roster_synthesise(&k.c, 5, &b), 0);
  assert_int_equal(psc_roster_synthesise(&k.c, 6, &c), 0);
  assert_true(same_roster(&a, &b));
  assert_false(same_roster(&a, &c));
  int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  assert_int_equal(psc_roster_synthesise(&k.c, 5, &t1), 0);
  omp_set_num_threads(threads > 1 ? threads : 2);
  assert_true(same_roster(&a, &t1));
  psc_roster_clear(&a);
  psc_roster_clear(&b);
  psc_roster_clear(&c);
  psc_roster_clear(&t1);
}

/* The size mix is realistic: at the census mean of 2.35, between a fifth and
 * a third live alone and few households exceed six. */
static void test_size_mix(void **state) {
  (void)state;
  uint32_t pop = 235000, hh = 100000, zero = 0;
  psc_communities_t c = {.count = 1, .population = &pop, .households = &hh,
                         .door_to_door = &zero, .high_risk = &zero};
  psc_roster_t r;
  assert_int_equal(psc_roster_synthesise(&c, 1, &r), 0);
  uint32_t count[21] = {0};
  for (uint32_t h = 0; h < hh; h++)
    count[r.hh_first[h + 1] - r.hh_first[h]]++;
  assert_in_range(count[1], hh / 5, hh / 3);
  assert_in_range(count[2], hh / 4, hh * 2 / 5);
  uint32_t big = 0;
  for (int s = 7; s <= 20; s++)
    big += count[s];
  assert_true(big < hh / 100);
  psc_roster_clear(&r);
}

static void test_rejects_bad_counts(void **state) {
  (void)state;
  uint32_t pop = 10, hh = 11, zero = 0;
  psc_communities_t c = {.count = 1, .population = &pop, .households = &hh,
                         .door_to_door = &zero, .high_risk = &zero};
  psc_roster_t r;
  assert_int_equal(psc_roster_synthesise(&c, 1, &r), PSC_EINVAL);
  hh = 0;
  assert_int_equal(psc_roster_synthesise(&c, 1, &r), PSC_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_invariants_many_seeds),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_size_mix),
      cmocka_unit_test(test_rejects_bad_counts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
