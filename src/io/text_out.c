/* Fast text output: growing buffers, CSV fields, parallel row blocks
 * written in order (see text_out.h). */
#include "io/text_out.h"

#include "poolscreen/error.h"

#include <errno.h>
#include <omp.h>
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

int psc__write_rows(FILE *f, uint64_t n, uint64_t block, psc__rows_fn fn, const void *ctx,
                    int threads) {
  int nt = threads > 0 ? threads : omp_get_max_threads();
  if (nt < 1)
    nt = 1;
  if (block < 1)
    block = 1;
  uint64_t nblocks = (n + block - 1) / block;
  int width = nblocks < (uint64_t)(2 * nt) ? (int)nblocks : 2 * nt;
  if (width < 1)
    return 0;
  psc__ob_t *bufs = calloc((size_t)width, sizeof(*bufs));
  if (!bufs)
    return PSC_ENOMEM;
  int rc = 0;
  for (uint64_t first = 0; first < nblocks && !rc; first += (uint64_t)width) {
    int m = (int)(nblocks - first < (uint64_t)width ? nblocks - first : (uint64_t)width);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (m > 1)
    for (int k = 0; k < m; k++) {
      uint64_t r0 = (first + (uint64_t)k) * block, r1 = r0 + block < n ? r0 + block : n;
      fn(ctx, r0, r1, &bufs[k]);
    }
    for (int k = 0; k < m && !rc; k++)
      if (psc__ob_flush(&bufs[k], f) != 0)
        rc = bufs[k].err ? PSC_ENOMEM : PSC_EIO;
  }
  for (int k = 0; k < width; k++)
    psc__ob_free(&bufs[k]);
  free(bufs);
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
