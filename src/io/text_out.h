/* Fast text output (private to the library): numbers formatted as integers
 * without printf, CSV tables described by one table of columns, and rows
 * formatted in parallel blocks that are written in order, so a file is the
 * same bytes at any thread count. */
#ifndef POOLSCREEN_IO_TEXT_OUT_H
#define POOLSCREEN_IO_TEXT_OUT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A growing output buffer; err is set when memory ran out (the text is then
 * incomplete and must not be written). */
typedef struct {
  char *p;
  size_t n, cap;
  int err;
} psc__ob_t;

/* Makes room for extra more bytes; 0, or -1 (and err set). */
int psc__ob_grow(psc__ob_t *b, size_t extra);
static inline int psc__ob_room(psc__ob_t *b, size_t extra) {
  return b->n + extra <= b->cap ? 0 : psc__ob_grow(b, extra);
}
void psc__ob_free(psc__ob_t *b);

static inline void psc__ob_put(psc__ob_t *b, const char *s, size_t len) {
  if (psc__ob_room(b, len) == 0) {
    memcpy(b->p + b->n, s, len);
    b->n += len;
  }
}
static inline void psc__ob_puts(psc__ob_t *b, const char *s) { psc__ob_put(b, s, strlen(s)); }
static inline void psc__ob_putc(psc__ob_t *b, char c) {
  if (psc__ob_room(b, 1) == 0)
    b->p[b->n++] = c;
}

/* Decimal digits of v stored at o (at most 20 bytes); returns their end. */
static inline char *psc__digits_u64(char *o, uint64_t v) {
  char d[20];
  int k = 20;
  do {
    d[--k] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  memcpy(o, d + k, (size_t)(20 - k));
  return o + (20 - k);
}

/* Decimal digits of v. */
static inline void psc__ob_u64(psc__ob_t *b, uint64_t v) {
  if (psc__ob_room(b, 20) == 0)
    b->n = (size_t)(psc__digits_u64(b->p + b->n, v) - b->p);
}
static inline void psc__ob_i64(psc__ob_t *b, int64_t v) {
  if (v < 0) {
    psc__ob_putc(b, '-');
    psc__ob_u64(b, (uint64_t)0 - (uint64_t)v);
  } else
    psc__ob_u64(b, (uint64_t)v);
}

/* Minutes with two decimals ("123.45", "-0.50"), the value rounded to a
 * hundredth of a minute; nothing when not finite (a unit without residents). */
static inline void psc__ob_min(psc__ob_t *b, double t) {
  if (!isfinite(t) || fabs(t) > 9e15)
    return;
  int64_t h = llround(t * 100.0);
  uint64_t a = h < 0 ? (uint64_t)0 - (uint64_t)h : (uint64_t)h;
  if (h < 0)
    psc__ob_putc(b, '-');
  psc__ob_u64(b, a / 100);
  char frac[3] = {'.', (char)('0' + a % 100 / 10), (char)('0' + a % 10)};
  psc__ob_put(b, frac, 3);
}

/* x exactly as printf's "%.2f" writes it ("123.45", "-0.00", "inf"), in
 * a few integer steps for the usual values (snprintf for ties, negative,
 * huge and non-finite ones): for files whose bytes must not change. */
void psc__ob_fixed2(psc__ob_t *b, double x);

/* Clock times: T0 as a day number and minute of day, from the scenario's
 * start "YYYY-MM-DD HH:MM" (local time, as given). */
#define PSC__CLOCK_DAYS 32
typedef struct {
  int64_t day0;
  int32_t min0;
  int ok;
  /* "YYYY-MM-DDT" of T0's day and the days after it: a round's times fall
   * within them, and 25 million clock cells need no calendar arithmetic */
  char date[PSC__CLOCK_DAYS][11];
  int ndays; /* days in date (fewer near the year 9999) */
} psc__clock_t;
psc__clock_t psc__clock_of(const char *start);
/* The local clock time t minutes after T0, ISO 8601 to the second
 * ("2022-05-01T14:30:36"); nothing when t is not finite or T0 unknown. */
void psc__ob_clock(psc__ob_t *b, const psc__clock_t *c, double t);

/* A CSV text field: quoted when it holds a comma, quote or line break, and
 * a leading = + - @ (or tab, carriage return) neutralised with a ' so that a
 * spreadsheet never reads it as a formula (docs/output.md). */
void psc__ob_text(psc__ob_t *b, const char *s, size_t len);

/* Writes the buffer to f and empties it; 0, or -1 when it is incomplete or
 * the write failed (errno set). */
int psc__ob_flush(psc__ob_t *b, FILE *f);

/* Rows first .. last-1 of some table, appended to b. */
typedef void (*psc__rows_fn)(const void *ctx, uint64_t first, uint64_t last, psc__ob_t *b);
/* Writes n rows, block rows at a time: blocks are formatted in parallel
 * (threads <= 0: OpenMP's default) while a writer thread writes the
 * formatted ones in order (at most 2 x threads + 2 blocks in memory), so
 * the file is the same bytes at any thread count; with one thread, block
 * after block on the calling thread alone.
 * 0, PSC_EIO (errno set) or PSC_ENOMEM. */
int psc__write_rows(FILE *f, uint64_t n, uint64_t block, psc__rows_fn fn, const void *ctx,
                    int threads);

/* One column of a CSV table: its header name and how row r's cell is
 * written. A table is an array of these, so that a column is added in one
 * place. */
typedef void (*psc__cell_fn)(psc__ob_t *b, const void *ctx, uint64_t row);
typedef struct {
  const char *name;
  psc__cell_fn cell;
} psc__col_t;
/* The header and n rows of a table of ncols columns. */
int psc__csv_table(FILE *f, const psc__col_t *cols, size_t ncols, uint64_t n, const void *ctx,
                   int threads);

#endif
