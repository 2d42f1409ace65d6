/* Open-addressing hash map from strings to 32-bit indices. Keys stay with the
 * caller (looked up through key_of), so the map costs 8 bytes a slot. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return (uint32_t)psc__mix64(h);
}

int psc__strmap_init(psc__strmap_t *m, uint32_t expected, psc__key_fn key_of, const void *ctx) {
  memset(m, 0, sizeof(*m));
  uint32_t cap = 16;
  while (cap < 2ull * expected && cap < (1u << 31))
    cap <<= 1;
  m->slots = calloc(cap, sizeof(uint32_t));
  m->hashes = calloc(cap, sizeof(uint32_t));
  if (!m->slots || !m->hashes) {
    psc__strmap_free(m);
    return PSC_ENOMEM;
  }
  m->cap = cap;
  m->key_of = key_of;
  m->ctx = ctx;
  return 0;
}

void psc__strmap_free(psc__strmap_t *m) {
  free(m->slots);
  free(m->hashes);
  memset(m, 0, sizeof(*m));
}

static uint32_t find_slot(const psc__strmap_t *m, const char *key, size_t len, uint32_t h) {
  uint32_t mask = m->cap - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    if (!m->slots[i])
      return i;
    if (m->hashes[i] == h) {
      size_t klen;
      const char *k = m->key_of(m->ctx, m->slots[i] - 1, &klen);
      if (klen == len && memcmp(k, key, len) == 0)
        return i;
    }
  }
}

uint32_t psc__strmap_get(const psc__strmap_t *m, const char *key, size_t len) {
  if (!m->cap)
    return PSC__NONE;
  uint32_t i = find_slot(m, key, len, hash_bytes(key, len));
  return m->slots[i] ? m->slots[i] - 1 : PSC__NONE;
}

static int grow(psc__strmap_t *m) {
  if (m->cap >= (1u << 31))
    return PSC_ENOMEM;
  psc__strmap_t big = *m;
  big.cap = m->cap * 2;
  big.n = m->n;
  big.slots = calloc(big.cap, sizeof(uint32_t));
  big.hashes = calloc(big.cap, sizeof(uint32_t));
  if (!big.slots || !big.hashes) {
    free(big.slots);
    free(big.hashes);
    return PSC_ENOMEM;
  }
  uint32_t mask = big.cap - 1;
  for (uint32_t i = 0; i < m->cap; i++) {
    if (!m->slots[i])
      continue;
    uint32_t j = m->hashes[i] & mask;
    while (big.slots[j])
      j = (j + 1) & mask;
    big.slots[j] = m->slots[i];
    big.hashes[j] = m->hashes[i];
  }
  free(m->slots);
  free(m->hashes);
  *m = big;
  return 0;
}

uint32_t psc__strmap_put(psc__strmap_t *m, const char *key, size_t len, uint32_t value, int *err) {
  *err = 0;
  if (2 * (m->n + 1) > m->cap && (*err = grow(m)) != 0)
    return PSC__NONE;
  uint32_t h = hash_bytes(key, len);
  uint32_t i = find_slot(m, key, len, h);
  if (m->slots[i])
    return m->slots[i] - 1;
  m->slots[i] = value + 1;
  m->hashes[i] = h;
  m->n++;
  return PSC__NONE;
}
