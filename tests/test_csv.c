/* Unit tests of the CSV reader: columns by name, field positions, errors. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const psc__csv_col_t COLS[] = {{"a", 1}, {"b", 1}, {"c", 0}};

typedef struct {
  int rows;
  char text[16][3][64];
  uint32_t line[16][3], col[16][3];
} seen_t;

static int collect(void *ud, const psc__csv_row_t *row) {
  seen_t *s = ud;
  if (s->rows < 16) {
    for (int c = 0; c < 3; c++) {
      snprintf(s->text[s->rows][c], 64, "%s", row->field[c].text ? row->field[c].text : "(null)");
      s->line[s->rows][c] = row->field[c].line;
      s->col[s->rows][c] = row->field[c].col;
    }
  }
  s->rows++;
  return 0;
}

static int read_text(const char *text, size_t len, seen_t *s, psc_diags_t *d) {
  memset(s, 0, sizeof(*s));
  FILE *f = len ? fmemopen((void *)text, len, "rb") : fopen("/dev/null", "rb");
  assert_non_null(f);
  uint32_t rows;
  int rc = psc__csv_read(f, "t.csv", COLS, 3, collect, s, d, &rows);
  fclose(f);
  return rc;
}

static void test_positions(void **state) {
  (void)state;
  const char *t = "\xEF\xBB\xBF" "b,a,c\r\n1,2,3\r\n\"x,y\",  \"q\"\"q\",\xE5\x85\xAB\xE8\xA7\x92\r\n"
                  "4,\"multi\nline\",z\n";
  psc_diags_t *d = psc_diags_create();
  seen_t s;
  assert_int_equal(read_text(t, strlen(t), &s, d), 0);
  assert_int_equal(psc_diags_count(d), 0);
  assert_int_equal(s.rows, 3);
  /* schema order a, b, c; file order b, a, c */
  assert_string_equal(s.text[0][0], "2");
  assert_string_equal(s.text[0][1], "1");
  assert_int_equal(s.line[0][0], 2);
  assert_int_equal(s.col[0][0], 3);
  assert_string_equal(s.text[1][1], "x,y");
  assert_int_equal(s.col[1][1], 1);
  assert_string_equal(s.text[1][0], "q\"q");
  assert_int_equal(s.col[1][0], 9);
  assert_string_equal(s.text[1][2], "\xE5\x85\xAB\xE8\xA7\x92");
  assert_int_equal(s.col[1][2], 16);
  assert_string_equal(s.text[2][0], "multi\nline");
  assert_int_equal(s.line[2][0], 4);
  assert_int_equal(s.col[2][0], 3);
  assert_int_equal(s.line[2][2], 5);
  assert_int_equal(s.col[2][2], 7);
  psc_diags_free(d);
}

static void test_columns(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  seen_t s;
  const char *t = "a,zz\n1,2\n";
  assert_int_equal(read_text(t, strlen(t), &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 1, 1, "missing required column 'b'"));
  assert_true(tu_has_diag(d, PSC_DIAG_WARNING, "t.csv", 1, 3, "unknown column 'zz'"));
  assert_int_equal(s.rows, 0);
  psc_diags_free(d);

  d = psc_diags_create();
  t = "a,b,a\n1,2,3\n";
  assert_int_equal(read_text(t, strlen(t), &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 1, 5, "duplicate column 'a'"));
  psc_diags_free(d);
}

static void test_record_errors(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  seen_t s;
  const char *t = "a,b\n1,2\n3\n\n5,6,7\n8,9";
  assert_int_equal(read_text(t, strlen(t), &s, d), 0);
  assert_int_equal(s.rows, 2); /* 1,2 and 8,9 (no final newline); blank line skipped */
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 3, 2, "has 1 fields but the header has 2"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 5, 1, "has 3 fields"));
  assert_string_equal(s.text[1][1], "9");
  psc_diags_free(d);
}

static void test_malformed(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  seen_t s;
  const char *t = "a,b\n1,x\"y\n";
  assert_int_equal(read_text(t, strlen(t), &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 2, 4, "malformed CSV"));
  psc_diags_free(d);

  d = psc_diags_create();
  t = "a,b\n1,\"open\n";
  assert_int_equal(read_text(t, strlen(t), &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 3, 1, "unterminated quoted field"));
  psc_diags_free(d);

  d = psc_diags_create();
  const char nul[] = "a,b\n1,\0\n";
  assert_int_equal(read_text(nul, sizeof nul - 1, &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 2, 3, "NUL byte"));
  psc_diags_free(d);
}

static void test_empty(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  seen_t s;
  assert_int_equal(read_text("", 0, &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 1, 1, "file is empty"));
  psc_diags_free(d);
  d = psc_diags_create();
  assert_int_equal(read_text(" \r\n\n", 4, &s, d), PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "t.csv", 1, 1, "file is empty"));
  psc_diags_free(d);
  d = psc_diags_create();
  assert_int_equal(read_text("a,b\n", 4, &s, d), 0);
  assert_int_equal(s.rows, 0);
  assert_int_equal(psc_diags_count(d), 0);
  psc_diags_free(d);
}

