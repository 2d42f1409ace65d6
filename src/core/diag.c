/* Positioned diagnostics: the list every loader appends to and the CLI prints. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct psc_diags {
  psc_diag_t *items;
  size_t n, cap, errors;
};

psc_diags_t *psc_diags_create(void) { return calloc(1, sizeof(psc_diags_t)); }

void psc_diags_free(psc_diags_t *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++) {
    free((char *)d->items[i].file);
    free((char *)d->items[i].message);
  }
  free(d->items);
  free(d);
}

size_t psc_diags_count(const psc_diags_t *d) { return d ? d->n : 0; }
size_t psc_diags_errors(const psc_diags_t *d) { return d ? d->errors : 0; }

const psc_diag_t *psc_diags_get(const psc_diags_t *d, size_t i) {
  return (d && i < d->n) ? &d->items[i] : NULL;
}

/* A copy of s with bytes below 0x20 and 0x7F written as \xNN. */
static char *escape_controls(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    n += *p < 0x20 || *p == 0x7F ? 4 : 1;
  char *o = malloc(n + 1), *q = o;
  if (!o)
    return NULL;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7F) {
      snprintf(q, 5, "\\x%02X", *p);
      q += 4;
    } else
      *q++ = (char)*p;
  }
  *q = '\0';
  return o;
}

static int diags_vadd(psc_diags_t *d, psc_severity_t sev, const char *file, uint32_t line,
                      uint32_t column, const char *fmt, va_list ap) {
  if (!d)
    return PSC_EINVAL;
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    psc_diag_t *items = realloc(d->items, cap * sizeof(*items));
    if (!items)
      return PSC_ENOMEM;
    d->items = items;
    d->cap = cap;
  }
  /* the whole message (field text of any length is echoed whole), with
   * control characters in it escaped as \xNN so that text from an input
   * file cannot move the cursor, clear the terminal or fake a line */
  va_list aq;
  va_copy(aq, ap);
  int len = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  char *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
  if (buf)
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
  char *f = psc__strdup(file ? file : "<input>");
  char *m = buf ? escape_controls(buf) : NULL;
  free(buf);
  if (!f || !m) {
    free(f);
    free(m);
    return PSC_ENOMEM;
  }
  d->items[d->n++] = (psc_diag_t){sev, f, line ? line : 1, column ? column : 1, m};
  if (sev == PSC_DIAG_ERROR)
    d->errors++;
  return 0;
}

int psc_diags_add(psc_diags_t *d, psc_severity_t sev, const char *file, uint32_t line,
                  uint32_t column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = diags_vadd(d, sev, file, line, column, fmt, ap);
  va_end(ap);
  return rc;
}

int psc__error(psc_diags_t *d, const char *file, uint32_t line, uint32_t column,
               const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = diags_vadd(d, PSC_DIAG_ERROR, file, line, column, fmt, ap);
  va_end(ap);
  return rc;
}

int psc__warning(psc_diags_t *d, const char *file, uint32_t line, uint32_t column,
                 const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = diags_vadd(d, PSC_DIAG_WARNING, file, line, column, fmt, ap);
  va_end(ap);
  return rc;
}

static int diag_cmp(const psc_diag_t *a, const psc_diag_t *b) {
  int c = strcmp(a->file, b->file);
  if (c)
    return c;
  if (a->line != b->line)
    return a->line < b->line ? -1 : 1;
  if (a->column != b->column)
    return a->column < b->column ? -1 : 1;
  return 0;
}

/* Stable merge sort: equal positions keep the order the checks found them. */
void psc_diags_sort(psc_diags_t *d) {
  if (!d || d->n < 2)
    return;
  psc_diag_t *tmp = malloc(d->n * sizeof(*tmp));
  if (!tmp)
    return; /* unsorted output is still complete output */
  psc_diag_t *a = d->items, *b = tmp;
  for (size_t w = 1; w < d->n; w *= 2) {
    for (size_t lo = 0; lo < d->n; lo += 2 * w) {
      size_t mid = lo + w < d->n ? lo + w : d->n;
      size_t hi = lo + 2 * w < d->n ? lo + 2 * w : d->n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        b[k++] = diag_cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
      while (i < mid)
        b[k++] = a[i++];
      while (j < hi)
        b[k++] = a[j++];
    }
    psc_diag_t *t = a;
    a = b;
    b = t;
  }
  if (a != d->items)
    memcpy(d->items, a, d->n * sizeof(*a));
  free(tmp);
}
