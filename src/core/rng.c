/* Random streams: one GSL generator per unit of work, derived from the seed. */
#include "internal.h"

#include <gsl/gsl_errno.h>
#include <pthread.h>

/* GSL's handler is one process-wide pointer: look at it and set it under a
 * lock, so the library's own threads never race on it. */
static pthread_mutex_t gsl_lock = PTHREAD_MUTEX_INITIALIZER;

void psc__gsl_guard(void) {
  pthread_mutex_lock(&gsl_lock);
  /* GSL can only tell the old handler by replacing it: NULL is its default,
   * which aborts; anything else is the program's choice, put back */
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  if (old)
    gsl_set_error_handler(old);
  pthread_mutex_unlock(&gsl_lock);
}

uint64_t psc__mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

gsl_rng *psc__rng_stream(uint64_t seed, uint64_t domain, uint64_t index) {
  psc__gsl_guard();
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r)
    return NULL;
  uint64_t s = psc__mix64(psc__mix64(psc__mix64(seed) ^ domain) ^ index);
  /* mt19937 uses 32 bits of seed; 0 would select GSL's default seed. */
  unsigned long s32 = (unsigned long)(s & 0xFFFFFFFFu);
  gsl_rng_set(r, s32 ? s32 : 1);
  return r;
}
