/* Fast text output: growing buffers, CSV fields, parallel row blocks
 * written in order (see text_out.h). */
#include "io/text_out.h"

#include "poolscreen/error.h"

#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>

int psc__ob_grow(psc__ob_t *b, size_t extra) {
  if (b->err)
    return -1;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->n + extra)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->err = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

void psc__ob_free(psc__ob_t *b) {
  free(b->p);
  *b = (psc__ob_t){0};
}

void psc__ob_text(psc__ob_t *b, const char *s, size_t len) {
  int formula = len && strchr("=+-@\t\r", s[0]);
  int quote = formula;
  for (size_t i = 0; i < len && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote) {
    psc__ob_put(b, s, len);
    return;
  }
  psc__ob_putc(b, '"');
  if (formula)
    psc__ob_putc(b, '\'');
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"')
      psc__ob_putc(b, '"');
    psc__ob_putc(b, s[i]);
  }
  psc__ob_putc(b, '"');
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's civil-calendar algorithms). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

psc__clock_t psc__clock_of(const char *s) {
  psc__clock_t c = {.ok = 0};
  int v[5] = {0}, pos[5] = {0, 5, 8, 11, 14}, len[5] = {4, 2, 2, 2, 2};
  if (!s || strlen(s) < 16)
    return c;
  for (int k = 0; k < 5; k++)
    for (int i = 0; i < len[k]; i++) {
      char ch = s[pos[k] + i];
      if (ch < '0' || ch > '9')
        return c;
      v[k] = v[k] * 10 + (ch - '0');
    }
  c.day0 = days_from_civil(v[0], v[1], v[2]);
  c.min0 = v[3] * 60 + v[4];
  c.ok = 1;
  for (int k = 0; k < PSC__CLOCK_DAYS; k++) {
    int64_t y;
    int m, d;
    civil_from_days(c.day0 + k, &y, &m, &d);
    if (y > 9999)
      break;
    c.ndays = k + 1;
    char *o = c.date[k];
    int yy = (int)(y % 10000);
    o[0] = (char)('0' + yy / 1000);
    o[1] = (char)('0' + yy / 100 % 10);
    o[2] = (char)('0' + yy / 10 % 10);
    o[3] = (char)('0' + yy % 10);
    o[4] = '-';
    o[5] = (char)('0' + m / 10);
    o[6] = (char)('0' + m % 10);
    o[7] = '-';
    o[8] = (char)('0' + d / 10);
    o[9] = (char)('0' + d % 10);
    o[10] = 'T';
  }
  return c;
}

static void put2(psc__ob_t *b, int v, char sep) {
  char t[3] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10), sep};
  psc__ob_put(b, t, sep ? 3 : 2);
}

/* "HH:MM:SS" of rem seconds into the day. */
static void put_time(psc__ob_t *b, int64_t rem) {
  int h = (int)(rem / 3600), m = (int)(rem / 60 % 60), sec = (int)(rem % 60);
  char t[8] = {(char)('0' + h / 10), (char)('0' + h % 10), ':', (char)('0' + m / 10),
               (char)('0' + m % 10), ':', (char)('0' + sec / 10), (char)('0' + sec % 10)};
  psc__ob_put(b, t, 8);
}

void psc__ob_clock(psc__ob_t *b, const psc__clock_t *c, double t) {
  if (!c->ok || !isfinite(t) || fabs(t) > 1e9)
    return;
  int64_t sec = llround(t * 60.0) + (int64_t)c->min0 * 60;
  int64_t day = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
  int64_t rem = sec - day * 86400;
  if (day >= 0 && day < c->ndays) {
    psc__ob_put(b, c->date[day], 11);
    put_time(b, rem);
    return;
  }
  int64_t y;
  int m, d;
  civil_from_days(c->day0 + day, &y, &m, &d);
  if (y < 0 || y > 9999)
    return;
  put2(b, (int)(y / 100), 0);
  put2(b, (int)(y % 100), '-');
  put2(b, m, '-');
  put2(b, d, 'T');
  put_time(b, rem);
}

