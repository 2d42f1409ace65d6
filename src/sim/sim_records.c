/* A replicate as a record of doubles, to move replicates between processes
 * (MPI): its figures, its street and key-community completions and its
 * sites' peak queues, every field exactly. */
#include "sim/sim_internal.h"

#include <string.h>

#define NFIGURES 11

size_t psc_sim_record_size(const psc_sim_t *sim) {
  return sim ? NFIGURES + (size_t)sim->nstreets + sim->nkey + sim->nsites : 0;
}

#define FIGURES(X)                                                                               \
  X(district_complete) X(tests_per_person) X(positives) X(found) X(missed) X(false_positives)    \
  X(failed_runs) X(no_shows) X(isolation_mean) X(isolation_p95) X(lab_utilisation)

int psc_sim_record_get(const psc_sim_t *sim, uint32_t r, double *rec) {
  if (!sim || !rec || r >= sim->R || !sim->have[r])
    return PSC_EINVAL;
  const psc_sim_replicate_t *x = &sim->rep[r];
  size_t k = 0;
#define GET(f) rec[k++] = (double)x->f;
  FIGURES(GET)
#undef GET
  memcpy(rec + k, sim->street_complete + (size_t)r * sim->nstreets, sim->nstreets * sizeof(double));
  k += sim->nstreets;
  memcpy(rec + k, sim->key_complete + (size_t)r * sim->nkey, sim->nkey * sizeof(double));
  k += sim->nkey;
  memcpy(rec + k, sim->queue + (size_t)r * sim->nsites, sim->nsites * sizeof(double));
  return 0;
}

int psc_sim_record_put(psc_sim_t *sim, uint32_t r, const double *rec) {
  if (!sim || !rec || r >= sim->R || sim->finished)
    return PSC_EINVAL;
  psc_sim_replicate_t *x = &sim->rep[r];
  size_t k = 0;
#define PUT(f) x->f = (__typeof__(x->f))rec[k++];
  FIGURES(PUT)
#undef PUT
  memcpy(sim->street_complete + (size_t)r * sim->nstreets, rec + k, sim->nstreets * sizeof(double));
  k += sim->nstreets;
  memcpy(sim->key_complete + (size_t)r * sim->nkey, rec + k, sim->nkey * sizeof(double));
  k += sim->nkey;
  memcpy(sim->queue + (size_t)r * sim->nsites, rec + k, sim->nsites * sizeof(double));
  sim->have[r] = 1;
  return 0;
}