/* Random bytes must never crash the reader (ASan/UBSan runs check more). */
static void test_random_bytes(void **state) {
  (void)state;
  uint64_t x = 12345;
  char buf[512];
  for (int iter = 0; iter < 2000; iter++) {
    size_t n = 1 + iter % (sizeof buf - 1);
    for (size_t i = 0; i < n; i++) {
      x = psc__mix64(x);
      static const char alphabet[] = "ab,\"\r\n 1\xE5\x85";
      buf[i] = (x & 7) ? alphabet[(x >> 8) % (sizeof alphabet - 1)] : (char)(x >> 16);
    }
    psc_diags_t *d = psc_diags_create();
    seen_t s;
    read_text(buf, n, &s, d);
    for (size_t i = 0; i < psc_diags_count(d); i++)
      assert_true(psc_diags_get(d, i)->line >= 1 && psc_diags_get(d, i)->column >= 1);
    psc_diags_free(d);
  }
}

/* Everything a read produced, as text: rows (fields with positions),
 * diagnostics, the code and the row count. */
typedef struct {
  char *text;
  size_t len, cap;
} dump_t;

static void dump_add(dump_t *o, const char *s) {
  size_t n = strlen(s);
  if (o->len + n + 1 > o->cap) {
    o->cap = (o->len + n + 1) * 2;
    o->text = realloc(o->text, o->cap);
    assert_non_null(o->text);
  }
  memcpy(o->text + o->len, s, n + 1);
  o->len += n;
}

static int dump_row(void *ud, const psc__csv_row_t *row) {
  char b[400];
  snprintf(b, sizeof b, "row %u:", row->line);
  dump_add(ud, b);
  for (int c = 0; c < 3; c++) {
    snprintf(b, sizeof b, " [%s]@%u:%u/%u", row->field[c].text ? row->field[c].text : "(null)",
             row->field[c].line, row->field[c].col, row->field[c].len);
    dump_add(ud, b);
  }
  dump_add(ud, "\n");
  return 0;
}

static char *read_dump(const char *text, size_t len, int fast) {
  dump_t o = {0};
  dump_add(&o, "");
  FILE *f = fmemopen((void *)text, len, "rb");
  assert_non_null(f);
  psc_diags_t *d = psc_diags_create();
  uint32_t rows = 0;
  psc__csv_fast_lines = fast;
  int rc = psc__csv_read(f, "t.csv", COLS, 3, dump_row, &o, d, &rows);
  psc__csv_fast_lines = 1;
  fclose(f);
  char b[400];
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const psc_diag_t *g = psc_diags_get(d, i);
    snprintf(b, sizeof b, "diag %d %u:%u %s\n", (int)g->severity, g->line, g->column, g->message);
    dump_add(&o, b);
  }
  snprintf(b, sizeof b, "rc %d rows %u\n", rc, rows);
  dump_add(&o, b);
  psc_diags_free(d);
  return o.text;
}

/* The reader's own splitting of plain lines gives exactly what libcsv
 * gives: the same fields, positions, errors and counts, on random texts
 * mixing plain lines with quotes, blanks, CR, CRLF, blank lines, UTF-8,
 * NULs, wrong field counts and lines across the reader's 64 KiB pieces. */
static void test_fast_lines(void **state) {
  (void)state;
  static const char *const tok[] = {"a", "b", "c", "1", "22", "\xC3\xA9", "\xE5\x85\xAB", ",",
                                    ",", ",", "\n", "\n", "\n", "\r\n", "\r", "\"", "\"q\"",
                                    " ", "\t", "x"};
  static const char *const head[] = {"a,b,c\n", "b,a\r\n", "a,b,c,d\n", "\n\na,b\n",
                                     "\"a\",b,c\n", " a,b\n", "c,b,a"};
  const size_t ntok = sizeof tok / sizeof tok[0], nhead = sizeof head / sizeof head[0];
  size_t cap = 200000;
  char *buf = malloc(cap);
  assert_non_null(buf);
  uint64_t x = 99;
  for (int iter = 0; iter < 3000; iter++) {
    x = psc__mix64(x + (uint64_t)iter);
    size_t n = 0;
    const char *h = head[x % nhead];
    memcpy(buf, h, strlen(h));
    n = strlen(h);
    /* mostly plain rows, then random tokens; a few texts past 64 KiB */
    size_t target = iter % 50 == 0 ? 70000 + x % 70000 : 1 + (x >> 8) % 400;
    while (n + 16 < cap && n < target) {
      x = psc__mix64(x);
      if (x % 4 == 0) {
        n += (size_t)snprintf(buf + n, cap - n, "%u,%s,%u\n", (unsigned)(x >> 20) % 1000,
                              (x >> 40) % 2 ? "pos" : "", (unsigned)(x >> 50) % 9);
      } else {
        const char *t = tok[(x >> 8) % ntok];
        memcpy(buf + n, t, strlen(t));
        n += strlen(t);
      }
      if (x % 97 == 0)
        buf[n++] = '\0';
    }
    char *slow = read_dump(buf, n, 0), *fast = read_dump(buf, n, 1);
    if (strcmp(slow, fast) != 0)
      fail_msg("iteration %d differs:\n--- libcsv\n%.2000s\n--- fast\n%.2000s", iter, slow, fast);
    free(slow);
    free(fast);
  }
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_positions),    cmocka_unit_test(test_columns),
      cmocka_unit_test(test_record_errors), cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_empty),        cmocka_unit_test(test_random_bytes),
      cmocka_unit_test(test_fast_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