void psc__ob_fixed2(psc__ob_t *b, double x) {
  /* the integer nearest x * 100 is the answer when that product (rounded
   * once, so off by under 2^-53 of itself) is clearly off a half */
  if (!signbit(x) && x < 1e7) {
    double y = x * 100.0, k = floor(y), f = y - k;
    if (fabs(f - 0.5) > 1e-6) {
      uint64_t r = (uint64_t)k + (f > 0.5);
      psc__ob_u64(b, r / 100);
      char frac[3] = {'.', (char)('0' + r % 100 / 10), (char)('0' + r % 10)};
      psc__ob_put(b, frac, 3);
      return;
    }
  }
  char t[400];
  int n = snprintf(t, sizeof t, "%.2f", x);
  if (n > 0)
    psc__ob_put(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

int psc__ob_flush(psc__ob_t *b, FILE *f) {
  if (b->err) {
    errno = ENOMEM;
    return -1;
  }
  if (b->n && fwrite(b->p, 1, b->n, f) != b->n)
    return -1;
  b->n = 0;
  return 0;
}

/* The ordered writer of psc__write_rows: formatted blocks wait in a ring of
 * slots, and one thread of its own writes them in order while the OpenMP
 * threads format the next ones, so that the kernel's copy of the bytes into
 * the page cache (the largest cost of a 0.8 GB table) runs beside the
 * formatting instead of after it. */
typedef struct {
  FILE *f;
  uint64_t nblocks;
  int nslots;
  psc__ob_t *buf;     /* nslots buffers; block k uses slot k % nslots */
  uint64_t *filled;   /* block held by a slot + 1, 0 when the slot is free */
  uint64_t written;   /* blocks written (or skipped after a failure) */
  int rc, err;        /* the first failure and its errno (the writer's own) */
  pthread_mutex_t mu;
  pthread_cond_t ready, freed;
} ring_t;

static void *ring_writer(void *arg) {
  ring_t *r = arg;
  for (uint64_t k = 0; k < r->nblocks; k++) {
    int s = (int)(k % (uint64_t)r->nslots);
    pthread_mutex_lock(&r->mu);
    while (r->filled[s] != k + 1)
      pthread_cond_wait(&r->ready, &r->mu);
    int rc = r->rc;
    pthread_mutex_unlock(&r->mu);
    /* the write itself runs unlocked; after a failure the remaining blocks
     * are only released, so that the formatting threads finish */
    if (!rc && psc__ob_flush(&r->buf[s], r->f) != 0)
      rc = r->buf[s].err ? PSC_ENOMEM : PSC_EIO;
    r->buf[s].n = 0;
    pthread_mutex_lock(&r->mu);
    if (rc && !r->rc) {
      r->rc = rc;
      r->err = errno;
    }
    r->filled[s] = 0;
    r->written = k + 1;
    pthread_cond_broadcast(&r->freed);
    pthread_mutex_unlock(&r->mu);
  }
  return NULL;
}

int psc__write_rows(FILE *f, uint64_t n, uint64_t block, psc__rows_fn fn, const void *ctx,
                    int threads) {
  int nt = threads > 0 ? threads : omp_get_max_threads();
  if (nt < 1)
    nt = 1;
  if (block < 1)
    block = 1;
  uint64_t nblocks = (n + block - 1) / block;
  if (nblocks == 0)
    return 0;
  if (nt == 1) {
    /* one thread asked for: each block formatted, then written, no writer
     * thread (the same bytes) */
    psc__ob_t b = {0};
    int rc = 0;
    for (uint64_t k = 0; k < nblocks && !rc; k++) {
      uint64_t r0 = k * block, r1 = r0 + block < n ? r0 + block : n;
      fn(ctx, r0, r1, &b);
      if (psc__ob_flush(&b, f) != 0)
        rc = b.err ? PSC_ENOMEM : PSC_EIO;
    }
    psc__ob_free(&b);
    return rc;
  }
  ring_t r = {.f = f, .nblocks = nblocks, .nslots = 2 * nt + 2};
  r.buf = calloc((size_t)r.nslots, sizeof(*r.buf));
  r.filled = calloc((size_t)r.nslots, sizeof(*r.filled));
  if (!r.buf || !r.filled) {
    free(r.buf);
    free(r.filled);
    return PSC_ENOMEM;
  }
  pthread_mutex_init(&r.mu, NULL);
  pthread_cond_init(&r.ready, NULL);
  pthread_cond_init(&r.freed, NULL);
  pthread_t writer;
  int rc = pthread_create(&writer, NULL, ring_writer, &r) ? PSC_ENOMEM : 0;
  if (!rc) {
    /* dynamic scheduling hands out blocks in increasing order, so the block
     * the writer waits for is always being formatted by a thread that does
     * not wait for a slot: no deadlock */
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nblocks > 1)
    for (uint64_t k = 0; k < nblocks; k++) {
      int s = (int)(k % (uint64_t)r.nslots);
      pthread_mutex_lock(&r.mu);
      while (k >= r.written + (uint64_t)r.nslots)
        pthread_cond_wait(&r.freed, &r.mu);
      int failed = r.rc;
      pthread_mutex_unlock(&r.mu);
      if (!failed) {
        uint64_t r0 = k * block, r1 = r0 + block < n ? r0 + block : n;
        fn(ctx, r0, r1, &r.buf[s]);
      }
      pthread_mutex_lock(&r.mu);
      r.filled[s] = k + 1;
      pthread_cond_broadcast(&r.ready);
      pthread_mutex_unlock(&r.mu);
    }
    pthread_join(writer, NULL);
    rc = r.rc;
    if (rc)
      errno = r.err; /* errno is per thread: the caller names the reason */
  }
  for (int k = 0; k < r.nslots; k++)
    psc__ob_free(&r.buf[k]);
  free(r.buf);
  free(r.filled);
  pthread_mutex_destroy(&r.mu);
  pthread_cond_destroy(&r.ready);
  pthread_cond_destroy(&r.freed);
  return rc;
}

typedef struct {
  const psc__col_t *cols;
  size_t ncols;
  const void *ctx;
} table_t;

static void table_rows(const void *ctx, uint64_t first, uint64_t last, psc__ob_t *b) {
  const table_t *t = ctx;
  for (uint64_t r = first; r < last; r++) {
    for (size_t c = 0; c < t->ncols; c++) {
      if (c)
        psc__ob_putc(b, ',');
      t->cols[c].cell(b, t->ctx, r);
    }
    psc__ob_putc(b, '\n');
  }
}

int psc__csv_table(FILE *f, const psc__col_t *cols, size_t ncols, uint64_t n, const void *ctx,
                   int threads) {
  psc__ob_t h = {0};
  for (size_t c = 0; c < ncols; c++) {
    if (c)
      psc__ob_putc(&h, ',');
    psc__ob_puts(&h, cols[c].name);
  }
  psc__ob_putc(&h, '\n');
  int rc = psc__ob_flush(&h, f) == 0 ? 0 : h.err ? PSC_ENOMEM : PSC_EIO;
  psc__ob_free(&h);
  table_t t = {cols, ncols, ctx};
  return rc ? rc : psc__write_rows(f, n, 8192, table_rows, &t, threads);
}
