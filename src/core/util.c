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
