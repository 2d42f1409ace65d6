/* Unit tests of number, time and date parsing and of the string map. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "internal.h"

static void test_u64(void **state) {
  (void)state;
  uint64_t v = 0;
  assert_int_equal(psc__parse_u64("42", 100, &v), PSC__NUM_OK);
  assert_int_equal(v, 42);
  assert_int_equal(psc__parse_u64("  7 ", 100, &v), PSC__NUM_OK);
  assert_int_equal(v, 7);
  assert_int_equal(psc__parse_u64("", 100, &v), PSC__NUM_EMPTY);
  assert_int_equal(psc__parse_u64("4x", 100, &v), PSC__NUM_SYNTAX);
  assert_int_equal(psc__parse_u64("1.5", 100, &v), PSC__NUM_SYNTAX);
  assert_int_equal(psc__parse_u64("-3", 100, &v), PSC__NUM_NEGATIVE);
  assert_int_equal(psc__parse_u64("-0", 100, &v), PSC__NUM_OK);
  assert_int_equal(psc__parse_u64("101", 100, &v), PSC__NUM_RANGE);
  assert_int_equal(psc__parse_u64("18446744073709551616", UINT64_MAX, &v), PSC__NUM_RANGE);
  assert_int_equal(psc__parse_u64("18446744073709551615", UINT64_MAX, &v), PSC__NUM_OK);
  assert_true(v == UINT64_MAX);
}

static void test_double(void **state) {
  (void)state;
  double v;
  assert_int_equal(psc__parse_double("-2.5", -10, 10, &v), PSC__NUM_OK);
  assert_true(v == -2.5);
  assert_int_equal(psc__parse_double("1e3", 0, 1e4, &v), PSC__NUM_OK);
  assert_int_equal(psc__parse_double("nan", 0, 1, &v), PSC__NUM_SYNTAX);
  assert_int_equal(psc__parse_double("inf", 0, 1, &v), PSC__NUM_SYNTAX);
  assert_int_equal(psc__parse_double("0x10", 0, 100, &v), PSC__NUM_SYNTAX);
  assert_int_equal(psc__parse_double("1e999", 0, 1, &v), PSC__NUM_RANGE);
  assert_int_equal(psc__parse_double("-1", 0, 1, &v), PSC__NUM_NEGATIVE);
  assert_int_equal(psc__parse_double("2", 0, 1, &v), PSC__NUM_RANGE);
  assert_int_equal(psc__parse_double("1.2.3", 0, 10, &v), PSC__NUM_SYNTAX);
}

static void test_clock(void **state) {
  (void)state;
  int m;
  assert_int_equal(psc__parse_clock("06:30", 0, &m), 0);
  assert_int_equal(m, 390);
  assert_int_equal(psc__parse_clock("6:30", 0, &m), 0);
  assert_int_equal(m, 390);
  assert_int_equal(psc__parse_clock("24:00", 1, &m), 0);
  assert_int_equal(m, 1440);
  assert_int_equal(psc__parse_clock("24:00", 0, &m), -1);
  assert_int_equal(psc__parse_clock("24:01", 1, &m), -1);
  assert_int_equal(psc__parse_clock("12:60", 1, &m), -1);
  assert_int_equal(psc__parse_clock("1230", 1, &m), -1);
  assert_int_equal(psc__parse_clock("", 1, &m), -1);
  assert_int_equal(psc_open_minutes(0, 1440), 1440);
  assert_int_equal(psc_open_minutes(360, 1080), 720);
  assert_int_equal(psc_open_minutes(1320, 360), 480); /* 22:00-06:00 */
}

static void test_datetime(void **state) {
  (void)state;
  int m;
  assert_int_equal(psc__parse_datetime("2022-05-01 06:00", &m), 0);
  assert_int_equal(m, 360);
  assert_int_equal(psc__parse_datetime("2024-02-29 23:59", &m), 0);
  assert_int_equal(psc__parse_datetime("2023-02-29 10:00", &m), -1);
  assert_int_equal(psc__parse_datetime("2022-13-01 10:00", &m), -1);
  assert_int_equal(psc__parse_datetime("2022-05-01", &m), -1);
  assert_int_equal(psc__parse_datetime("2022-05-01 24:00", &m), -1);
}

static char keys[5000][16];
static const char *key_of(const void *ctx, uint32_t v, size_t *len) {
  (void)ctx;
  *len = strlen(keys[v]);
  return keys[v];
}

static void test_strmap(void **state) {
  (void)state;
  psc__strmap_t m;
  assert_int_equal(psc__strmap_init(&m, 1, key_of, NULL), 0);
  int err;
  for (uint32_t i = 0; i < 5000; i++) {
    snprintf(keys[i], sizeof keys[i], "k%u", i * 7919u);
    assert_int_equal(psc__strmap_put(&m, keys[i], strlen(keys[i]), i, &err), PSC__NONE);
    assert_int_equal(err, 0);
  }
  for (uint32_t i = 0; i < 5000; i++) {
    assert_int_equal(psc__strmap_get(&m, keys[i], strlen(keys[i])), i);
    assert_int_equal(psc__strmap_put(&m, keys[i], strlen(keys[i]), 9999, &err), i);
  }
  assert_int_equal(psc__strmap_get(&m, "nope", 4), PSC__NONE);
  assert_int_equal(m.n, 5000);
  psc__strmap_free(&m);
}

static void test_params_table(void **state) {
  (void)state;
  psc_params_t p;
  assert_int_equal(psc_params_defaults(&p), 0);
  assert_int_equal(p.pool_size, 10);
  assert_int_equal(p.high_risk_pool_size, 1);
  assert_int_equal(p.keep_households, 1);
  assert_true(p.deadline_key_h == 12 && p.deadline_street_h == 24 && p.deadline_district_h == 48);
  assert_int_equal(p.batch_minutes, 60);
  assert_true(p.speed_kmh == 30);
  assert_int_equal(p.handover_minutes, 15);
  assert_int_equal(p.report_minutes, 30);
  assert_true(p.max_sample_age_hours == 24);
  char err[256];
  const psc_param_info_t *ps = psc_param_find("pooling", "pool_size");
  assert_non_null(ps);
  assert_int_equal(psc_params_set(&p, ps, "51", err, sizeof err), PSC_EINPUT);
  assert_non_null(strstr(err, "out of range"));
  const psc_param_info_t *kh = psc_param_find("pooling", "keep_households");
  assert_int_equal(psc_params_set(&p, kh, "no", err, sizeof err), 0);
  assert_int_equal(p.keep_households, 0);
  assert_int_equal(psc_params_set(&p, kh, "maybe", err, sizeof err), PSC_EINPUT);
  assert_null(psc_param_find("pooling", "nope"));
  psc_params_clear(&p);
}

static void test_strerror(void **state) {
  (void)state;
  assert_string_equal(psc_strerror(PSC_ENOMEM), "out of memory");
  assert_string_equal(psc_strerror(0), "success");
  assert_string_equal(psc_strerror(-999), "unknown error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_u64),      cmocka_unit_test(test_double),
      cmocka_unit_test(test_clock),    cmocka_unit_test(test_datetime),
      cmocka_unit_test(test_strmap),   cmocka_unit_test(test_params_table),
      cmocka_unit_test(test_strerror),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
