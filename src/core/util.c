/* Small helpers: checked allocation, string copies, UTF-8 lengths. */
#include "internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

char *psc__strndup(const char *s, size_t n) {
  char *r = malloc(n + 1);
  if (!r)
    return NULL;
  memcpy(r, s, n);
  r[n] = '\0';
  return r;
}

char *psc__strdup(const char *s) { return psc__strndup(s, strlen(s)); }

void *psc__calloc(size_t n, size_t sz) { return calloc(n ? n : 1, sz ? sz : 1); }

void *psc__malloc(size_t n, size_t sz) {
  if (sz && n > SIZE_MAX / sz)
    return NULL;
  size_t bytes = n * sz;
  return malloc(bytes ? bytes : 1);
}

uint32_t psc__utf8_len(const char *s, size_t n) {
  uint32_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += ((unsigned char)s[i] & 0xC0) != 0x80;
  return k;
}

int psc__tube_code(long long date_code, uint32_t tag, uint32_t seq, char *buf, size_t size) {
  /* digits by hand, not snprintf: a city writes millions of these */
  char d[PSC__TUBE_ID_LEN + 1];
  unsigned long long v = (unsigned long long)(date_code % 1000000) * 10000ULL + tag % 10000u;
  for (int i = 9; i >= 0; i--, v /= 10)
    d[i] = (char)('0' + v % 10);
  v = seq % 100000000u;
  for (int i = 17; i >= 10; i--, v /= 10)
    d[i] = (char)('0' + v % 10);
  /* Luhn check digit over the 18 digits */
  int sum = 0;
  for (int i = 17, dbl = 1; i >= 0; i--, dbl = !dbl) {
    int x = d[i] - '0';
    if (dbl && (x *= 2) > 9)
      x -= 9;
    sum += x;
  }
  d[18] = (char)('0' + (10 - sum % 10) % 10);
  d[19] = '\0';
  if (size) {
    size_t n = size - 1 < PSC__TUBE_ID_LEN ? size - 1 : PSC__TUBE_ID_LEN;
    memcpy(buf, d, n);
    buf[n] = '\0';
  }
  return PSC__TUBE_ID_LEN;
}

/* Levenshtein distance between a and b, or limit + 1 once it exceeds limit. */
static size_t edit_distance(const char *a, const char *b, size_t limit) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return limit + 1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0], best = row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t v = diag + (a[i - 1] != b[j - 1]);
      if (row[j - 1] + 1 < v)
        v = row[j - 1] + 1;
      if (up + 1 < v)
        v = up + 1;
      row[j] = v;
      diag = up;
      if (v < best)
        best = v;
    }
    if (best > limit)
      return limit + 1;
  }
  return row[lb];
}

const char *psc__closest(const char *word, const char *const *cands, size_t n) {
  /* a third of the word's length, at least 2: close enough to be a typo */
  size_t limit = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2, best = limit + 1;
  const char *found = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!cands[i])
      continue;
    /* a word that begins a candidate is an abbreviation of it */
    size_t wl = strlen(word);
    size_t dist = wl >= 3 && !strncmp(cands[i], word, wl) ? 1 : edit_distance(word, cands[i], limit);
    if (dist < best) {
      best = dist;
      found = cands[i];
    }
  }
  return found;
}
